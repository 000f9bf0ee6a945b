// The shareable part of the app state lives in the query string: the UI language, tab, models,
// backend override and WASM thread count, hub mirror; in the text workspace the sentences, masked tokens, top-k and
// the attention view (with the neuron view's query token); the self-supervision lab's text, seed and
// whole-word choice; in the image workspace the image, layer, head, patch, rollout, overlay and
// neuron-view settings. Reads happen once at start-up; writes replace the current history entry so typing
// does not flood the back button. A value that cannot be used is reported, not silently dropped.

import type { UrlParams } from './deps';

export type UrlKey =
  | 'tab'
  | 'lang'
  | 'a'
  | 'b'
  | 'bert'
  | 'vit'
  | 'backend'
  | 'threads'
  | 'hub'
  | 'lab'
  // self-supervision lab
  | 'ltext'
  | 'seed'
  | 'wholeword'
  // text workspace
  | 'view'
  | 'layer'
  | 'head'
  | 'nospecial'
  | 'topk'
  | 'masked'
  | 'pos'
  | 'query'
  // image workspace
  | 'image'
  | 'ilayer'
  | 'ihead'
  | 'patch'
  | 'fusion'
  | 'discard'
  | 'opacity'
  | 'ineuron';

/** A URL parameter the app could not use; the default took its place. */
export interface IgnoredParam {
  key: UrlKey;
  value: string;
}

/** `key` when it is one of `choices`, else `fallback` (a present but unknown value is recorded in `ignored`). */
export function readChoice<T extends string, F extends T | null>(
  url: UrlParams,
  key: UrlKey,
  choices: readonly T[],
  fallback: F,
  ignored: IgnoredParam[],
): T | F {
  const value = url.read(key);
  if (value === null) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  ignored.push({ key, value });
  return fallback;
}

/** `key` as an integer in [min, max], else `fallback` (a present but unusable value is recorded). */
export function readInteger(url: UrlParams, key: UrlKey, min: number, max: number, fallback: number, ignored: IgnoredParam[]): number {
  const value = url.read(key);
  if (value === null) return fallback;
  const n = /^-?\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (n >= min && n <= max) return n;
  ignored.push({ key, value });
  return fallback;
}

/** `key` as a number in [min, max], else `fallback` (a present but unusable value is recorded). */
export function readNumber(url: UrlParams, key: UrlKey, min: number, max: number, fallback: number, ignored: IgnoredParam[]): number {
  const value = url.read(key);
  if (value === null) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (n >= min && n <= max) return n;
  ignored.push({ key, value });
  return fallback;
}

/** The page's own query string. */
export const pageUrl: UrlParams = {
  read(key) {
    return new URLSearchParams(window.location.search).get(key);
  },
  write(values) {
    const url = new URL(window.location.href);
    for (const [key, value] of Object.entries(values)) {
      if (value === null || value === undefined || value === '') url.searchParams.delete(key);
      else url.searchParams.set(key, value);
    }
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
  },
};

/** An in-memory query string (tests, and anywhere without a page). */
export function memoryUrl(initial: Partial<Record<UrlKey, string>> = {}): UrlParams & { values: Map<UrlKey, string> } {
  const values = new Map(Object.entries(initial) as [UrlKey, string][]);
  return {
    values,
    read: (key) => values.get(key) ?? null,
    write(update) {
      for (const [key, value] of Object.entries(update) as [UrlKey, string | null | undefined][]) {
        if (value === null || value === undefined || value === '') values.delete(key);
        else values.set(key, value);
      }
    },
  };
}
