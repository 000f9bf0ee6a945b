// Where checkpoint files come from: a URL prefix (Hugging Face hub or the app's own public/ folder)
// or files the user dropped. Both look the same to the loader. Node's folder source lives in
// source_node.ts so that nothing here pulls `node:fs` into the browser bundle.

import { ModelError } from '../errors';
import type { LoadProgress } from '../types';

export interface CheckpointSource {
  /** Human-readable origin, used in messages ("https://huggingface.co/…", "dropped folder bert-tiny"). */
  label: string;
  exists(name: string): Promise<boolean>;
  read(name: string, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array>;
  readText(name: string): Promise<string>;
}

type FetchFn = typeof fetch;

/** Reads a byte stream to the end, reporting progress after every chunk. */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  file: string,
  total: number | null,
  onProgress?: (p: LoadProgress) => void,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = stream.getReader();
  onProgress?.({ file, loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    // Content-Length counts compressed bytes when the server gzips; never report more than 100%.
    onProgress?.({ file, loaded, total: total !== null && loaded <= total ? total : null });
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Files under a URL prefix, e.g. `https://huggingface.co/google/bert_uncased_L-2_H-128_A-2/resolve/main/`
 * or `/models/mini-bert/`. With `files` (the folder's listing, when known) `exists` answers from
 * it rather than asking the server, so probing an optional file costs no request and no 404.
 */
export function fromUrl(baseUrl: string, options: { fetch?: FetchFn; files?: readonly string[] } = {}): CheckpointSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const fetchFn = options.fetch ?? ((...args: Parameters<FetchFn>) => globalThis.fetch(...args));

  async function request(name: string, method: 'GET' | 'HEAD'): Promise<Response | null> {
    const url = base + name;
    let response: Response;
    try {
      response = await fetchFn(url, { method });
    } catch (e) {
      throw new ModelError(
        'offline',
        `Could not reach ${url} (${(e as Error).message}). Check your connection, or load the files from disk instead.`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new ModelError(
        'gated',
        // The hub also answers 401 for repos that do not exist, so as not to reveal private ones.
        `${url} answered ${response.status}: the repo is gated or private (or does not exist). Check the name; for a gated repo, accept its terms on huggingface.co, download the files and drop them here.`,
      );
    }
    // A dev server or SPA host answers unknown paths with its index.html; no checkpoint file is HTML.
    const isHtmlFallback = response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html');
    if (response.status === 404 || isHtmlFallback) return null;
    if (!response.ok) {
      throw new ModelError('http', `${url} answered HTTP ${response.status} ${response.statusText}. Try again later.`);
    }
    return response;
  }

  async function read(name: string, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
    const response = await request(name, 'GET');
    if (!response) throw new ModelError('not_found', `${base} has no file "${name}". Check the model URL.`);
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : null;
    try {
      if (response.body) return await readStream(response.body, name, total, onProgress);
      return new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      throw new ModelError('offline', `Download of ${base + name} broke off (${(e as Error).message}). Try again.`);
    }
  }

  return {
    label: base,
    exists: async (name) => {
      if (options.files) return options.files.includes(name);
      const response = await request(name, 'HEAD');
      return response !== null;
    },
    read,
    readText: async (name) => new TextDecoder().decode(await read(name)),
  };
}

/**
 * Files the user picked or dropped. Matched by base name; when a dropped folder holds the same
 * name twice (e.g. a nested copy), the shallowest path wins.
 */
export function fromFiles(files: File[]): CheckpointSource {
  const depth = (f: File) => (f.webkitRelativePath || f.name).split('/').length;
  const byName = new Map<string, File>();
  for (const f of [...files].sort((a, b) => depth(a) - depth(b))) {
    if (!byName.has(f.name)) byName.set(f.name, f);
  }
  const folder = files.find((f) => f.webkitRelativePath)?.webkitRelativePath.split('/')[0];
  const label = folder ? `dropped folder "${folder}"` : `${files.length} dropped file${files.length === 1 ? '' : 's'}`;

  function get(name: string): File {
    const f = byName.get(name);
    if (!f) {
      throw new ModelError('not_found', `${label} has no "${name}". Drop the whole checkpoint folder (config.json, model.safetensors, …).`);
    }
    return f;
  }

  async function read(name: string, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
    const f = get(name);
    try {
      return await readStream(f.stream(), name, f.size, onProgress);
    } catch (e) {
      // E.g. a file deleted or changed on disk after it was dropped.
      throw new ModelError('malformed', `Could not read "${name}" from ${label} (${(e as Error).message}).`);
    }
  }

  return {
    label,
    exists: (name) => Promise.resolve(byName.has(name)),
    read,
    readText: async (name) => new TextDecoder().decode(await read(name)),
  };
}
