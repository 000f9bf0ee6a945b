// Runs once before the browser tests: a production build of the app (plus the parity test page)
// and the local servers. Set E2E_REUSE_BUILD=1 to skip the build when iterating on tests only.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildPages } from './build';
import { serveApp, serveHub } from './servers';

export const DIST = resolve('test-results/e2e-dist');

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    hubUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (!(process.env.E2E_REUSE_BUILD && existsSync(resolve(DIST, 'index.html')))) {
    await buildPages(DIST, { main: 'index.html', parity: 'tests/browser/parity.html' });
  }
  const app = await serveApp(DIST);
  const hub = await serveHub(resolve('tests/fixtures'));
  project.provide('appUrl', app.url);
  project.provide('hubUrl', hub.url);
  return async () => {
    await app.close();
    await hub.close();
  };
}
