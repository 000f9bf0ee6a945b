// Node-only checkpoint source (CLI, tests, bench). Kept apart so browser code never imports node:fs.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelError } from '../errors';
import type { CheckpointSource } from './source';

export async function fromFolder(dir: string): Promise<CheckpointSource> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new ModelError('not_found', `Model folder ${root} does not exist or is not a folder.`);

  const read = async (name: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await readFile(join(root, name)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ModelError('not_found', `${root} has no file "${name}".`);
      throw new ModelError('malformed', `Could not read ${join(root, name)} (${(e as Error).message}).`);
    }
  };

  return {
    label: root,
    exists: async (name) => (await stat(join(root, name)).catch(() => null))?.isFile() ?? false,
    read: async (name, onProgress) => {
      const bytes = await read(name);
      onProgress?.({ file: name, loaded: bytes.byteLength, total: bytes.byteLength });
      return bytes;
    },
    readText: async (name) => new TextDecoder().decode(await read(name)),
  };
}
