// Hub downloads are kept in Cache Storage, keyed by URL, so a checkpoint is fetched once per
// browser. Bodies are split in two as they arrive: the loader reads one branch (and reports byte
// progress) while the cache stores the other, so caching never delays or distorts the progress
// bar. Unlike Response.clone(), whose two branches are fed as fast as the faster one reads, the
// download here goes at the loader's pace: on a fast network a plain tee would pile up most of a
// checkpoint in memory while the loader converts and uploads tensors.

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
  // Absent optional files (tokenizer.json, …) are remembered too, or a cached checkpoint could
  // not load offline: the loader asks for them every time.
  if (response.status === 404) store(new Response(null, { status: 404, statusText: 'Not Found' }));
  if (method !== 'GET' || !response.ok || !response.body) return response;
  const [forLoader, forCache] = splitAtReadersPace(response.body);
  const init_ = { status: response.status, statusText: response.statusText, headers: response.headers };
  store(new Response(forCache, init_));
  return new Response(forLoader, init_);
}

/**
 * Two streams of the same chunks, read from the source only as fast as both are read: the loader
 * converts and uploads as it goes, and the cache writes to disk, so neither lets chunks pile up
 * (a plain tee feeds both branches at the pace of the faster one). If the loader stops before the
 * end, the cache's branch fails, so a partial file is never cached; if the cache gives up, the
 * loader goes on alone.
 */
function splitAtReadersPace(body: ReadableStream<Uint8Array>): [ReadableStream<Uint8Array>, ReadableStream<Uint8Array>] {
  const source = body.getReader();
  let copy!: ReadableStreamDefaultController<Uint8Array>;
  let cacheReady: (() => void) | null = null;
  let cacheGone = false;
  const wake = () => {
    cacheReady?.();
    cacheReady = null;
  };
  const second = new ReadableStream<Uint8Array>(
    {
      start: (controller) => void (copy = controller),
      pull: wake,
      cancel: () => {
        cacheGone = true;
        wake();
      },
    },
    { highWaterMark: 4 },
  );
  const first = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (!cacheGone && (copy.desiredSize ?? 1) <= 0) await new Promise<void>((resolve) => (cacheReady = resolve));
        const { done, value } = await source.read();
        if (done) {
          controller.close();
          if (!cacheGone) copy.close();
          return;
        }
        controller.enqueue(value);
        if (!cacheGone) copy.enqueue(value);
      } catch (e) {
        if (!cacheGone) copy.error(e);
        throw e;
      }
    },
    cancel(reason) {
      if (!cacheGone) copy.error(new Error('the download was stopped'));
      return source.cancel(reason);
    },
  });
  return [first, second];
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
