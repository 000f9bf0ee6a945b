import { describe, expect, it } from 'vitest';
import { attentionRollout, attentionRolloutByLayer, fuseHeads } from '../../src/analysis/rollout';
import type { NdArray } from '../../src/models/types';
import { expectClose, nd3 } from './helpers';

const identity3 = nd3([[[1, 0, 0], [0, 1, 0], [0, 0, 1]]]);
const twoHeads = nd3([
  [[0.6, 0.4], [0.2, 0.8]],
  [[1, 0], [0, 1]],
]);

describe('fuseHeads', () => {
  it('mean, max and min over heads', () => {
    expectClose(fuseHeads(twoHeads, 'mean'), [0.8, 0.2, 0.1, 0.9]);
    expectClose(fuseHeads(twoHeads, 'max'), [1, 0.4, 0.2, 1]);
    expectClose(fuseHeads(twoHeads, 'min'), [0.6, 0, 0, 0.8]);
  });
});

describe('attentionRollout', () => {
  it('identity attention rolls out to the identity', () => {
    const r = attentionRollout([identity3, identity3, identity3], { headFusion: 'mean', discardRatio: 0 });
    expect(r.shape).toEqual([3, 3]);
    expectClose(r.data, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('uniform attention: (0.5 P + 0.5 I)^L = 0.5^L I + (1 - 0.5^L) P', () => {
    const uniform = nd3([[[0.5, 0.5], [0.5, 0.5]]]);
    const r = attentionRollout([uniform, uniform], { headFusion: 'mean', discardRatio: 0 });
    expectClose(r.data, [0.625, 0.375, 0.375, 0.625]);
  });

  it('one layer per head fusion, with the residual identity and row renormalisation', () => {
    expectClose(attentionRollout([twoHeads], { headFusion: 'mean', discardRatio: 0 }).data, [0.9, 0.1, 0.05, 0.95]);
    expectClose(attentionRollout([twoHeads], { headFusion: 'max', discardRatio: 0 }).data, [5 / 6, 1 / 6, 1 / 11, 10 / 11]);
    expectClose(attentionRollout([twoHeads], { headFusion: 'min', discardRatio: 0 }).data, [1, 0, 0, 1]);
  });

  it('multiplies later layers on the left (R = A2 · A1)', () => {
    const second = nd3([[[0, 1], [0, 1]]]); // Â2 = [[0.5, 0.5], [0, 1]]
    const r = attentionRollout([twoHeads, second], { headFusion: 'mean', discardRatio: 0 });
    // Â2·Â1 with Â1 = [[0.9, 0.1], [0.05, 0.95]]; the other order would give [0.45, 0.55, 0.025, 0.975].
    expectClose(r.data, [0.475, 0.525, 0.05, 0.95]);
  });

  it('per layer: each depth equals the rollout of the layers up to it', () => {
    const second = nd3([[[0, 1], [0, 1]]]);
    const byLayer = attentionRolloutByLayer([twoHeads, second], { headFusion: 'mean', discardRatio: 0 });
    expect(byLayer).toHaveLength(2);
    expectClose(byLayer[0].data, [0.9, 0.1, 0.05, 0.95]);
    expectClose(byLayer[1].data, [0.475, 0.525, 0.05, 0.95]);
  });

  it('discards the lowest fused weights but never [CLS]→[CLS]', () => {
    const a = nd3([[[0.1, 0.9], [0.5, 0.5]]]);
    // ratio 0.25 → the single lowest entry is (0, 0), which is spared: nothing changes.
    expectClose(attentionRollout([a], { headFusion: 'mean', discardRatio: 0.25 }).data, [0.55, 0.45, 0.25, 0.75]);
    // ratio 0.5 → (0, 0) spared, then the tie 0.5/0.5 drops the first one, (1, 0).
    expectClose(attentionRollout([a], { headFusion: 'mean', discardRatio: 0.5 }).data, [0.55, 0.45, 0, 1]);
  });

  it('stays row-stochastic on a random 12-layer, 4-head input', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const layer = (): NdArray => {
      const n = 5;
      const data = new Float32Array(4 * n * n);
      for (let row = 0; row < 4 * n; row++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += data[row * n + j] = rand();
        for (let j = 0; j < n; j++) data[row * n + j] /= sum;
      }
      return { shape: [4, n, n], data };
    };
    const layers = Array.from({ length: 12 }, layer);
    for (const headFusion of ['mean', 'max', 'min'] as const) {
      const r = attentionRollout(layers, { headFusion, discardRatio: 0.9 });
      for (let i = 0; i < 5; i++) {
        const row = r.data.subarray(i * 5, i * 5 + 5);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('rejects bad options and shapes', () => {
    const opts = { headFusion: 'mean', discardRatio: 0 } as const;
    expect(() => attentionRollout([], opts)).toThrow(/no layers/);
    expect(() => attentionRollout([twoHeads], { ...opts, discardRatio: 1 })).toThrow(/discard ratio/);
    expect(() => attentionRollout([twoHeads], { ...opts, discardRatio: Number.NaN })).toThrow(/discard ratio/);
    expect(() => attentionRollout([twoHeads, identity3], opts)).toThrow(/different sequence lengths/);
    expect(() => attentionRollout([{ shape: [2, 2, 3], data: new Float32Array(12) }], opts)).toThrow(/\[heads, n, n\]/);
  });
});
