import { describe, expect, it } from 'vitest';
import { meanAttentionDistance, meanAttentionDistanceByLayer } from '../../src/analysis/attentionDistance';
import { expectClose, nd3 } from './helpers';

// Rows/columns: [CLS], then patches 0..3 of a 2x2 grid (0 1 / 2 3). The [CLS] row is ignored.
const cls = [0.2, 0.2, 0.2, 0.2, 0.2];
const self = [cls, [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]];
const uniform = [cls, ...Array.from({ length: 4 }, () => [0, 0.25, 0.25, 0.25, 0.25])];
// Half to [CLS], half to the diagonally opposite patch: after dropping [CLS], all to the opposite one.
const opposite = [cls, [0.5, 0, 0, 0, 0.5], [0.5, 0, 0, 0.5, 0], [0.5, 0, 0.5, 0, 0], [0.5, 0.5, 0, 0, 0]];
// Patch 0 looks only at [CLS] (no distance, left out); 1 → 0, 2 → 3, 3 → 0.
const partly = [cls, [1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 0, 0, 1], [0, 1, 0, 0, 0]];

describe('meanAttentionDistance', () => {
  it('hand-computed heads on a 2x2 grid with 16-pixel patches', () => {
    const d = meanAttentionDistance(nd3([self, uniform, opposite, partly]), [2, 2], 16);
    expectClose(d, [0, ((2 + Math.SQRT2) / 4) * 16, Math.SQRT2 * 16, ((2 + Math.SQRT2) / 3) * 16], 4);
  });

  it('non-square grid: 1x2 patches of 32 pixels looking at each other', () => {
    const swap = [[1, 0, 0], [0, 0, 1], [0, 1, 0]];
    expectClose(meanAttentionDistance(nd3([swap]), [1, 2], 32), [32]);
  });

  it('leaves out both tokens before the patches of a distilled DeiT', () => {
    // [CLS] and the distillation token attend everywhere; each patch half to [CLS], half to the other patch (renormalised: all of it).
    const distilled = [[0.25, 0.25, 0.25, 0.25], [0.25, 0.25, 0.25, 0.25], [0.5, 0, 0, 0.5], [0.5, 0, 0.5, 0]];
    expectClose(meanAttentionDistance(nd3([distilled]), [1, 2], 32, 2), [32]);
    expect(() => meanAttentionDistance(nd3([distilled]), [1, 2], 32)).toThrow(/needs 1 \+ 2/);
  });

  it('per layer', () => {
    const byLayer = meanAttentionDistanceByLayer([nd3([self]), nd3([opposite])], [2, 2], 1);
    expect(byLayer.map((l) => Array.from(l))).toEqual([[0], [expect.closeTo(Math.SQRT2, 6)]]);
  });

  it('rejects a grid that does not match the tokens, and bad patch sizes', () => {
    expect(() => meanAttentionDistance(nd3([self]), [3, 3], 16)).toThrow(/needs 1 \+ 9/);
    expect(() => meanAttentionDistance(nd3([self]), [2, 2], 0)).toThrow(/patch size/);
    expect(() => meanAttentionDistance(nd3([self]), [2, 2.5], 16)).toThrow(/invalid patch grid/);
  });
});
