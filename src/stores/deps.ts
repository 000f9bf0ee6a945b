// What the stores need from outside: the inference worker, the page URL and the network. The app
// passes the real ones (src/stores/index.ts); tests pass fakes, so every store action runs in Node.

import type { InferenceClient } from '../worker/client';
import type { UrlKey } from './urlState';

/** The inference worker as the stores use it (InferenceClient, or a fake in tests). */
export type InferenceApi = Pick<
  InferenceClient,
  | 'setBackend'
  | 'load'
  | 'runText'
  | 'runImage'
  | 'tokenize'
  | 'runIds'
  | 'loadLabCnn'
  | 'preprocess'
  | 'runPixels'
  | 'cacheInfo'
  | 'clearCache'
  | 'memory'
  | 'onBackendLost'
  | 'restart'
>;

/** The shareable state in the query string. */
export interface UrlParams {
  read(key: UrlKey): string | null;
  /** Sets (or with null/empty removes) parameters, keeping the others. */
  write(values: Partial<Record<UrlKey, string | null>>): void;
}

export interface StoreDeps {
  /** Called on first use, so creating the stores starts no worker. */
  inference(): InferenceApi;
  url: UrlParams;
  /** Absolute URL of the app's public/ folder (bundled models, samples), ending in "/". */
  publicBase: string;
  fetch: typeof fetch;
  /** In [0, 1); injected so tests can pick the "random" sentence. */
  random(): number;
  /** The browser's preferred languages (navigator.languages), most preferred first. */
  languages: readonly string[];
  /** Delay between the last edit and the run it causes. */
  runDelayMs: number;
}
