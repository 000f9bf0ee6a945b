// The analysis functions on real model outputs (the vit-tiny fixture, case 0, as PyTorch computed
// them) against an independent numpy implementation: reference/make_reference.py, whose results
// are stored in reference/vit-tiny-case0.json. Structure uses the training scripts' own
// pos_structure.py; PCA uses numpy's SVD.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meanAttentionDistanceByLayer } from '../../src/analysis/attentionDistance';
import { rowsOf } from '../../src/analysis/ndarray';
import { pca } from '../../src/analysis/pca';
import { positionStructure } from '../../src/analysis/positionStructure';
import { attentionRollout } from '../../src/analysis/rollout';
import { cosineSimilarityToRow } from '../../src/analysis/similarity';
import { parseSafetensors, toFloat32 } from '../../src/models/checkpoint/safetensors';
import type { NdArray } from '../../src/models/types';
import { expectClose } from './helpers';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'models', 'vit-tiny');
interface Reference {
  structure: number;
  rollout_mean_0_cls: number[];
  rollout_max_09_cls: number[];
  rollout_min_05_row5: number[];
  mean_attention_distance: number[][];
  pca_variance: number[];
  pca_ratio: number[];
  pca_projections_pc1: number[];
  cos_patch3: number[];
}
const ref: Reference = JSON.parse(readFileSync(join(import.meta.dirname, 'reference', 'vit-tiny-case0.json'), 'utf8'));

function tensors(file: string): (key: string) => NdArray {
  const { tensors: all } = parseSafetensors(new Uint8Array(readFileSync(join(FIXTURE, file))), file);
  return (key) => {
    const entry = all.get(key);
    if (!entry) throw new Error(`${file} has no ${key}`);
    return { shape: entry.shape, data: toFloat32(entry) };
  };
}

const expected = tensors('expected.safetensors');
const attentions = [0, 1, 2].map((l) => expected(`case0.attentions.${l}`));
const patches = rowsOf(expected('case0.last_hidden_state'), 1, 17);

describe('analysis on vit-tiny outputs vs. numpy', () => {
  it('2-D structure of the position embeddings', () => {
    const pos = tensors('model.safetensors')('vit.embeddings.position_embeddings');
    const embeddings = { shape: [17, 32], data: pos.data };
    expect(positionStructure(rowsOf(embeddings, 1, 17), [4, 4]).mean).toBeCloseTo(ref.structure, 6);
  });

  it('attention rollout for every head fusion, with and without discarding', () => {
    const row = (r: NdArray, i: number) => r.data.subarray(i * 17, (i + 1) * 17);
    expectClose(row(attentionRollout(attentions, { headFusion: 'mean', discardRatio: 0 }), 0), ref.rollout_mean_0_cls, 6);
    expectClose(row(attentionRollout(attentions, { headFusion: 'max', discardRatio: 0.9 }), 0), ref.rollout_max_09_cls, 6);
    expectClose(row(attentionRollout(attentions, { headFusion: 'min', discardRatio: 0.5 }), 5), ref.rollout_min_05_row5, 6);
  });

  it('mean attention distance of every head (4-pixel patches)', () => {
    const distances = meanAttentionDistanceByLayer(attentions, [4, 4], 4);
    distances.forEach((layer, l) => expectClose(layer, ref.mean_attention_distance[l], 5));
  });

  it('PCA of the patch outputs and cosine similarity to one patch', () => {
    const p = pca(patches, 3);
    expectClose(p.explainedVariance, ref.pca_variance, 5);
    expectClose(p.explainedVarianceRatio, ref.pca_ratio, 6);
    expectClose(Array.from({ length: 16 }, (_, i) => p.projections.data[i * 3]), ref.pca_projections_pc1, 4);
    expectClose(cosineSimilarityToRow(patches, 3), ref.cos_patch3, 6);
  });
});
