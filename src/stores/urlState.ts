// The shareable part of the app state lives in the query string: text inputs, chosen models,
// backend override and WASM thread count, hub mirror and tab. Reads happen once at start-up;
// writes replace the current history entry so typing does not flood the back button.

export type UrlKey = 'tab' | 'a' | 'b' | 'bert' | 'vit' | 'backend' | 'threads' | 'hub';

export function readParam(key: UrlKey): string | null {
  return new URLSearchParams(window.location.search).get(key);
}

/** Sets (or with null/empty removes) query parameters, keeping the others. */
export function writeParams(values: Partial<Record<UrlKey, string | null>>): void {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  if (url.href !== window.location.href) window.history.replaceState(window.history.state, '', url);
}
