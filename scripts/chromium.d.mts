// Types for chromium.mjs (plain JavaScript so that the pretest step needs no compiler).

export const COMMANDS: string[];

export type Probe = 'browser' | 'missing' | 'not-executable' | 'snap-wrapper';

/** Everything the search reads from the machine, replaceable so that tests can stage any machine. */
export interface LocateOptions {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** For ~/Applications on macOS. */
  home?: string;
  /** Text of /etc/os-release: picks the install advice on Linux. */
  osRelease?: string;
  probe?: (path: string) => Probe;
  /** Where `npx playwright-core install chromium` puts its Chromium. */
  playwright?: () => string | undefined;
}

export function linuxFamily(osRelease: string): 'debian' | 'ubuntu' | 'fedora' | 'arch' | 'other';
export function readOsRelease(): string;
export function locateChromium(options?: LocateOptions): { path: string; problem?: undefined } | { path?: undefined; problem: string };
export function findChromium(options?: LocateOptions): string;
