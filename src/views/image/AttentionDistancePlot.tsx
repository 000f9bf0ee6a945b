// Mean attention distance per head against depth (ViT paper, Fig. 7 right): the analogue of a
// CNN's receptive field. A CNN's lower layers can only see a few pixels; if some ViT heads reach
// across the image already in layer 1, the model is not bound to local processing.

import { useMemo } from 'react';
import type { FullVitOutput } from '../../models/types';
import { patchSizeOf, useImageStore, type DistanceSweep } from '../../stores';
import { useAnalysis } from '../../stores/analysis';
import { Panel } from '../common/Panel';

const [W, H] = [520, 260];
const MARGIN = { left: 48, right: 12, top: 12, bottom: 36 };
const CURRENT = '#0072B2';
const SAMPLES = '#D55E00';

interface Props {
  output: FullVitOutput;
  model: string;
}

export function AttentionDistancePlot({ output, model }: Props) {
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
      title="Mean attention distance"
      exportName="vit-attention-distance"
      explain={`For each head, how far (in pixels of the ${imageSize}-pixel input) a patch looks on average, weighting each other patch's distance by its attention ([CLS] left out, each row renormalised). One dot per head. A CNN's early layers only see a few neighbouring pixels; here some heads of the first layers already attend across the image while others stay local, and the distances grow with depth (ViT paper, Fig. 7).`}
      controls={
        samples && samples.length > 0 ? (
          <>
            <button type="button" onClick={() => void measureSamples()} disabled={Boolean(running || averaged)} data-testid="measure-samples">
              {averaged ? `Averaged over ${samples.length} sample images` : `Average over the ${samples.length} sample images`}
            </button>
            {running && (
              <progress max={sweep.total} value={sweep.done} aria-label="Sample images done">
                {sweep.done} / {sweep.total}
              </progress>
            )}
            {sweep?.error && <span role="alert">{sweep.error}</span>}
          </>
        ) : undefined
      }
      data={() => ({ model, image_size: imageSize, patch_size: patchSizeOf(output), current_image: current, samples_mean: averaged })}
    >
      <svg viewBox={`0 0 ${W} ${H}`} className="scatter" role="img" aria-label="Mean attention distance of every head by layer" data-testid="distance-plot">
        <line x1={MARGIN.left} x2={W - MARGIN.right} y1={y(0)} y2={y(0)} className="axis" />
        <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={y(0)} className="axis" />
        {ticks.map((t) => (
          <g key={t}>
            <line x1={MARGIN.left - 4} x2={MARGIN.left} y1={y(t)} y2={y(t)} className="axis" />
            <text x={MARGIN.left - 6} y={y(t) + 4} textAnchor="end">
              {t.toFixed(0)}
            </text>
          </g>
        ))}
        {current.map((_, l) => (
          <text key={l} x={x(l, 0)} y={H - MARGIN.bottom + 16} textAnchor="middle">
            {l + 1}
          </text>
        ))}
        <text x={(W + MARGIN.left) / 2} y={H - 4} textAnchor="middle">
          layer
        </text>
        <text transform={`translate(12 ${(H - MARGIN.bottom) / 2}) rotate(-90)`} textAnchor="middle">
          distance (pixels)
        </text>
        {current.map((heads, l) =>
          heads.map((d, h) => (
            <circle key={`c${l}-${h}`} cx={x(l, -0.12)} cy={y(d)} r={4} fill={CURRENT} fillOpacity={0.8}>
              <title>{`this image · layer ${l + 1}, head ${h + 1}: ${d.toFixed(1)} px`}</title>
            </circle>
          )),
        )}
        {averaged?.map((heads, l) =>
          heads.map((d, h) => (
            <rect key={`s${l}-${h}`} x={x(l, 0.12) - 3.5} y={y(d) - 3.5} width={7} height={7} fill="none" stroke={SAMPLES} strokeWidth={1.5}>
              <title>{`mean over samples · layer ${l + 1}, head ${h + 1}: ${d.toFixed(1)} px`}</title>
            </rect>
          )),
        )}
      </svg>
      <p className="legend-line">
        <span style={{ color: CURRENT }}>●</span> this image {averaged && <><span style={{ color: SAMPLES }}>□</span> mean over the sample images</>}
      </p>
    </Panel>
  );
}
