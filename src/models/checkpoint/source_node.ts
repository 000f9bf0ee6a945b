// Node-only checkpoint source (CLI, tests, bench). Kept apart so browser code never imports node:fs.

import { open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelError } from '../errors';
import { checkpointSource, type CheckpointSource, type OpenFile } from './source';

const CHUNK_BYTES = 2 ** 20;

/**
 * A regular file as a stream of 1 MiB chunks. Anything else (a folder, a device such as
 * /dev/zero, a pipe) is refused before a byte is read, so nothing reads without end.
 */
export async function openRegularFile(path: string, describe = path): Promise<OpenFile> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelError('not_found', `${describe} does not exist.`);
    throw new ModelError('malformed', `Could not open ${describe} (${(e as Error).message}).`);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new ModelError('unsupported', `${describe} is not a regular file.`);
  }
  const fh = handle;
  // Closed once, at the end, on an error or when the reader stops early.
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= fh.close().catch(() => undefined));
  let position = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(Math.max(1, Math.min(CHUNK_BYTES, info.size - position)));
        const { bytesRead } = await fh.read(buffer, 0, buffer.byteLength, position);
        if (bytesRead === 0) {
          await close();
          controller.close();
          return;
        }
        position += bytesRead;
        controller.enqueue(buffer.subarray(0, bytesRead));
      } catch (e) {
        await close();
        throw e;
      }
    },
    cancel: close,
  });
  return {
    stream,
    size: info.size,
    progressTotal: info.size,
    failed: (e) => new ModelError('malformed', `Could not read ${describe} (${(e as Error).message}).`),
  };
}

export async function fromFolder(dir: string): Promise<CheckpointSource> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new ModelError('not_found', `Model folder ${root} does not exist or is not a folder.`);

  return checkpointSource({
    label: root,
    exists: async (name) => (await stat(join(root, name)).catch(() => null))?.isFile() ?? false,
    open: async (name) => {
      try {
        return await openRegularFile(join(root, name));
      } catch (e) {
        if (e instanceof ModelError && e.code === 'not_found') throw new ModelError('not_found', `${root} has no file "${name}".`);
        throw e;
      }
    },
  });
}
