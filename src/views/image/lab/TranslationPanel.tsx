// Translation: the current image shifted by −k..k pixels (zero-filled or cyclic), what each model
// then says, and the same averaged over the bundled samples.

import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { fillValue, shiftImage, type ShiftMode } from '../../../analysis/imageTransforms';
import { LAB_MODELS, SHIFT_MODES, useBiasLabStore, type CurrentResult, type ShiftAxis } from '../../../stores';
import type { ImagePreprocessing } from '../../../models/types';
import { Panel } from '../../common/Panel';
import { formatPercent } from '../../common/format';
import { PixelsCanvas } from './PixelsCanvas';
import { ShiftCurves } from './ShiftCurves';

function ShiftPreview({ current, preprocessing }: { current: CurrentResult; preprocessing: ImagePreprocessing }) {
  const { t } = useTranslation();
  const axis = useBiasLabStore((s) => s.axis);
  const k = current.shifts[current.shifts.length - 1];
  const [shift, setShift] = useState(Math.min(3, k));
  const [mode, setMode] = useState<ShiftMode>('zero');
  const shown = Math.max(-k, Math.min(k, shift));
  const x = current.inputs.vit;
  const shifted = useMemo(
    () => shiftImage(x, axis === 'x' ? shown : 0, axis === 'y' ? shown : 0, mode, fillValue(preprocessing, 0, x.shape[0])),
    [x, axis, shown, mode, preprocessing],
  );
  const at = current.shifts.indexOf(shown);
  return (
    <div className="shift-preview">
      <label>
        {t('biasLab.translation.preview')}{' '}
        <input type="range" min={-k} max={k} value={shown} onChange={(e) => setShift(Number(e.target.value))} data-testid="bias-preview-shift" />{' '}
        {shown}
      </label>
      <select value={mode} onChange={(e) => setMode(e.target.value as ShiftMode)} aria-label={t('biasLab.translation.modeLabel')} data-testid="bias-preview-mode">
        {SHIFT_MODES.map((m) => (
          <option key={m} value={m}>
            {t(`biasLab.translation.mode.${m}`)}
          </option>
        ))}
      </select>
      <div className="lab-images">
        <PixelsCanvas pixels={x} preprocessing={preprocessing} label={t('biasLab.original')} testId="bias-original" />
        <span data-testid="bias-preview" data-shift={shown} data-mode={mode}>
          <PixelsCanvas pixels={shifted} preprocessing={preprocessing} label={t('biasLab.translation.shifted', { shift: shown })} testId="bias-shifted" />
        </span>
        <ul className="lab-predictions">
          {LAB_MODELS.map((model) => (
            <li key={model}>
              {t(`biasLab.models.${model}`)}: {current.predicted[model][mode][at]} · {t('biasLab.translation.probOf', { label: current.reference[model].label })}{' '}
              {formatPercent(current.curves[model][mode].prob[at])}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

export function TranslationPanel({ preprocessing }: { preprocessing: ImagePreprocessing }) {
  const { t } = useTranslation();
  const s = useBiasLabStore(
    useShallow((s) => ({
      current: s.current,
      samples: s.samples,
      maxShift: s.maxShift,
      axis: s.axis,
      progress: s.progress,
      errors: s.errors,
      setMaxShift: s.setMaxShift,
      setAxis: s.setAxis,
    })),
  );
  return (
    <Panel
      title={t('biasLab.translation.title')}
      exportName="bias-translation"
      explain={t('biasLab.translation.explain')}
      data={() => {
        const { current, samples } = useBiasLabStore.getState();
        return { axis: s.axis, current: current && { name: current.name, reference: current.reference, shifts: current.shifts, curves: current.curves }, samples };
      }}
      controls={
        <>
          <label>
            {t('biasLab.translation.maxShift')}{' '}
            <input type="number" min={1} max={14} value={s.maxShift} onChange={(e) => s.setMaxShift(Number(e.target.value))} data-testid="bias-max-shift" />
          </label>
          <select value={s.axis} onChange={(e) => s.setAxis(e.target.value as ShiftAxis)} aria-label={t('biasLab.translation.axisLabel')}>
            <option value="x">{t('biasLab.translation.horizontal')}</option>
            <option value="y">{t('biasLab.translation.vertical')}</option>
          </select>
        </>
      }
    >
      {s.errors.current && (
        <p role="alert" className="error-box">
          {s.errors.current}
        </p>
      )}
      {s.current && (
        <>
          <ul className="lab-predictions">
            {LAB_MODELS.map((model) => {
              const probs = s.current!.probs[model];
              const top = probs.reduce((best, p, i) => (p > probs[best] ? i : best), 0);
              return (
                <li key={model} data-testid="bias-prediction" data-model={model} data-probs={JSON.stringify(Array.from(probs))}>
                  {t('biasLab.translation.unchanged', { model: t(`biasLab.models.${model}`), label: s.current!.labels[top], prob: formatPercent(probs[top]) })}
                </li>
              );
            })}
          </ul>
          <ShiftPreview current={s.current} preprocessing={preprocessing} />
          <h3>{t('biasLab.translation.thisImage', { name: s.current.name })}</h3>
          <div className="lab-charts">
            {SHIFT_MODES.map((mode) => (
              <ShiftCurves key={mode} shifts={s.current!.shifts} curves={s.current!.curves} mode={mode} scope="current" />
            ))}
          </div>
        </>
      )}
      <h3>{t('biasLab.translation.samples', { count: s.samples?.count ?? s.progress?.total ?? 0 })}</h3>
      {s.errors.samples && (
        <p role="alert" className="error-box">
          {s.errors.samples}
        </p>
      )}
      {s.progress && (
        <progress max={s.progress.total} value={s.progress.done} aria-label={t('biasLab.progress')}>
          {s.progress.done} / {s.progress.total}
        </progress>
      )}
      {s.samples && (
        <div className="lab-charts" data-testid="bias-samples-translation">
          {SHIFT_MODES.map((mode) => (
            <ShiftCurves key={mode} shifts={s.samples!.shifts} curves={s.samples!.curves} mode={mode} scope="samples" />
          ))}
        </div>
      )}
      <p className="legend-line">{t('biasLab.translation.legend')}</p>
    </Panel>
  );
}
