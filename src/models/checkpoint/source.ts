// Where checkpoint files come from: a URL prefix (Hugging Face hub or the app's own public/ folder)
// or files the user dropped. Both look the same to the loader. Node's folder source lives in
// source_node.ts so that nothing here pulls `node:fs` into the browser bundle.

import { ModelError } from '../errors';
import type { LoadProgress } from '../types';

/** An open file: its bytes as they arrive, and its size when the source knows it exactly. */
export interface OpenFile {
  stream: ReadableStream<Uint8Array>;
  /** Exact size in bytes (a file on disk), or null (a download, whose Content-Length may count compressed bytes). */
  size: number | null;
  /** The size to show progress against, when known. */
  progressTotal: number | null;
  /** The error to report when reading the stream fails. */
  failed(e: unknown): ModelError;
}

export interface CheckpointSource {
  /** Human-readable origin, used in messages ("https://huggingface.co/…", "dropped folder bert-tiny"). */
  label: string;
  exists(name: string): Promise<boolean>;
  open(name: string): Promise<OpenFile>;
  /** The whole file; more than `maxBytes` is refused (by its size before reading, when known). */
  read(name: string, onProgress?: (p: LoadProgress) => void, maxBytes?: number): Promise<Uint8Array>;
  /** A JSON or text file, at most MAX_TEXT_FILE_BYTES. */
  readText(name: string): Promise<string>;
}

/** Largest config, vocabulary or tokenizer file read; real ones are a few MB (tokenizer.json up to ~30 MB). */
export const MAX_TEXT_FILE_BYTES = 64 * 2 ** 20;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * A file's bytes as they arrive, with progress after every chunk: whole chunks for streaming
 * readers, or exactly n bytes for headers. Bytes taken but not used can be put back.
 */
export class ByteReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private pending: Uint8Array | null = null;
  private loaded = 0;

  constructor(
    private readonly file: OpenFile,
    private readonly name: string,
    private readonly onProgress?: (p: LoadProgress) => void,
  ) {
    this.reader = file.stream.getReader();
    onProgress?.({ file: name, loaded: 0, total: file.progressTotal });
  }

  get size(): number | null {
    return this.file.size;
  }

  /** The next bytes, or null at the end of the file. */
  async next(): Promise<Uint8Array | null> {
    if (this.pending) {
      const bytes = this.pending;
      this.pending = null;
      return bytes;
    }
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.reader.read();
    } catch (e) {
      throw this.file.failed(e);
    }
    if (result.done) return null;
    this.loaded += result.value.byteLength;
    const total = this.file.progressTotal;
    // Content-Length counts compressed bytes when the server gzips; never report more than 100%.
    this.onProgress?.({ file: this.name, loaded: this.loaded, total: total !== null && this.loaded <= total ? total : null });
    return result.value;
  }

  /** Puts back bytes that `next` returned, to be returned again first. */
  unread(bytes: Uint8Array): void {
    if (bytes.byteLength > 0) this.pending = bytes;
  }

  /** The next n bytes, fewer only when the file ends first. */
  async exactly(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = await this.next();
      if (!chunk) return out.subarray(0, filled);
      const take = Math.min(n - filled, chunk.byteLength);
      out.set(chunk.subarray(0, take), filled);
      this.unread(chunk.subarray(take));
      filled += take;
    }
    return out;
  }

  /** Stops reading; the rest of the file is never fetched. */
  close(): void {
    this.reader.cancel().catch(() => undefined);
  }
}

/** The whole file in one array, refused past `maxBytes`. */
async function readWhole(file: OpenFile, name: string, label: string, onProgress?: (p: LoadProgress) => void, maxBytes = Infinity): Promise<Uint8Array> {
  const tooLarge = (bytes: string) =>
    new ModelError('unsupported', `"${name}" in ${label} is ${bytes}; files over ${mib(maxBytes)} are not read.`);
  if (file.size !== null && file.size > maxBytes) {
    file.stream.cancel().catch(() => undefined);
    throw tooLarge(mib(file.size));
  }
  const reader = new ByteReader(file, name, onProgress);
  // A known size is allocated once; otherwise the chunks are joined at the end.
  if (file.size !== null) {
    const bytes = await reader.exactly(file.size);
    reader.close();
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
    loaded += chunk.byteLength;
    if (loaded > maxBytes) {
      reader.close();
      throw tooLarge(`over ${mib(maxBytes)}`);
    }
    chunks.push(chunk);
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

/** A source from its label, existence check and opener; whole-file reads are built on `open`. */
export function checkpointSource(base: Pick<CheckpointSource, 'label' | 'exists' | 'open'>): CheckpointSource {
  const read = async (name: string, onProgress?: (p: LoadProgress) => void, maxBytes?: number) =>
    readWhole(await base.open(name), name, base.label, onProgress, maxBytes);
  return {
    ...base,
    read,
    readText: async (name) => new TextDecoder().decode(await read(name, undefined, MAX_TEXT_FILE_BYTES)),
  };
}

type FetchFn = typeof fetch;

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

  return checkpointSource({
    label: base,
    exists: async (name) => {
      if (options.files) return options.files.includes(name);
      const response = await request(name, 'HEAD');
      return response !== null;
    },
    open: async (name) => {
      const response = await request(name, 'GET');
      if (!response) throw new ModelError('not_found', `${base} has no file "${name}". Check the model URL.`);
      const length = Number(response.headers.get('content-length'));
      return {
        stream: response.body ?? new Blob([]).stream(),
        size: null,
        progressTotal: Number.isFinite(length) && length > 0 ? length : null,
        failed: (e) => new ModelError('offline', `Download of ${base + name} broke off (${(e as Error).message}). Try again.`),
      };
    },
  });
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

  return checkpointSource({
    label,
    exists: (name) => Promise.resolve(byName.has(name)),
    open: (name) => {
      const f = get(name);
      return Promise.resolve({
        stream: f.stream(),
        size: f.size,
        progressTotal: f.size,
        // E.g. a file deleted or changed on disk after it was dropped.
        failed: (e) => new ModelError('malformed', `Could not read "${name}" from ${label} (${(e as Error).message}).`),
      });
    },
  });
}
