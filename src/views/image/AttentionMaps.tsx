// Where one token looks: the [CLS] token's attention over the patches (and a distilled DeiT's
// distillation token's), and the attention of the patch the user clicked, for the chosen layer and head.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { Panel } from '../common/Panel';
import { LayerHeadControls } from './LayerHeadControls';
import { PatchMap } from './PatchMap';
import { attentionMatrix, headLabel, layerLabel, rowToPatches } from './vitData';

export function AttentionMaps({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
  const { t } = useTranslation();
  const layer = useImageStore((s) => s.layer);
  const head = useImageStore((s) => s.head);
  const patch = useImageStore((s) => s.patch);
  const setPatch = useImageStore((s) => s.setPatch);
  const prefix = output.prefix_tokens;
  const matrix = useMemo(() => attentionMatrix(output, layer, head), [output, layer, head]);
  const fromCls = useMemo(() => rowToPatches(matrix, 0, prefix), [matrix, prefix]);
  const fromDistillation = useMemo(() => (prefix > 1 ? rowToPatches(matrix, 1, prefix) : null), [matrix, prefix]);
  const fromPatch = useMemo(() => (patch === null ? null : rowToPatches(matrix, prefix + patch, prefix)), [matrix, patch, prefix]);
  const where = `${layerLabel(layer)}, ${headLabel(head)}`;

  return (
    <Panel
      title={t('image.maps.title')}
      exportName="vit-attention"
      explain={t('image.maps.explain')}
      controls={<LayerHeadControls layers={output.attentions.length} heads={output.attentions[0].shape[0]} />}
      data={() => ({ layer, head, patch, grid: output.grid, cls_to_patches: fromCls, distillation_to_patches: fromDistillation, patch_to_patches: fromPatch })}
    >
      <div className="map-pair">
        <figure>
          <PatchMap
            values={fromCls}
            grid={output.grid}
            underlay={pixels}
            ariaLabel={t('image.maps.clsAria', { where })}
            selectedPatch={patch}
            onPatchClick={setPatch}
          />
          <figcaption>{t('image.maps.clsCaption', { where })}</figcaption>
        </figure>
        {fromDistillation && (
          <figure data-testid="distillation-attention">
            <PatchMap
              values={fromDistillation}
              grid={output.grid}
              underlay={pixels}
              ariaLabel={t('image.distillation.mapLabel', { where })}
              selectedPatch={patch}
              onPatchClick={setPatch}
            />
            <figcaption>{t('image.distillation.map', { where })}</figcaption>
          </figure>
        )}
        <figure data-testid="patch-attention">
          {fromPatch ? (
            <PatchMap
              values={fromPatch}
              grid={output.grid}
              underlay={pixels}
              ariaLabel={t('image.maps.patchAria', { patch, where })}
              selectedPatch={patch}
              onPatchClick={setPatch}
            />
          ) : (
            <p className="placeholder">{t('image.maps.pickPatch')}</p>
          )}
          <figcaption>{patch === null ? t('image.maps.noPatch') : t('image.maps.patchCaption', { patch, where })}</figcaption>
        </figure>
      </div>
    </Panel>
  );
}
