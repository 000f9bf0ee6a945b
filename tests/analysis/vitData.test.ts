// Selections the image views make from a ViT output (src/views/image/vitData.ts).

import { describe, expect, it } from 'vitest';
import type { ModelInfo, VitOutput } from '../../src/models/types';
import { attentionMatrix, rowToPatches, trainedGrid } from '../../src/views/image/vitData';
import { expectClose, nd, nd3 } from './helpers';

const info = (positions: number, config: Record<string, unknown>): ModelInfo => ({
  kind: 'vit',
  weights_file: 'model.safetensors',
  config,
  num_hidden_layers: 1,
  num_attention_heads: 1,
  hidden_size: 2,
  position_embeddings: { shape: [1 + positions, 2], data: new Float32Array((1 + positions) * 2) },
  heads: { mlm: false, nsp: false, pooler: false, classifier: true },
  warnings: [],
});

describe('trainedGrid', () => {
  it('from image_size / patch_size, square or [h, w]', () => {
    expect(trainedGrid(info(49, { image_size: 28, patch_size: 4 }))).toEqual([7, 7]);
    expect(trainedGrid(info(12, { image_size: [24, 32], patch_size: 8 }))).toEqual([3, 4]);
  });

  it('falls back to a square of the positions, and refuses what is not one', () => {
    expect(trainedGrid(info(16, {}))).toEqual([4, 4]);
    expect(trainedGrid(info(16, { image_size: 224, patch_size: 16 }))).toEqual([4, 4]);
    expect(() => trainedGrid(info(12, {}))).toThrow(/cannot lay 12 position embeddings/);
  });
});

describe('attention selections', () => {
  // 1 + 2 tokens ([CLS], patch 0, patch 1), two heads.
  const output = {
    attentions: [
      nd3([
        [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6]],
        [[0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.4, 0.4, 0.2]],
      ]),
    ],
  } as unknown as VitOutput;

  it('one head, or the mean of the heads', () => {
    expectClose(attentionMatrix(output, 0, 1).data, [0.1, 0.1, 0.8, 0.3, 0.4, 0.3, 0.4, 0.4, 0.2]);
    expectClose(attentionMatrix(output, 0, 'mean').data, [0.3, 0.2, 0.5, 0.2, 0.5, 0.3, 0.3, 0.3, 0.4]);
    expect(() => attentionMatrix(output, 1, 0)).toThrow(/layer 2 does not exist/);
  });

  it("a token's attention to the patches, without the [CLS] column", () => {
    const m = attentionMatrix(output, 0, 0);
    expectClose(rowToPatches(m, 0), [0.3, 0.2]);
    expectClose(rowToPatches(m, 2), [0.2, 0.6]);
    expectClose(rowToPatches(nd([[1, 2], [3, 4]]), 1), [4]);
  });
});
