import { describe, expect, it } from 'vitest';
import { positionStructure, ranks, spearman } from '../../src/analysis/positionStructure';
import { gridDistances } from '../../src/analysis/grid';
import type { NdArray } from '../../src/models/types';
import { expectClose } from './helpers';

describe('spearman', () => {
  it('monotone, antitone, tied and constant data', () => {
    const x = [1, 2, 3, 4, 5];
    expect(spearman(x, x.map((v) => v ** 3))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => Math.exp(-v)))).toBeCloseTo(-1, 12);
    expectClose(ranks([10, 20, 20, 30]), [1, 2.5, 2.5, 4], 12);
    // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): 4.5 / √(4.5 · 5)
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(spearman([3, 3, 3], [1, 2, 3])).toBeNaN();
  });

  it('rejects mismatched lengths and NaN', () => {
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow(/lengths differ/);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow(/NaN/);
  });
});

/** Unit vectors whose pairwise cosines are exp(−distance²): Cholesky factor of that Gram matrix. */
function gaussianEmbeddings(grid: [number, number]): NdArray {
  const n = grid[0] * grid[1];
  const dist = gridDistances(grid);
  const k = Array.from(dist, (d) => Math.exp(-d * d));
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = k[i * n + j];
      for (let m = 0; m < j; m++) s -= l[i * n + m] * l[j * n + m];
      l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j];
    }
  }
  return { shape: [n, n], data: Float32Array.from(l) };
}

describe('positionStructure', () => {
  it('similarity falling with grid distance scores −1 where distances are all distinct', () => {
    // On a 1x4 row, the end positions see distances 1, 2, 3 (no ties): exactly −1.
    const row = positionStructure(gaussianEmbeddings([1, 4]), [1, 4]);
    expect(row.perPosition[0]).toBeCloseTo(-1, 12);
    expect(row.perPosition[3]).toBeCloseTo(-1, 12);
    // Position 1 has two neighbours at distance 1: distance ranks (1.5, 1.5, 3) tie, the float32
    // similarities do not (their order is arbitrary), ranks (2, 3, 1) or (3, 2, 1): −1.5/√3.
    expect(row.perPosition[1]).toBeCloseTo(-Math.sqrt(3) / 2, 6);
  });

  it('a 3x3 grid with similarity exp(−distance²)', () => {
    const s = positionStructure(gaussianEmbeddings([3, 3]), [3, 3]);
    expect(s.similarity.shape).toEqual([9, 9]);
    expect(s.similarity.data[0 * 9 + 1]).toBeCloseTo(Math.exp(-1), 5);
    expect(s.similarity.data[0 * 9 + 8]).toBeCloseTo(Math.exp(-8), 5);
    expect(s.mean).toBeLessThan(-0.95);
  });

  it('shuffling the positions destroys the structure', () => {
    const e = gaussianEmbeddings([3, 4]);
    const perm = [7, 2, 10, 0, 5, 11, 3, 8, 1, 9, 4, 6];
    const shuffled = new Float32Array(e.data.length);
    perm.forEach((src, dst) => shuffled.set(e.data.subarray(src * 12, src * 12 + 12), dst * 12));
    expect(positionStructure(e, [3, 4]).mean).toBeLessThan(-0.95);
    expect(positionStructure({ shape: [12, 12], data: shuffled }, [3, 4]).mean).toBeGreaterThan(-0.5);
  });

  it('rejects a grid of the wrong size', () => {
    expect(() => positionStructure(gaussianEmbeddings([3, 3]), [2, 4])).toThrow(/do not fill/);
  });
});
