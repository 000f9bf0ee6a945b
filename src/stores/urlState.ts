// The shareable part of the app state lives in the query string: text inputs, chosen models,
// backend override and WASM thread count, hub mirror, tab and UI language. Reads happen once at
// start-up; writes replace the current history entry so typing does not flood the back button.

import type { UrlParams } from './deps';

export type UrlKey = 'tab' | 'lang' | 'a' | 'b' | 'bert' | 'vit' | 'backend' | 'threads' | 'hub' | 'lab';

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
