// The analyses that can take a noticeable time on a large model, by name, so that the analysis
// worker can run them off the page's thread: each takes plain arrays and returns plain arrays.
// Measured on the main thread before they moved: rollout of 12 layers at 512 tokens ~2 s, PCA of
// 196 patch outputs of width 768 up to ~0.9 s, a 512x512 position similarity ~0.3 s.

import type { NdArray } from '../models/types';
import { meanAttentionDistanceByLayer } from './attentionDistance';
import { pca, pcaToRgb } from './pca';
import { positionStructure, type PositionStructure } from './positionStructure';
import { attentionRolloutByLayer, type RolloutOptions } from './rollout';
import { cosineSimilarityMatrix } from './similarity';

export const ANALYSES = {
  /** Rollout after every layer (entry l covers layers 1..l+1). */
  rolloutByLayer: (a: { attentions: NdArray[]; options: RolloutOptions }): NdArray[] => attentionRolloutByLayer(a.attentions, a.options),
  /** Rollout over all layers. */
  rollout: (a: { attentions: NdArray[]; options: RolloutOptions }): NdArray => {
    const byLayer = attentionRolloutByLayer(a.attentions, a.options);
    return byLayer[byLayer.length - 1];
  },
  /** The three main directions of variation of a set of vectors, and each vector as an RGB colour. */
  pcaRgb: (a: { vectors: NdArray }) => {
    const result = pca(a.vectors, 3);
    return { ...result, rgb: pcaToRgb(result.projections) };
  },
  cosineSimilarity: (a: { vectors: NdArray }): NdArray => cosineSimilarityMatrix(a.vectors),
  positionStructure: (a: { positions: NdArray; grid: [number, number] }): PositionStructure => positionStructure(a.positions, a.grid),
  /** [layer][head] mean attention distance in pixels. */
  attentionDistance: (a: { attentions: NdArray[]; grid: [number, number]; patchSize: number; prefix: number }): number[][] =>
    meanAttentionDistanceByLayer(a.attentions, a.grid, a.patchSize, a.prefix).map((l) => Array.from(l)),
};

export type AnalysisName = keyof typeof ANALYSES;
export type AnalysisArgs<K extends AnalysisName> = Parameters<(typeof ANALYSES)[K]>[0];
export type AnalysisResult<K extends AnalysisName> = ReturnType<(typeof ANALYSES)[K]>;
