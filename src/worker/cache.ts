// Hub downloads are kept in Cache Storage, keyed by URL, so a checkpoint is fetched once per
// browser. Bodies are teed: the loader reads one branch (and reports byte progress) while the
// cache stores the other, so caching never delays or distorts the progress bar.

import type { CacheInfo } from './protocol';

const CACHE_NAME = 'checkpoints-v1';

const cacheAvailable = () => typeof caches !== 'undefined';

/** Stores still being written; the cache size is only reported once they have landed. */
const pendingStores = new Set<Promise<unknown>>();

export async function cachedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const method = init?.method ?? 'GET';
  if (!cacheAvailable() || (method !== 'GET' && method !== 'HEAD')) return fetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(url);
  // A cached file answers existence checks too, so a cached checkpoint loads offline.
  if (hit) return method === 'HEAD' ? new Response(null, { status: hit.status, headers: hit.headers }) : hit;
  const response = await fetch(input, init);
  // A failed or aborted store only costs a re-download next time.
  const store = (r: Response) => {
    const put = cache.put(url, r).catch((e: unknown) => console.warn(`Not cached: ${url}`, e));
    pendingStores.add(put);
    void put.finally(() => pendingStores.delete(put));
  };
  if (method === 'GET' && response.ok) store(response.clone());
  // Absent optional files (tokenizer.json, …) are remembered too, or a cached checkpoint could
  // not load offline: the loader asks for them every time.
  if (response.status === 404) store(new Response(null, { status: 404, statusText: 'Not Found' }));
  return response;
}

export async function cacheInfo(): Promise<CacheInfo> {
  if (!cacheAvailable()) return { entries: 0, bytes: 0 };
  // Bounded, because a store can hang with a stalled download and the worker answers in order.
  await Promise.race([Promise.all(pendingStores), new Promise((done) => setTimeout(done, 2000))]);
  const cache = await caches.open(CACHE_NAME);
  let entries = 0;
  let bytes = 0;
  for (const key of await cache.keys()) {
    const response = await cache.match(key);
    if (!response?.ok) continue;
    entries++;
    bytes += (await response.blob()).size;
  }
  return { entries, bytes };
}

export async function clearCache(): Promise<CacheInfo> {
  if (cacheAvailable()) await caches.delete(CACHE_NAME);
  return cacheInfo();
}
