// Selections the image views make from a ViT output (src/views/image/vitData.ts).

import { describe, expect, it } from 'vitest';
import type { FullVitOutput } from '../../src/models/types';
import { attentionMatrix, rowToPatches } from '../../src/views/image/vitData';
import { expectClose, nd, nd3 } from './helpers';

describe('attention selections', () => {
  // 1 + 2 tokens ([CLS], patch 0, patch 1), two heads.
  const output = {
    attentions: [
      nd3([
        [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6]],
        [[0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.4, 0.4, 0.2]],
      ]),
    ],
  } as unknown as FullVitOutput;

  it('one head, or the mean of the heads', () => {
    expectClose(attentionMatrix(output, 0, 1).data, [0.1, 0.1, 0.8, 0.3, 0.4, 0.3, 0.4, 0.4, 0.2]);
    expectClose(attentionMatrix(output, 0, 'mean').data, [0.3, 0.2, 0.5, 0.2, 0.5, 0.3, 0.3, 0.3, 0.4]);
    expect(() => attentionMatrix(output, 1, 0)).toThrow(/layer 2 does not exist/);
  });

  it("a token's attention to the patches, without the [CLS] column", () => {
    const m = attentionMatrix(output, 0, 0);
    expectClose(rowToPatches(m, 0, 1), [0.3, 0.2]);
    expectClose(rowToPatches(m, 2, 1), [0.2, 0.6]);
    expectClose(rowToPatches(nd([[1, 2], [3, 4]]), 1, 1), [4]);
    // A distilled DeiT: [CLS] and the distillation token come before the patches.
    expectClose(rowToPatches(m, 1, 2), [0.3]);
  });
});
