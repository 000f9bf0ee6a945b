// Every head of one layer side by side: heads of the same layer specialise, some looking at the
// neighbourhood, some across the whole image.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { headOf } from '../../analysis/ndarray';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { Panel } from '../common/Panel';
import { LayerHeadControls } from './LayerHeadControls';
import { PatchMap } from './PatchMap';
import { headLabel, rowToPatches, whoLabel } from './vitData';

export function HeadGrid({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
  const { t } = useTranslation();
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
  const who = whoLabel(patch);

  return (
    <Panel
      title={t('image.heads.title')}
      exportName="vit-heads"
      explain={t('image.heads.explain', { who, layer: layer + 1 })}
      controls={<LayerHeadControls layers={output.attentions.length} heads={attention.shape[0]} withHead={false} />}
      data={() => ({ layer, from: patch === null ? '[CLS]' : patch, grid: output.grid, heads: maps })}
    >
      <ul className="head-grid" data-testid="head-grid">
        {maps.map((values, h) => (
          <li key={h}>
            <PatchMap values={values} grid={output.grid} underlay={pixels} ariaLabel={t('image.heads.aria', { who, layer: layer + 1, head: h + 1 })} legend={false} />
            <button type="button" aria-pressed={head === h} onClick={() => setHead(h)}>
              {headLabel(h)}
            </button>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
