// Live training: a small ViT learns in the training worker while the page plots its loss, test
// accuracy and position structure, and shows its position-embedding grid as it forms.

import { zipSync } from 'fflate';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { STRUCTURE_TARGET, usePositionLabStore } from '../../../stores';
import { formatNumber } from '../../common/format';
import { Panel } from '../../common/Panel';
import { PositionStructurePanel } from '../PositionEmbeddingGrid';
import { Curve } from './Curve';

/** Saves the checkpoint as live-vit.zip: one folder in Hugging Face layout. */
async function download(save: () => Promise<Record<string, Uint8Array>>): Promise<void> {
  const files = await save();
  const zip = zipSync({ 'live-vit': files });
  const url = URL.createObjectURL(new Blob([zip], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'live-vit.zip';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function LiveTrainingPanel() {
  const { t } = useTranslation();
  const { live, start, pause, save, openInWorkspace } = usePositionLabStore(
    useShallow((s) => ({ live: s.live, start: s.start, pause: s.pause, save: s.save, openInWorkspace: s.openInWorkspace })),
  );
  const busy = live.status === 'running' || live.status === 'starting';
  const canSave = live.step > 0 && !busy && live.status !== 'pausing' && !live.saving;
  const seconds = (ms: number) => formatNumber(ms / 1000, 1);
  const target = formatNumber(STRUCTURE_TARGET, 1);
  return (
    <>
      <Panel
        title={t('positionLab.live.title')}
        exportName="live-training"
        explain={t('positionLab.live.explain', { trainImages: formatNumber(live.train_images || 5000, 0), testImages: formatNumber(live.test_images || 200, 0) })}
        data={() => usePositionLabStore.getState().live}
      >
        <div className="input-row">
          {busy || live.status === 'pausing' ? (
            <button type="button" onClick={pause} disabled={live.status === 'pausing'} data-testid="live-pause">
              {live.status === 'pausing' ? t('positionLab.live.pausing') : t('positionLab.live.pause')}
            </button>
          ) : (
            <button type="button" onClick={start} data-testid="live-start">
              {live.step > 0 ? t('positionLab.live.resume') : t('positionLab.live.start')}
            </button>
          )}
          <button type="button" onClick={() => void download(save)} disabled={!canSave} data-testid="live-download">
            {live.saving ? t('positionLab.live.saving') : t('positionLab.live.download')}
          </button>
          <button type="button" onClick={() => void openInWorkspace()} disabled={!canSave} data-testid="live-open">
            {t('positionLab.live.open')}
          </button>
          <span className="run-state" aria-live="polite" data-testid="live-status" data-status={live.status} data-step={live.step}>
            {live.status === 'starting'
              ? t('positionLab.live.starting')
              : live.backend && t('positionLab.live.status', { step: live.step, seconds: seconds(live.elapsed_ms), backend: live.backend })}
          </span>
        </div>
        {live.error && (
          <p role="alert" className="error-box" data-testid="live-error">
            {live.error}
          </p>
        )}
        {live.losses.length === 0 ? (
          <p className="explain">{t('positionLab.live.noData')}</p>
        ) : (
          <div className="curves">
            <Curve title={t('positionLab.live.loss')} points={live.losses.map((l) => ({ x: l.step, y: l.loss }))} digits={3} testId="live-loss" />
            <Curve title={t('positionLab.live.accuracy')} points={live.evals.map((e) => ({ x: e.step, y: e.accuracy }))} domain={[0, 1]} testId="live-accuracy" />
            <Curve
              title={t('positionLab.live.spearman')}
              points={live.evals.map((e) => ({ x: e.step, y: e.spearman }))}
              domain={[-1, 0.2]}
              reference={STRUCTURE_TARGET}
              digits={3}
              testId="live-spearman"
            />
          </div>
        )}
        {live.evals.length > 0 && (
          <p data-testid="live-structure-time">
            {live.structure_ms === null ? t('positionLab.live.notYet', { target }) : t('positionLab.live.reached', { target, seconds: seconds(live.structure_ms) })}
          </p>
        )}
      </Panel>
      {live.positions && live.grid && (
        <PositionStructurePanel
          positionEmbeddings={live.positions}
          prefix={1}
          grid={live.grid}
          title={t('positionLab.live.gridTitle')}
          exportName="live-position-embeddings"
          keepPrevious
        />
      )}
    </>
  );
}
