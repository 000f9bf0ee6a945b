// Repo ids typed by users become hub URLs; anything that is not a repo id is refused with a
// message instead of being fetched.

import { describe, expect, it } from 'vitest';
import { PRESETS, sourceFor } from '../../src/stores/presets';

const PUBLIC = 'http://127.0.0.1:5173/';

describe('sourceFor', () => {
  it('maps bundled ids under the app\'s public folder, not cached', () => {
    expect(sourceFor('bundled:mini-bert', 'https://huggingface.co', PUBLIC)).toEqual({
      type: 'url',
      name: 'bundled:mini-bert',
      baseUrl: 'http://127.0.0.1:5173/models/mini-bert/',
      cache: false,
    });
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
