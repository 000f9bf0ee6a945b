import { describe, expect, it } from 'vitest';
import { pca, pcaToRgb, symmetricEigen } from '../../src/analysis/pca';
import { expectClose, nd } from './helpers';

describe('symmetricEigen', () => {
  it('2x2 [[2, 1], [1, 2]] → 3, 1 with (1, 1)/√2 first', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expectClose(values, [3, 1], 12);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0] * vectors[2]).toBeCloseTo(0.5, 12);
  });
});

describe('pca', () => {
  // Points t·u + c on a line in 3-D, u = (1, 2, 2)/3, t = -2..2: all variance along u.
  const t = [-2, -1, 0, 1, 2];
  const line = (u: number[]) => nd(t.map((ti) => u.map((ui, k) => ti * ui + [5, -1, 3][k])));

  it('finds the direction of points on a line, its variance and coordinates', () => {
    const p = pca(line([1 / 3, 2 / 3, 2 / 3]), 1);
    expect(p.components.shape).toEqual([1, 3]);
    expectClose(p.components.data, [1 / 3, 2 / 3, 2 / 3]);
    expectClose(p.explainedVariance, [2.5], 6); // Σt² / (n − 1) = 10 / 4; inputs are float32
    expectClose(p.explainedVarianceRatio, [1], 9);
    expectClose(p.projections.data, t, 5);
  });

  it('fixes the sign: the largest loading is positive', () => {
    const p = pca(line([-1 / 3, -2 / 3, -2 / 3]), 1);
    expectClose(p.components.data, [1 / 3, 2 / 3, 2 / 3]);
    expectClose(p.projections.data, t.map((x) => -x), 5);
  });

  it('extra components of rank-deficient data have zero variance', () => {
    const p = pca(line([1 / 3, 2 / 3, 2 / 3]), 3);
    expectClose(p.explainedVariance, [2.5, 0, 0], 6);
    const c = p.components.data;
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]]) {
      expect(c[i * 3] * c[j * 3] + c[i * 3 + 1] * c[j * 3 + 1] + c[i * 3 + 2] * c[j * 3 + 2]).toBeCloseTo(0, 6);
    }
  });

  it('a cross of points: axes in order of spread', () => {
    const p = pca(nd([[2, 0], [-2, 0], [0, 1], [0, -1]]), 2);
    expectClose(p.explainedVariance, [8 / 3, 2 / 3], 9);
    expectClose(p.components.data, [1, 0, 0, 1], 6);
    expectClose(p.explainedVarianceRatio, [0.8, 0.2], 9);
  });

  it('agrees with an eigen-decomposition of the explicit covariance on random data', () => {
    let seed = 11;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const n = 40;
    const d = 8;
    const rows = Array.from({ length: n }, () => Array.from({ length: d }, (_, k) => rand() * (k + 1)));
    const p = pca(nd(rows), 3);
    const x = nd(rows).data;
    const mean = Array.from({ length: d }, (_, k) => rows.reduce((s, r) => s + r[k], 0) / n);
    const cov = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) cov[a * d + b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / (n - 1);
      }
    }
    const ref = symmetricEigen(cov, d);
    expectClose(p.explainedVariance, ref.values.slice(0, 3), 6);
    for (let j = 0; j < 3; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += p.components.data[j * d + k] * ref.vectors[k * d + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 6);
    }
  });

  it('rejects bad input', () => {
    expect(() => pca(nd([[1, 2]]), 1)).toThrow(/at least 2 rows/);
    expect(() => pca(nd([[1, 2], [3, 4]]), 3)).toThrow(/k must be/);
    expect(() => pca(nd([[1, Number.NaN], [3, 4]]), 1)).toThrow(/NaN/);
  });
});

describe('pcaToRgb', () => {
  it('min-max scales each component to a channel; constant → 0.5', () => {
    const rgb = pcaToRgb(nd([[0, 1, 5], [1, 1, 10], [2, 1, 15]]));
    expectClose(rgb, [0, 0.5, 0, 0.5, 0.5, 0.5, 1, 0.5, 1]);
    expect(() => pcaToRgb(nd([[1, 2]]))).toThrow(/3 components/);
  });
});

describe('pca with fewer rows than features (Gram side)', () => {
  it('two points in 4-D: one direction, the rest completed with zero variance', () => {
    const p = pca(nd([[1, 0, 3, 0], [-1, 0, 3, 0]]), 3);
    expectClose(p.explainedVariance, [2, 0, 0], 9); // (1² + 1²) / (2 − 1)
    expectClose(p.components.data.subarray(0, 4), [1, 0, 0, 0]);
    expectClose(p.projections.data, [1, 0, 0, -1, 0, 0], 6);
    const c = p.components.data;
    for (let j = 0; j < 3; j++) expect(Math.hypot(...c.subarray(j * 4, j * 4 + 4))).toBeCloseTo(1, 6);
  });

  it('agrees with an eigen-decomposition of the explicit 10x10 covariance of 6 rows', () => {
    let seed = 5;
    const rand = () => Math.fround(((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5);
    const rows = Array.from({ length: 6 }, () => Array.from({ length: 10 }, (_, k) => Math.fround(rand() * (10 - k))));
    const p = pca(nd(rows), 3);
    const mean = rows[0].map((_, k) => rows.reduce((s, r) => s + r[k], 0) / 6);
    const cov = new Float64Array(100);
    for (let a = 0; a < 10; a++) {
      for (let b = 0; b < 10; b++) cov[a * 10 + b] = rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / 5;
    }
    const ref = symmetricEigen(cov, 10);
    expectClose(p.explainedVariance, ref.values.slice(0, 3), 9);
    const trace = ref.values.reduce((a, b) => a + b, 0);
    expect(p.explainedVarianceRatio[0]).toBeCloseTo(ref.values[0] / trace, 9);
    for (let j = 0; j < 3; j++) {
      let dot = 0;
      for (let k = 0; k < 10; k++) dot += p.components.data[j * 10 + k] * ref.vectors[k * 10 + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 5);
    }
  });
});
