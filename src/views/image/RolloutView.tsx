// Attention rollout next to the raw attention of the same layer: raw attention only says where a
// layer looks among its inputs, which after the first layer are already mixtures of patches;
// rollout follows the mixing back through every earlier layer to the input patches.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { fuseHeads, type HeadFusion } from '../../analysis/rollout';
import type { FullVitOutput } from '../../models/types';
import { useImageStore } from '../../stores';
import { useAnalysis } from '../../stores/analysis';
import { formatNumber } from '../common/format';
import { Panel } from '../common/Panel';
import { LayerHeadControls } from './LayerHeadControls';
import { PatchMap } from './PatchMap';
import { rowToPatches, whoLabel } from './vitData';

const FUSIONS: HeadFusion[] = ['mean', 'max', 'min'];

export function RolloutView({ output, pixels }: { output: FullVitOutput; pixels: ImageData }) {
  const { t } = useTranslation();
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
  const who = whoLabel(patch);

  return (
    <Panel
      title={t('image.rollout.title')}
      exportName="vit-rollout"
      explain={t('image.rollout.explain', { layer: layer + 1, who })}
      controls={
        <>
          <LayerHeadControls layers={output.attentions.length} heads={0} withHead={false} />
          <label>
            {t('image.rollout.fusion')}{' '}
            <select value={options.headFusion} onChange={(e) => setRollout({ headFusion: e.target.value as HeadFusion })} data-testid="fusion-select">
              {FUSIONS.map((f) => (
                <option key={f} value={f}>
                  {t(`image.rollout.fusions.${f}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('image.rollout.discard')}{' '}
            <input
              type="range"
              min={0}
              max={0.95}
              step={0.05}
              value={options.discardRatio}
              onChange={(e) => setRollout({ discardRatio: Number(e.target.value) })}
              data-testid="discard-ratio"
            />{' '}
            <output>{formatNumber(options.discardRatio, 2)}</output>
          </label>
        </>
      }
      data={() => ({ layer, from: patch === null ? '[CLS]' : patch, options: shownOptions, grid: output.grid, raw: rawRow, rollout: rolloutRow })}
    >
      <div className="map-pair" aria-busy={pending}>
        <figure>
          <PatchMap values={rawRow} grid={output.grid} underlay={pixels} ariaLabel={t('image.rollout.rawAria', { who, layer: layer + 1 })} selectedPatch={patch} onPatchClick={setPatch} />
          <figcaption>
            {t('image.rollout.rawCaption', { layer: layer + 1, fusion: t(`image.rollout.fusions.${shownOptions.headFusion}`) })}
          </figcaption>
        </figure>
        <figure data-testid="rollout-map">
          {rolloutRow ? (
            <PatchMap values={rolloutRow} grid={output.grid} underlay={pixels} ariaLabel={t('image.rollout.rolloutAria', { who, layer: layer + 1 })} selectedPatch={patch} onPatchClick={setPatch} />
          ) : (
            <p className="placeholder">{t('image.rollout.computing')}</p>
          )}
          <figcaption>{t('image.rollout.rolloutCaption', { layer: layer + 1 })}</figcaption>
        </figure>
      </div>
    </Panel>
  );
}
