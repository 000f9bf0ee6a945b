// Repo ids typed by users become hub URLs; anything that is not a repo id is refused with a
// message instead of being fetched.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromUrl } from '../../src/models/checkpoint/source';
import { PRESETS, sourceFor } from '../../src/stores/presets';

const PUBLIC = 'http://127.0.0.1:5173/';

describe('sourceFor', () => {
  it('maps bundled ids under the app\'s public folder, not cached, with their file lists', () => {
    expect(sourceFor('bundled:mini-bert', 'https://huggingface.co', PUBLIC)).toEqual({
      type: 'url',
      name: 'bundled:mini-bert',
      baseUrl: 'http://127.0.0.1:5173/models/mini-bert/',
      cache: false,
      files: ['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.txt'],
    });
    // A bundled name without a preset has no list: its files are asked for.
    expect(sourceFor('bundled:other', 'https://huggingface.co', PUBLIC)).not.toHaveProperty('files');
    expect(() => sourceFor('bundled:../x', 'https://huggingface.co', PUBLIC)).toThrow(/is not a bundled model name/);
  });

  it('maps preset ids and bare repo ids to resolve/main URLs under the hub, cached', () => {
    expect(sourceFor('hub:google/vit-base-patch16-224', 'https://huggingface.co', PUBLIC)).toEqual({
      type: 'url',
      name: 'hub:google/vit-base-patch16-224',
      baseUrl: 'https://huggingface.co/google/vit-base-patch16-224/resolve/main/',
      cache: true,
    });
    expect(sourceFor('  bert-base-uncased ', 'http://127.0.0.1:9000/', PUBLIC)).toMatchObject({
      name: 'hub:bert-base-uncased',
      baseUrl: 'http://127.0.0.1:9000/bert-base-uncased/resolve/main/',
    });
  });

  it.each(['', 'a/b/c', '../etc', 'org/', 'has space/x', 'https://huggingface.co/org/x'])('refuses %j', (id) => {
    expect(() => sourceFor(id, 'https://huggingface.co', PUBLIC)).toThrow(/is not a Hugging Face repo id/);
  });

  it('offers a bundled model first for each workspace', () => {
    expect(PRESETS.find((p) => p.slot === 'bert')?.id).toBe('bundled:mini-bert');
    expect(PRESETS.find((p) => p.slot === 'vit')?.id).toBe('bundled:mini-vit');
  });
});

describe('bundled models\' file lists', () => {
  /** The files a checkpoint loader may look for; the folders also hold model cards, curves and logs. */
  const CHECKPOINT_FILE = /^(config|tokenizer|tokenizer_config|special_tokens_map|preprocessor_config)\.json$|^vocab\.txt$|^model\.safetensors$|^pytorch_model\.bin$|\.index\.json$/;

  it.each(PRESETS.filter((p) => p.id.startsWith('bundled:')))('$id lists exactly the checkpoint files of its folder', (preset) => {
    const folder = readdirSync(`public/models/${preset.id.slice('bundled:'.length)}`).filter((f) => CHECKPOINT_FILE.test(f));
    expect(preset.files).toEqual(folder.sort());
  });

  it('answers "exists" from the list without a request, and still fetches listed files', async () => {
    const requested: string[] = [];
    const fetch = (url: string) => {
      requested.push(url);
      return Promise.resolve(new Response('{}', { headers: { 'content-type': 'application/json' } }));
    };
    const source = fromUrl('http://app.test/models/m/', { fetch: fetch as unknown as typeof globalThis.fetch, files: ['config.json'] });
    expect(await source.exists('tokenizer.json')).toBe(false);
    expect(await source.exists('config.json')).toBe(true);
    expect(requested).toEqual([]);
    expect(await source.readText('config.json')).toBe('{}');
    expect(requested).toEqual(['http://app.test/models/m/config.json']);
  });
});
