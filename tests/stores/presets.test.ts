// Repo ids typed by users become hub URLs; anything that is not a repo id is refused with a
// message instead of being fetched.

import { describe, expect, it } from 'vitest';
import { PRESETS, sourceFor } from '../../src/stores/presets';

describe('sourceFor', () => {
  it('maps preset ids and bare repo ids to resolve/main URLs under the hub, cached', () => {
    expect(sourceFor('hub:google/vit-base-patch16-224', 'https://huggingface.co')).toEqual({
      type: 'url',
      name: 'hub:google/vit-base-patch16-224',
      baseUrl: 'https://huggingface.co/google/vit-base-patch16-224/resolve/main/',
      cache: true,
    });
    expect(sourceFor('  bert-base-uncased ', 'http://127.0.0.1:9000/')).toMatchObject({
      name: 'hub:bert-base-uncased',
      baseUrl: 'http://127.0.0.1:9000/bert-base-uncased/resolve/main/',
    });
  });

  it.each(['', 'a/b/c', '../etc', 'org/', 'has space/x', 'https://huggingface.co/org/x'])('refuses %j', (id) => {
    expect(() => sourceFor(id, 'https://huggingface.co')).toThrow(/is not a Hugging Face repo id/);
  });

  it('offers a bundled model first for each workspace', () => {
    expect(PRESETS.find((p) => p.slot === 'bert')?.id).toBe('bundled:mini-bert');
    expect(PRESETS.find((p) => p.slot === 'vit')?.id).toBe('bundled:mini-vit');
  });
});
