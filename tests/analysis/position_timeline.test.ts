// The position-structure lab's timeline: the numbers the view shows are computed from the F16
// position embeddings of position_timeline.safetensors (read as the store reads them) and must
// equal those the training script recorded in position_timeline.json.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/analysis/ndarray';
import { positionStructure } from '../../src/analysis/positionStructure';
import { parseTimelineIndex, timelinePositions } from '../../src/stores/positionLabStore';

const base = 'public/models/mini-vit/position_timeline';
const { grid, frames } = parseTimelineIndex(JSON.parse(readFileSync(`${base}.json`, 'utf8')));
const positions = timelinePositions(new Uint8Array(readFileSync(`${base}.safetensors`)), frames.length, grid);

describe('position-embedding timeline', () => {
  it('has one [CLS + 7x7, 192] frame per index entry, in training order', () => {
    expect(grid).toEqual([7, 7]);
    expect(frames.length).toBe(23);
    expect(positions.map((p) => p.shape)).toEqual(frames.map(() => [50, 192]));
    expect(frames.every((f, i) => i === 0 || f.step > frames[i - 1].step)).toBe(true);
  });

  it('gives, per frame, the Spearman ρ the JSON index records (4 decimals)', () => {
    const computed = positions.map((p) => positionStructure(rowsOf(p, 1, 50), grid).mean);
    computed.forEach((rho, i) => expect(Math.abs(rho - frames[i].spearman), `frame ${i} (step ${frames[i].step})`).toBeLessThanOrEqual(5e-5 + 1e-6));
    // From noise to 2-D structure.
    expect(computed[0]).toBeGreaterThan(-0.05);
    expect(computed[computed.length - 1]).toBeLessThan(-0.3);
  });

  it('rejects an index or a tensor that does not fit', () => {
    expect(() => parseTimelineIndex({ grid: [7, 7], frames: [{ step: 0 }] })).toThrow(/frame 0 has no number "images"/);
    expect(() => parseTimelineIndex({ frames: [] })).toThrow(/grid/);
    expect(() => timelinePositions(new Uint8Array(readFileSync(`${base}.safetensors`)), 22, grid)).toThrow(/\[22, 50, hidden\]/);
  });
});
