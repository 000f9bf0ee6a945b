// Mean attention distance per head against depth (ViT paper, Fig. 7 right): the analogue of a
// CNN's receptive field. A CNN's lower layers can only see a few pixels; if some ViT heads reach
// across the image already in layer 1, the model is not bound to local processing.
// The plot is drawn at its on-screen width (at most 640 px), so its labels stay legible on a phone.

import { useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { FullVitOutput } from '../../models/types';
import { patchSizeOf, useImageStore, type DistanceSweep } from '../../stores';
import { useAnalysis } from '../../stores/analysis';
import { formatNumber } from '../common/format';
import { Panel } from '../common/Panel';
import { useElementWidth } from '../common/useElementWidth';

const H = 260;
const [MIN_W, MAX_W] = [280, 640];
const MARGIN = { left: 48, right: 12, top: 12, bottom: 36 };
const CURRENT = '#0072B2';
const SAMPLES = '#D55E00';

interface Props {
  output: FullVitOutput;
  model: string;
}

export function AttentionDistancePlot({ output, model }: Props) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const W = Math.min(MAX_W, Math.max(MIN_W, useElementWidth(box, 520)));
  const samples = useImageStore((s) => s.samples);
  const sweep: DistanceSweep | undefined = useImageStore((s) => s.sweeps[model]);
  const measureSamples = useImageStore((s) => s.measureSamples);
  const args = useMemo(
    () => ({ attentions: output.attentions, grid: output.grid, patchSize: patchSizeOf(output), prefix: output.prefix_tokens }),
    [output],
  );
  const { value: computed, input } = useAnalysis('attentionDistance', args, ['attentions']);
  const current = computed && input?.attentions === output.attentions ? computed : output.attentions.map(() => []);
  const averaged = sweep?.perLayer ?? null;
  const layers = current.length;
  const imageSize = output.pixel_values.shape[1];
  const yMax = Math.max(...current.flat(), ...(averaged?.flat() ?? []), 1) * 1.1;
  const x = (layer: number, offset: number) =>
    MARGIN.left + ((layer + 0.5 + offset) / layers) * (W - MARGIN.left - MARGIN.right);
  const y = (d: number) => H - MARGIN.bottom - (d / yMax) * (H - MARGIN.top - MARGIN.bottom);
  const ticks = Array.from({ length: 5 }, (_, i) => (yMax / 1.1) * (i / 4));
  const running = sweep && !sweep.perLayer && !sweep.error;

  return (
    <Panel
      title={t('image.distance.title')}
      exportName="vit-attention-distance"
      explain={t('image.distance.explain', { size: imageSize })}
      controls={
        samples && samples.length > 0 ? (
          <>
            <button type="button" onClick={() => void measureSamples()} disabled={Boolean(running || averaged)} data-testid="measure-samples">
              {t(averaged ? 'image.distance.averaged' : 'image.distance.average', { count: samples.length })}
            </button>
            {running && (
              <progress max={sweep.total} value={sweep.done} aria-label={t('image.distance.progress')}>
                {sweep.done} / {sweep.total}
              </progress>
            )}
            {sweep?.error && <span role="alert">{sweep.error}</span>}
          </>
        ) : undefined
      }
      data={() => ({ model, image_size: imageSize, patch_size: patchSizeOf(output), current_image: current, samples_mean: averaged })}
    >
      <div ref={box} className="scatter-box">
        <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} className="scatter" role="img" aria-label={t('image.distance.aria')} data-testid="distance-plot">
          <line x1={MARGIN.left} x2={W - MARGIN.right} y1={y(0)} y2={y(0)} className="axis" />
          <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={y(0)} className="axis" />
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={MARGIN.left - 4} x2={MARGIN.left} y1={y(tick)} y2={y(tick)} className="axis" />
              <text x={MARGIN.left - 6} y={y(tick) + 4} textAnchor="end">
                {formatNumber(tick, 0)}
              </text>
            </g>
          ))}
          {current.map((_, l) => (
            <text key={l} x={x(l, 0)} y={H - MARGIN.bottom + 16} textAnchor="middle">
              {l + 1}
            </text>
          ))}
          <text x={(W + MARGIN.left) / 2} y={H - 4} textAnchor="middle">
            {t('image.distance.layerAxis')}
          </text>
          <text transform={`translate(12 ${(H - MARGIN.bottom) / 2}) rotate(-90)`} textAnchor="middle">
            {t('image.distance.distanceAxis')}
          </text>
          {current.map((heads, l) =>
            heads.map((d, h) => (
              <circle key={`c${l}-${h}`} cx={x(l, -0.12)} cy={y(d)} r={4} fill={CURRENT} fillOpacity={0.8}>
                <title>{t('image.distance.pointCurrent', { layer: l + 1, head: h + 1, distance: formatNumber(d, 1) })}</title>
              </circle>
            )),
          )}
          {averaged?.map((heads, l) =>
            heads.map((d, h) => (
              <rect key={`s${l}-${h}`} x={x(l, 0.12) - 3.5} y={y(d) - 3.5} width={7} height={7} fill="none" stroke={SAMPLES} strokeWidth={1.5}>
                <title>{t('image.distance.pointSamples', { layer: l + 1, head: h + 1, distance: formatNumber(d, 1) })}</title>
              </rect>
            )),
          )}
        </svg>
      </div>
      <p className="legend-line">
        <span style={{ color: CURRENT }}>●</span> {t('image.distance.thisImage')}{' '}
        {averaged && (
          <>
            <span style={{ color: SAMPLES }}>□</span> {t('image.distance.samplesMean')}
          </>
        )}
      </p>
    </Panel>
  );
}
