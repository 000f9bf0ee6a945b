// Patch shuffle: the samples cut into squares and put back in a seeded random order. Accuracy of the
// ViT, of the ViT without position embeddings (a bag of patches) and of the CNN, before and after.

import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useBiasLabStore } from '../../../stores';
import type { ImagePreprocessing } from '../../../models/types';
import { Panel } from '../../common/Panel';
import { formatPercent } from '../../common/format';
import { MODEL_COLOURS } from './colours';
import { PixelsCanvas } from './PixelsCanvas';

const ROWS = ['vit', 'vit_no_positions', 'cnn'] as const;

export function ShufflePanel({ preprocessing, imageSide, patchSize }: { preprocessing: ImagePreprocessing; imageSide: number; patchSize: number }) {
  const { t } = useTranslation();
  const s = useBiasLabStore(
    useShallow((s) => ({ shuffle: s.shuffle, error: s.errors.shuffle, seed: s.seed, patch: s.shufflePatch, setSeed: s.setSeed, setPatch: s.setShufflePatch })),
  );
  // Square sides that tile the image and are no finer than the ViT's patches.
  const sides = Array.from({ length: imageSide - 1 }, (_, i) => i + 1).filter((d) => imageSide % d === 0 && d >= patchSize);
  return (
    <Panel
      title={t('biasLab.shuffle.title')}
      exportName="bias-patch-shuffle"
      explain={t('biasLab.shuffle.explain')}
      data={() => {
        const r = useBiasLabStore.getState().shuffle;
        return r && { seed: r.seed, patch: r.patch, count: r.count, accuracy: r.accuracy };
      }}
      controls={
        <>
          <label>
            {t('biasLab.shuffle.seed')}{' '}
            <input type="number" min={0} value={s.seed} onChange={(e) => s.setSeed(Number(e.target.value))} data-testid="bias-shuffle-seed" />
          </label>
          <label>
            {t('biasLab.shuffle.patch')}{' '}
            <select value={s.patch ?? patchSize} onChange={(e) => s.setPatch(Number(e.target.value))} data-testid="bias-shuffle-patch">
              {sides.map((d) => (
                <option key={d} value={d}>
                  {d}×{d}
                </option>
              ))}
            </select>
          </label>
        </>
      }
    >
      {s.error && (
        <p role="alert" className="error-box">
          {s.error}
        </p>
      )}
      {s.shuffle && (
        <div className="lab-images">
          <PixelsCanvas pixels={s.shuffle.example} preprocessing={preprocessing} label={t('biasLab.shuffle.example')} />
          <table className="numbers" data-testid="bias-shuffle">
            <thead>
              <tr>
                <th />
                <th>{t('biasLab.shuffle.original')}</th>
                <th>{t('biasLab.shuffle.shuffled')}</th>
              </tr>
            </thead>
            <tbody>
              {ROWS.map((row) => (
                <tr key={row} data-row={row} data-original={s.shuffle!.accuracy[row].original} data-shuffled={s.shuffle!.accuracy[row].shuffled}>
                  <th style={{ color: MODEL_COLOURS[row] }}>{t(`biasLab.models.${row}`)}</th>
                  <td>{formatPercent(s.shuffle!.accuracy[row].original)}</td>
                  <td>{formatPercent(s.shuffle!.accuracy[row].shuffled)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">{t('biasLab.shuffle.count', { count: s.shuffle.count, patch: s.shuffle.patch })}</p>
        </div>
      )}
    </Panel>
  );
}
