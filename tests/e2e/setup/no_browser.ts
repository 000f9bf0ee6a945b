// The whole e2e project when no browser is found (vitest.config.ts): one test, failing with the
// message that says what to install or set.

import { test } from 'vitest';
import { findChromium } from '../../../scripts/chromium.mjs';

test('a Chromium or Google Chrome for the e2e tests', () => {
  findChromium();
});
