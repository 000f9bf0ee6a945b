// Finds the Chromium (or Google Chrome) that the e2e tests drive, and says what to install or set
// when there is none. Plain JavaScript so that `npm test`'s pretest step (ensure-chromium.mjs) runs in
// bare Node, in a fraction of a second; chromium.d.mts gives the TypeScript callers its types.
//
// Search order: CHROMIUM_PATH (when set it must be right: no silent fallback to another browser),
// then the commands below on PATH, then /snap/bin/chromium, then the macOS application bundles,
// then the Chromium that `npx playwright-core install chromium` downloads.

import { accessSync, closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const SNAP_CHROMIUM = '/snap/bin/chromium';
const MAC_APPS = ['Chromium.app/Contents/MacOS/Chromium', 'Google Chrome.app/Contents/MacOS/Google Chrome'];

/** Debian-like, Ubuntu-like, … from /etc/os-release (ID, then ID_LIKE); Ubuntu first, as it is also "like debian". */
export function linuxFamily(osRelease) {
  const field = (key) => osRelease.match(new RegExp(`^${key}=["']?([^"'\\n]*)`, 'm'))?.[1] ?? '';
  const ids = [field('ID'), ...field('ID_LIKE').split(' ')];
  return ['ubuntu', 'debian', 'fedora', 'arch'].find((family) => ids.includes(family)) ?? (ids.includes('rhel') ? 'fedora' : 'other');
}

export function readOsRelease() {
  try {
    return readFileSync('/etc/os-release', 'utf8');
  } catch {
    return '';
  }
}

/**
 * What is at `path`: a browser to launch, nothing, a file that cannot run, or Ubuntu's
 * /usr/bin/chromium-browser wrapper, which only prints "requires the chromium snap to be installed"
 * when the snap is absent (when it is present, /snap/bin/chromium is found instead).
 */
function probe(path) {
  try {
    if (!statSync(path).isFile()) return 'not-executable';
    accessSync(path, constants.X_OK);
  } catch (error) {
    return error.code === 'ENOENT' || error.code === 'ENOTDIR' ? 'missing' : 'not-executable';
  }
  const head = Buffer.alloc(4096);
  const fd = openSync(path, 'r');
  const length = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return head.toString('latin1', 0, length).includes('requires the chromium snap') ? 'snap-wrapper' : 'browser';
}

function playwrightChromium() {
  try {
    // Loaded only when nothing else is found: playwright-core takes a second to load.
    return createRequire(import.meta.url)('playwright-core').chromium.executablePath();
  } catch {
    return undefined;
  }
}

const WHY_NOT = {
  missing: 'which does not exist',
  'not-executable': 'which is not an executable file',
  'snap-wrapper': "which is Ubuntu's wrapper for the chromium snap, and the snap is not installed",
};

export function locateChromium(options = {}) {
  const {
    env = process.env,
    platform = process.platform,
    home = homedir(),
    osRelease = platform === 'linux' ? readOsRelease() : '',
    probe: probePath = probe,
    playwright = playwrightChromium,
  } = options;

  if (env.CHROMIUM_PATH) {
    const what = probePath(env.CHROMIUM_PATH);
    if (what === 'browser') return { path: env.CHROMIUM_PATH };
    return {
      problem: `CHROMIUM_PATH is ${env.CHROMIUM_PATH}, ${WHY_NOT[what]}.\n` +
        'Point it at a Chromium or Google Chrome executable, or unset it to let the e2e tests look for one.',
    };
  }

  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = COMMANDS.flatMap((command) => dirs.map((dir) => join(dir, command)));
  if (platform === 'linux') candidates.push(SNAP_CHROMIUM);
  if (platform === 'darwin') candidates.push(...MAC_APPS.flatMap((app) => ['/Applications', join(home, 'Applications')].map((dir) => join(dir, app))));
  const wrappers = new Set();
  for (const candidate of candidates) {
    const what = probePath(candidate);
    if (what === 'browser') return { path: candidate };
    if (what === 'snap-wrapper') wrappers.add(candidate);
  }
  const downloaded = playwright();
  if (downloaded && probePath(downloaded) === 'browser') return { path: downloaded };
  return { problem: missingMessage(platform, osRelease, [...wrappers]) };
}

/** The browser's path; throws the message that says what to install or set when there is none. */
export function findChromium(options) {
  const found = locateChromium(options);
  if (found.problem !== undefined) throw new Error(found.problem);
  return found.path;
}

const PLAYWRIGHT = 'npx playwright-core install chromium';

function missingMessage(platform, osRelease, wrappers) {
  const places = platform === 'darwin' ? ' there is no Chromium.app or Google Chrome.app in /Applications or ~/Applications,' : '';
  const lines = [
    `No browser for the e2e tests: CHROMIUM_PATH is not set, none of ${COMMANDS.join(', ')} is on PATH,${places} ` +
      'and Playwright has not downloaded its Chromium.',
    ...wrappers.map((wrapper) => `(${wrapper} is Ubuntu's wrapper for the chromium snap, which is not installed.)`),
  ];
  const family = platform === 'linux' ? linuxFamily(osRelease) : platform;
  if (family === 'debian') {
    lines.push("Install Debian's Chromium (npm test does this by itself when run as root):",
      '    sudo apt-get install --no-install-recommends chromium fonts-dejavu-core');
  } else if (family === 'ubuntu') {
    lines.push('Ubuntu ships Chromium only as a snap (apt\'s chromium-browser just installs it):', '    sudo snap install chromium',
      "or, where snaps do not run (containers, WSL), Playwright's Chromium and the libraries it needs:",
      '    npx playwright-core install --with-deps chromium');
  } else if (family === 'fedora') {
    lines.push('Install Chromium:', '    sudo dnf install chromium');
  } else if (family === 'arch') {
    lines.push('Install Chromium:', '    sudo pacman -S chromium');
  } else if (family === 'darwin') {
    lines.push('Install Google Chrome (https://www.google.com/chrome/) or Chromium into /Applications, ' +
      "or download Playwright's Chromium (no admin rights needed):", `    ${PLAYWRIGHT}`);
  } else {
    lines.push("Install Chromium or Google Chrome, or download Playwright's Chromium:", `    ${PLAYWRIGHT}`);
  }
  lines.push('or point CHROMIUM_PATH at a Chromium or Google Chrome executable.');
  return lines.join('\n');
}
