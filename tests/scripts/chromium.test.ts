import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium, linuxFamily, locateChromium, type LocateOptions, type Probe } from '../../scripts/chromium.mjs';

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n';

/** A staged machine: `files` maps paths to what is there; every probed path is recorded in order. */
function machine(files: Record<string, Probe>, options: LocateOptions = {}) {
  const probed: string[] = [];
  const playwright = { calls: 0, path: undefined as string | undefined };
  const located = locateChromium({
    env: { PATH: '/usr/local/bin:/usr/bin' },
    platform: 'linux',
    home: '/home/ann',
    osRelease: DEBIAN,
    probe: (path) => {
      probed.push(path);
      return files[path] ?? 'missing';
    },
    playwright: () => {
      playwright.calls += 1;
      return playwright.path;
    },
    ...options,
  });
  return { located, probed, playwright };
}

describe('locateChromium', () => {
  it('CHROMIUM_PATH wins over everything on PATH', () => {
    const { located, probed } = machine(
      { '/opt/chrome/chrome': 'browser', '/usr/bin/chromium': 'browser' },
      { env: { CHROMIUM_PATH: '/opt/chrome/chrome', PATH: '/usr/bin' } },
    );
    expect(located).toEqual({ path: '/opt/chrome/chrome' });
    expect(probed).toEqual(['/opt/chrome/chrome']);
  });

  it('a CHROMIUM_PATH that is not there is an error naming it, with no fallback to another browser', () => {
    const options: LocateOptions = {
      env: { CHROMIUM_PATH: '/opt/nope/chrome', PATH: '/usr/bin' },
      platform: 'linux',
      osRelease: DEBIAN,
      probe: (path) => (path === '/usr/bin/chromium' ? 'browser' : 'missing'),
    };
    const message = 'CHROMIUM_PATH is /opt/nope/chrome, which does not exist.\n' +
      'Point it at a Chromium or Google Chrome executable, or unset it to let the e2e tests look for one.';
    expect(locateChromium(options)).toEqual({ problem: message });
    expect(() => findChromium(options)).toThrow(message);
  });

  it('says why a CHROMIUM_PATH that exists cannot be used', () => {
    expect(machine({ '/opt/x': 'not-executable' }, { env: { CHROMIUM_PATH: '/opt/x' } }).located.problem)
      .toMatch(/^CHROMIUM_PATH is \/opt\/x, which is not an executable file\./);
    expect(machine({ '/usr/bin/chromium-browser': 'snap-wrapper' }, { env: { CHROMIUM_PATH: '/usr/bin/chromium-browser' } }).located.problem)
      .toMatch(/^CHROMIUM_PATH is \/usr\/bin\/chromium-browser, which is Ubuntu's wrapper for the chromium snap, and the snap is not installed\./);
  });

  it('searches PATH command by command (chromium, chromium-browser, google-chrome, google-chrome-stable), each in PATH order', () => {
    const { located, probed } = machine({ '/usr/bin/google-chrome': 'browser', '/usr/local/bin/google-chrome-stable': 'browser' });
    expect(located).toEqual({ path: '/usr/bin/google-chrome' });
    expect(probed).toEqual([
      '/usr/local/bin/chromium', '/usr/bin/chromium',
      '/usr/local/bin/chromium-browser', '/usr/bin/chromium-browser',
      '/usr/local/bin/google-chrome', '/usr/bin/google-chrome',
    ]);
    expect(machine({ '/usr/bin/chromium': 'browser', '/usr/local/bin/chromium': 'browser' }).located)
      .toEqual({ path: '/usr/local/bin/chromium' });
    expect(machine({ '/usr/bin/chromium': 'not-executable', '/usr/bin/chromium-browser': 'browser' }).located)
      .toEqual({ path: '/usr/bin/chromium-browser' });
  });

  it("skips Ubuntu's chromium-browser wrapper, finds the snap itself, and names the wrapper when the snap is absent", () => {
    const ubuntu = { osRelease: 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n' };
    const wrapper = { '/usr/bin/chromium-browser': 'snap-wrapper' as const };
    expect(machine({ ...wrapper, '/snap/bin/chromium': 'browser' }, ubuntu).located).toEqual({ path: '/snap/bin/chromium' });
    const problem = machine(wrapper, ubuntu).located.problem ?? '';
    expect(problem).toContain("(/usr/bin/chromium-browser is Ubuntu's wrapper for the chromium snap, which is not installed.)");
    expect(problem).toContain('sudo snap install chromium');
    expect(problem).toContain('npx playwright-core install --with-deps chromium');
    expect(problem).not.toContain('apt-get');
  });

  it('checks the macOS application bundles on darwin only, after PATH', () => {
    const chrome = '/home/ann/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    const mac = machine({ [chrome]: 'browser' }, { platform: 'darwin', osRelease: '' });
    expect(mac.located).toEqual({ path: chrome });
    expect(mac.probed.slice(8)).toEqual([
      '/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/home/ann/Applications/Chromium.app/Contents/MacOS/Chromium',
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      chrome,
    ]);
    const linux = machine({ [chrome]: 'browser' });
    expect(linux.located.problem).toBeDefined();
    expect(linux.probed.filter((path) => path.includes('.app/'))).toEqual([]);
  });

  it("falls back to Playwright's download last, and only then loads it", () => {
    const found = machine({ '/usr/bin/chromium': 'browser' });
    expect(found.playwright.calls).toBe(0);

    const probed: string[] = [];
    const downloaded = '/home/ann/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome';
    const located = locateChromium({
      env: { PATH: '/usr/bin' },
      platform: 'linux',
      osRelease: DEBIAN,
      probe: (path) => (probed.push(path), path === downloaded ? 'browser' : 'missing'),
      playwright: () => downloaded,
    });
    expect(located).toEqual({ path: downloaded });
    expect(probed.at(-1)).toBe(downloaded);
    expect(probed.at(-2)).toBe('/snap/bin/chromium');
  });
});

describe('the message when no browser is found', () => {
  it('on Debian: the apt-get line, and that npm test installs it as root', () => {
    expect(machine({}).located.problem).toBe([
      'No browser for the e2e tests: CHROMIUM_PATH is not set, none of chromium, chromium-browser, google-chrome, ' +
        'google-chrome-stable is on PATH, and Playwright has not downloaded its Chromium.',
      "Install Debian's Chromium (npm test does this by itself when run as root):",
      '    sudo apt-get install --no-install-recommends chromium fonts-dejavu-core',
      'or point CHROMIUM_PATH at a Chromium or Google Chrome executable.',
    ].join('\n'));
  });

  it('on macOS: the application folders searched, Chrome or Playwright to install', () => {
    const problem = machine({}, { platform: 'darwin', osRelease: '' }).located.problem ?? '';
    expect(problem).toContain('there is no Chromium.app or Google Chrome.app in /Applications or ~/Applications');
    expect(problem).toContain('Install Google Chrome (https://www.google.com/chrome/) or Chromium into /Applications');
    expect(problem).toContain('\n    npx playwright-core install chromium\n');
    expect(problem).toMatch(/or point CHROMIUM_PATH at a Chromium or Google Chrome executable\.$/);
  });

  it("on other Linux: the distribution's package manager, else Playwright", () => {
    expect(machine({}, { osRelease: 'ID=fedora\n' }).located.problem).toContain('\n    sudo dnf install chromium\n');
    expect(machine({}, { osRelease: 'ID=arch\n' }).located.problem).toContain('\n    sudo pacman -S chromium\n');
    expect(machine({}, { osRelease: 'ID=alpine\n' }).located.problem).toContain('\n    npx playwright-core install chromium\n');
  });
});

describe('linuxFamily', () => {
  it('reads ID, then ID_LIKE, with Ubuntu derivatives kept apart from Debian', () => {
    expect(linuxFamily(DEBIAN)).toBe('debian');
    expect(linuxFamily('ID=raspbian\nID_LIKE=debian\n')).toBe('debian');
    expect(linuxFamily('NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n')).toBe('ubuntu');
    expect(linuxFamily('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).toBe('ubuntu');
    expect(linuxFamily('ID="rocky"\nID_LIKE="rhel centos fedora"\n')).toBe('fedora');
    expect(linuxFamily('ID="almalinux"\nID_LIKE="rhel centos"\n')).toBe('fedora');
    expect(linuxFamily('ID=arch\n')).toBe('arch');
    expect(linuxFamily('ID=alpine\n')).toBe('other');
    expect(linuxFamily('')).toBe('other');
  });
});

describe('the default probe, on real files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chromium-probe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };
  const viaEnv = (path: string) => locateChromium({ env: { CHROMIUM_PATH: path }, platform: 'linux', osRelease: DEBIAN });

  it('an executable file is a browser', () => {
    const path = file('chrome', '#!/bin/sh\nexec true\n', 0o755);
    expect(viaEnv(path)).toEqual({ path });
  });

  it('a missing path, a file without the execute bit and a directory are not', () => {
    // As root, access(X_OK) passes when any execute bit is set, so the mode has none at all.
    expect(viaEnv(join(dir, 'absent')).problem).toContain('which does not exist');
    expect(viaEnv(join(dir, 'absent', 'chrome')).problem).toContain('which does not exist');
    expect(viaEnv(file('plain', 'text', 0o644)).problem).toContain('which is not an executable file');
    expect(viaEnv(dir).problem).toContain('which is not an executable file');
  });

  it("Ubuntu's wrapper for a missing chromium snap is recognised by what it prints", () => {
    const wrapper = file('chromium-browser', [
      '#!/bin/sh',
      'if ! [ -x /snap/bin/chromium ]; then',
      '  echo "Command \'$0\' requires the chromium snap to be installed." >&2',
      '  exit 1',
      'fi',
      'exec /snap/bin/chromium "$@"',
    ].join('\n'), 0o755);
    expect(viaEnv(wrapper).problem).toContain("Ubuntu's wrapper for the chromium snap");
  });
});
