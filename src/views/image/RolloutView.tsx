// Attention rollout next to the raw attention of the same layer: raw attention only says where a
// layer looks among its inputs, which after the first layer are already mixtures of patches;
// rollout follows the mixing back through every earlier layer to the input patches.

import { useDeferredValue, useMemo } from 'react';
import { attentionRolloutByLayer, fuseHeads, type HeadFusion } from '../../analysis/rollout';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
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
  // Rollout of a large model takes a moment; the slider stays responsive meanwhile.
  const deferred = useDeferredValue(options);
  const from = patch === null ? 0 : 1 + patch;
  const n = output.attentions[layer].shape[1];

  // Every depth at once, so switching layers costs nothing.
  const rollouts = useMemo(() => attentionRolloutByLayer(output.attentions, deferred), [output, deferred]);
  const rollout = rollouts[layer];
  const raw = useMemo(
    () => ({ shape: [n, n], data: Float32Array.from(fuseHeads(output.attentions[layer], deferred.headFusion)) }),
    [output, layer, n, deferred.headFusion],
  );
  const rolloutRow = useMemo(() => rowToPatches(rollout, from), [rollout, from]);
  const rawRow = useMemo(() => rowToPatches(raw, from), [raw, from]);
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
      data={() => ({ layer, from: who, options: deferred, grid: output.grid, raw: rawRow, rollout: rolloutRow })}
    >
      <div className="map-pair" aria-busy={deferred !== options}>
        <figure>
          <PatchMap values={rawRow} grid={output.grid} underlay={pixels} ariaLabel={`Raw attention of ${who}, ${layerLabel(layer)}`} selectedPatch={patch} onPatchClick={setPatch} />
          <figcaption>
            raw attention · {layerLabel(layer)}, heads fused by {deferred.headFusion}
          </figcaption>
        </figure>
        <figure data-testid="rollout-map">
          <PatchMap values={rolloutRow} grid={output.grid} underlay={pixels} ariaLabel={`Attention rollout of ${who} up to ${layerLabel(layer)}`} selectedPatch={patch} onPatchClick={setPatch} />
          <figcaption>rollout · layers 1–{layer + 1}</figcaption>
        </figure>
      </div>
    </Panel>
  );
}
