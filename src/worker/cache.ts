// Hub downloads are kept in Cache Storage, keyed by URL, so a checkpoint is fetched once per
// browser. Bodies are teed: the loader reads one branch (and reports byte progress) while the
// cache stores the other, so caching never delays or distorts the progress bar.

import type { CacheInfo } from './protocol';

const CACHE_NAME = 'checkpoints-v1';

const cacheAvailable = () => typeof caches !== 'undefined';

export async function cachedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const method = init?.method ?? 'GET';
  if (!cacheAvailable() || (method !== 'GET' && method !== 'HEAD')) return fetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(url);
  // A cached file answers existence checks too, so a cached checkpoint loads offline.
  if (hit) return method === 'HEAD' ? new Response(null, { status: hit.status, headers: hit.headers }) : hit;
  const response = await fetch(input, init);
  if (method === 'GET' && response.ok) {
    // A failed or aborted store only costs a re-download next time.
    cache.put(url, response.clone()).catch((e: unknown) => console.warn(`Not cached: ${url}`, e));
  }
  return response;
}

export async function cacheInfo(): Promise<CacheInfo> {
  if (!cacheAvailable()) return { entries: 0, bytes: 0 };
  const cache = await caches.open(CACHE_NAME);
  const keys = await cache.keys();
  let bytes = 0;
  for (const key of keys) {
    const response = await cache.match(key);
    if (response) bytes += (await response.blob()).size;
  }
  return { entries: keys.length, bytes };
}

export async function clearCache(): Promise<CacheInfo> {
  if (cacheAvailable()) await caches.delete(CACHE_NAME);
  return cacheInfo();
}
