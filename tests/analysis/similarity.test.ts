import { describe, expect, it } from 'vitest';
import { cosineSimilarityMatrix, cosineSimilarityToRow } from '../../src/analysis/similarity';
import { keepTokens, tokensExcept } from '../../src/analysis/tokens';
import { gridDistances } from '../../src/analysis/grid';
import { expectClose, nd } from './helpers';

const r = Math.SQRT1_2;

describe('cosineSimilarityMatrix', () => {
  it('matches hand-computed cosines, symmetric with unit diagonal', () => {
    const s = cosineSimilarityMatrix(nd([[1, 0], [0, 2], [3, 3]]));
    expect(s.shape).toEqual([3, 3]);
    expectClose(s.data, [1, 0, r, 0, 1, r, r, r, 1]);
  });

  it('is scale invariant and sign sensitive', () => {
    const s = cosineSimilarityMatrix(nd([[1, 2, 3], [-2, -4, -6], [10, 20, 30]]));
    expectClose(s.data, [1, -1, 1, -1, 1, -1, 1, -1, 1]);
  });

  it('gives 0 (not NaN) for a zero row', () => {
    const s = cosineSimilarityMatrix(nd([[0, 0], [1, 0]]));
    expectClose(s.data, [0, 0, 0, 1]);
  });

  it('one row equals the matching row of the full matrix', () => {
    const a = nd([[0.3, -1, 2], [4, 0.5, -0.2], [1, 1, 1], [-3, 2, 0.7]]);
    const full = cosineSimilarityMatrix(a);
    expectClose(cosineSimilarityToRow(a, 2), full.data.subarray(8, 12));
  });

  it('rejects malformed input', () => {
    expect(() => cosineSimilarityMatrix({ shape: [2, 3], data: new Float32Array(5) })).toThrow(/does not match/);
    expect(() => cosineSimilarityMatrix({ shape: [6], data: new Float32Array(6) })).toThrow(/rank-2/);
    expect(() => cosineSimilarityToRow(nd([[1, 0]]), 1)).toThrow(/out of range/);
  });
});

describe('keepTokens', () => {
  const a = nd([
    [0.5, 0.25, 0.25],
    [0.2, 0.4, 0.4],
    [0.1, 0.6, 0.3],
  ]);

  it('drops [CLS] and renormalises each remaining row', () => {
    const m = keepTokens(a, tokensExcept(3, [0]));
    expect(m.shape).toEqual([2, 2]);
    expectClose(m.data, [0.5, 0.5, 2 / 3, 1 / 3]);
  });

  it('keeps the given order and leaves an all-zero row at zero', () => {
    const m = keepTokens(nd([[1, 0, 0], [0, 0.5, 0.5], [0.2, 0.3, 0.5]]), [2, 1]);
    expectClose(m.data, [0.625, 0.375, 0.5, 0.5]);
    expectClose(keepTokens(nd([[1, 0], [0.5, 0.5]]), [1]).data, [1]);
    expectClose(keepTokens(nd([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), [1, 2]).data, [1, 0, 0, 1]);
    expectClose(keepTokens(nd([[1, 0, 0], [1, 0, 0], [0, 0, 1]]), [1, 2]).data, [0, 0, 0, 1]);
  });

  it('rejects bad indices and non-square input', () => {
    expect(() => keepTokens(a, [0, 3])).toThrow(/out of range/);
    expect(() => keepTokens(nd([[1, 2, 3]]), [0])).toThrow(/square/);
  });
});

describe('gridDistances', () => {
  it('2x2 grid: neighbours at 1, diagonal at sqrt 2', () => {
    const s = Math.SQRT2;
    expectClose(gridDistances([2, 2]), [0, 1, 1, s, 1, 0, s, 1, 1, s, 0, 1, s, 1, 1, 0]);
  });

  it('numbers patches row-major on a non-square grid', () => {
    const d = gridDistances([2, 3]);
    // patch 2 = (0, 2), patch 3 = (1, 0)
    expect(d[2 * 6 + 3]).toBeCloseTo(Math.hypot(1, 2), 12);
    expect(() => gridDistances([0, 3])).toThrow(/invalid patch grid/);
  });
});
