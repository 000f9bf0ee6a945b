// Every head of one layer side by side: heads of the same layer specialise, some looking at the
// neighbourhood, some across the whole image.

import { useMemo } from 'react';
import { headOf } from '../../analysis/ndarray';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { Panel } from '../common/Panel';
import { LayerHeadControls } from './LayerHeadControls';
import { PatchMap } from './PatchMap';
import { layerLabel, rowToPatches } from './vitData';

export function HeadGrid({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
  const layer = useImageStore((s) => s.layer);
  const head = useImageStore((s) => s.head);
  const patch = useImageStore((s) => s.patch);
  const setHead = useImageStore((s) => s.setHead);
  const attention = output.attentions[layer];
  const prefix = output.prefix_tokens;
  const from = patch === null ? 0 : prefix + patch;
  const maps = useMemo(
    () => Array.from({ length: attention.shape[0] }, (_, h) => rowToPatches(headOf(attention, h), from, prefix)),
    [attention, from, prefix],
  );
  const who = patch === null ? '[CLS]' : `patch ${patch}`;

  return (
    <Panel
      title="All heads of a layer"
      exportName="vit-heads"
      explain={`Where ${who} attends in each head of ${layerLabel(layer)}, each map on its own colour range. Heads of one layer learn different patterns: some stay local like a convolution, others gather from the whole image. Choose a head to show it above.`}
      controls={<LayerHeadControls layers={output.attentions.length} heads={attention.shape[0]} withHead={false} />}
      data={() => ({ layer, from: who, grid: output.grid, heads: maps })}
    >
      <ul className="head-grid" data-testid="head-grid">
        {maps.map((values, h) => (
          <li key={h}>
            <PatchMap values={values} grid={output.grid} underlay={pixels} ariaLabel={`${who} attention, ${layerLabel(layer)} head ${h + 1}`} legend={false} />
            <button type="button" aria-pressed={head === h} onClick={() => setHead(h)}>
              head {h + 1}
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
