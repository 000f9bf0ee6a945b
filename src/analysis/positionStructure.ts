// How two-dimensional are learned position embeddings? ViT is given its patches as a flat
// sequence with no notion of rows and columns; if training nevertheless makes nearby patches
// get similar position embeddings, similarity falls with distance on the grid. We measure this
// per position as the Spearman rank correlation between "cosine similarity to every other
// position" and "grid distance to it", and average over positions. −1 means similarity falls
// strictly with distance everywhere (perfect 2-D structure), 0 means no relation.

import type { NdArray } from '../models/types';
import { gridDistances, gridSize } from './grid';
import { assertRank } from './ndarray';
import { cosineSimilarityMatrix } from './similarity';

/** Ranks 1..n of `values`, tied values sharing the mean of their ranks. */
export function ranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j]);
  const out = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const mean = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) out[order[i]] = mean;
    start = end;
  }
  return out;
}

/** Pearson correlation; NaN when either input is constant (the correlation is undefined). */
function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new Error(`pearson: lengths differ (${n} vs ${y.length})`);
  if (n < 2) throw new Error(`pearson: need at least 2 values, got ${n}`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman rank correlation (Pearson of the ranks, ties averaged); NaN when either input is constant. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`spearman: lengths differ (${x.length} vs ${y.length})`);
  for (const v of [...Array.from(x), ...Array.from(y)]) {
    if (Number.isNaN(v)) throw new Error('spearman: input contains NaN');
  }
  return pearson(ranks(x), ranks(y));
}

export interface PositionStructure {
  /** Mean over positions of the per-position Spearman correlation (−1 = perfectly 2-D). */
  mean: number;
  /** [N] Spearman correlation of each position's similarities with its grid distances. */
  perPosition: Float32Array;
  /** [N, N] cosine similarities between the position embeddings. */
  similarity: NdArray;
}

/**
 * 2-D structure of patch position embeddings.
 * @param positions [N, hidden] position embeddings of the patches only (ViT: drop row 0, [CLS])
 * @param grid      the [rows, cols] grid they were trained for, rows·cols = N ≥ 3
 */
export function positionStructure(positions: NdArray, grid: [number, number]): PositionStructure {
  const [n] = assertRank(positions, 2, 'positionStructure');
  if (gridSize(grid) !== n) {
    throw new Error(`positionStructure: ${n} embeddings do not fill a [${grid.join(', ')}] grid`);
  }
  if (n < 3) throw new Error('positionStructure: need at least 3 positions');
  const similarity = cosineSimilarityMatrix(positions);
  const distance = gridDistances(grid);
  const perPosition = new Float32Array(n);
  let sum = 0;
  for (let p = 0; p < n; p++) {
    const others = Array.from({ length: n }, (_, q) => q).filter((q) => q !== p);
    const rho = spearman(
      others.map((q) => similarity.data[p * n + q]),
      others.map((q) => distance[p * n + q]),
    );
    perPosition[p] = rho;
    sum += rho;
  }
  return { mean: sum / n, perPosition, similarity };
}
