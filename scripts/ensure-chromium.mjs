// `npm test`'s pretest step: gives the e2e tests a browser where it can, and is quick when there is one.
// On Debian as root (a fresh CI machine, see .ci/run) it installs Debian's chromium. Anywhere else it
// never fails: the e2e project then fails at once with the message that says what to install or set
// (vitest.config.ts), while the unit tests still run and report.

import { spawnSync } from 'node:child_process';
import { linuxFamily, locateChromium, readOsRelease } from './chromium.mjs';

const canInstall = process.platform === 'linux' && process.getuid?.() === 0 && !process.env.CHROMIUM_PATH &&
  linuxFamily(readOsRelease()) === 'debian';

function installDebianChromium() {
  console.log("No browser for the e2e tests: installing Debian's chromium with apt-get.");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core']]) {
    if (spawnSync('apt-get', args, { stdio: 'inherit', env }).status !== 0) {
      console.warn(`apt-get ${args.join(' ')} failed.`);
      return;
    }
  }
}

let found = locateChromium();
if (found.problem !== undefined && canInstall) {
  installDebianChromium();
  found = locateChromium();
}
console.log(found.problem === undefined
  ? `Browser for the e2e tests: ${found.path}`
  : 'No browser for the e2e tests: the e2e project will fail and say what to install or set; the unit tests run anyway.');
