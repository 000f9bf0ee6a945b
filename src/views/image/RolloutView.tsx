// Attention rollout next to the raw attention of the same layer: raw attention only says where a
// layer looks among its inputs, which after the first layer are already mixtures of patches;
// rollout follows the mixing back through every earlier layer to the input patches.

import { useMemo } from 'react';
import { fuseHeads, type HeadFusion } from '../../analysis/rollout';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { useAnalysis } from '../../stores/analysis';
import { Panel } from '../common/Panel';
import { LayerHeadControls } from './LayerHeadControls';
import { PatchMap } from './PatchMap';
import { layerLabel, rowToPatches } from './vitData';

const FUSIONS: HeadFusion[] = ['mean', 'max', 'min'];

export function RolloutView({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
  const layer = useImageStore((s) => s.layer);
  const patch = useImageStore((s) => s.patch);
  const setPatch = useImageStore((s) => s.setPatch);
  const options = useImageStore((s) => s.rollout);
  const setRollout = useImageStore((s) => s.setRollout);
  const from = patch === null ? 0 : output.prefix_tokens + patch;
  const n = output.attentions[layer].shape[1];

  // Every depth at once, so switching layers costs nothing; the analysis worker computes it, so
  // the slider stays responsive while a large model's rollout runs.
  const args = useMemo(() => ({ attentions: output.attentions, options }), [output, options]);
  const { value: rollouts, input, pending } = useAnalysis('rolloutByLayer', args, ['attentions']);
  const current = input?.attentions === output.attentions ? rollouts : null;
  // The settings of the maps on screen: the previous ones while a new rollout is on its way.
  const shownOptions = input?.options ?? options;
  const raw = useMemo(
    () => ({ shape: [n, n], data: Float32Array.from(fuseHeads(output.attentions[layer], shownOptions.headFusion)) }),
    [output, layer, n, shownOptions.headFusion],
  );
  const prefix = output.prefix_tokens;
  const rolloutRow = useMemo(() => (current ? rowToPatches(current[layer], from, prefix) : null), [current, layer, from, prefix]);
  const rawRow = useMemo(() => rowToPatches(raw, from, prefix), [raw, from, prefix]);
  const who = patch === null ? '[CLS]' : `patch ${patch}`;

  return (
    <Panel
      title="Attention rollout"
      exportName="vit-rollout"
      explain={`Rollout (Abnar & Zuidema, 2020) multiplies the attention of layers 1 to ${layer + 1}, each averaged with the identity for the residual connection, to estimate how much ${who} draws from each input patch. Heads are fused by mean, max or min; the discard ratio zeroes that share of the weakest attention weights in every layer (never [CLS]→[CLS]) to reduce noise.`}
      controls={
        <>
          <LayerHeadControls layers={output.attentions.length} heads={0} withHead={false} />
          <label>
            Head fusion{' '}
            <select value={options.headFusion} onChange={(e) => setRollout({ headFusion: e.target.value as HeadFusion })} data-testid="fusion-select">
              {FUSIONS.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
          </label>
          <label>
            Discard ratio{' '}
            <input
              type="range"
              min={0}
              max={0.95}
              step={0.05}
              value={options.discardRatio}
              onChange={(e) => setRollout({ discardRatio: Number(e.target.value) })}
              data-testid="discard-ratio"
            />{' '}
            <output>{options.discardRatio.toFixed(2)}</output>
          </label>
        </>
      }
      data={() => ({ layer, from: who, options: shownOptions, grid: output.grid, raw: rawRow, rollout: rolloutRow })}
    >
      <div className="map-pair" aria-busy={pending}>
        <figure>
          <PatchMap values={rawRow} grid={output.grid} underlay={pixels} ariaLabel={`Raw attention of ${who}, ${layerLabel(layer)}`} selectedPatch={patch} onPatchClick={setPatch} />
          <figcaption>
            raw attention · {layerLabel(layer)}, heads fused by {shownOptions.headFusion}
          </figcaption>
        </figure>
        <figure data-testid="rollout-map">
          {rolloutRow ? (
            <PatchMap values={rolloutRow} grid={output.grid} underlay={pixels} ariaLabel={`Attention rollout of ${who} up to ${layerLabel(layer)}`} selectedPatch={patch} onPatchClick={setPatch} />
          ) : (
            <p className="placeholder">Computing the rollout…</p>
          )}
          <figcaption>rollout · layers 1–{layer + 1}</figcaption>
        </figure>
      </div>
    </Panel>
  );
}
