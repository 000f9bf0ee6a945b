// Locality on one pixel axis: for each CNN layer the mean distance from a unit's centre to the
// pixels it sees (and half its receptive field), next to each ViT head's mean attention distance
// per layer (the image workspace's analysis, for this image or averaged over the samples).

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { receptiveFields } from '../../../analysis/receptiveField';
import type { CnnModelInfo, FullVitOutput } from '../../../models/types';
import { patchSizeOf, useImageStore } from '../../../stores';
import { useAnalysis } from '../../../stores/analysis';
import { Panel } from '../../common/Panel';
import { formatNumber } from '../../common/format';
import { MODEL_COLOURS } from './colours';

const [W, H] = [620, 260];
const M = { left: 48, right: 12, top: 12, bottom: 40 };

export function LocalityPanel({ cnn, output, model }: { cnn: CnnModelInfo; output: FullVitOutput; model: string }) {
  const { t } = useTranslation();
  const fields = useMemo(() => receptiveFields(cnn.layers, cnn.config.image_size), [cnn]);
  const args = useMemo(
    () => ({ attentions: output.attentions, grid: output.grid, patchSize: patchSizeOf(output), prefix: output.prefix_tokens }),
    [output],
  );
  const { value, input } = useAnalysis('attentionDistance', args, ['attentions']);
  const sweep = useImageStore((s) => s.sweeps[model]);
  const measureSamples = useImageStore((s) => s.measureSamples);
  const vit = sweep?.perLayer ?? (value && input?.attentions === output.attentions ? value : null);
  const columns = [
    ...fields.map((f, i) => ({ label: `${cnn.layers[i].type === 'conv' ? 'c' : 'p'}${i + 1}`, cnn: f, heads: null as number[] | null })),
    ...(vit ?? []).map((heads, l) => ({ label: `L${l + 1}`, cnn: null, heads })),
  ];
  const side = Math.max(...cnn.config.image_size, output.pixel_values.shape[1]);
  const yMax = side;
  const x = (i: number) => M.left + ((i + 0.5) / Math.max(1, columns.length)) * (W - M.left - M.right);
  const y = (d: number) => H - M.bottom - (Math.min(d, yMax) / yMax) * (H - M.top - M.bottom);
  return (
    <Panel
      title={t('biasLab.locality.title')}
      exportName="bias-locality"
      explain={t('biasLab.locality.explain')}
      data={() => ({ cnn: fields, vit_mean_attention_distance: vit, vit_source: sweep?.perLayer ? 'samples' : 'this image' })}
      controls={
        <button type="button" onClick={() => void measureSamples()} disabled={Boolean(sweep)} data-testid="bias-locality-samples">
          {sweep?.perLayer ? t('biasLab.locality.averaged') : t('biasLab.locality.average')}
        </button>
      }
    >
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} className="scatter" role="img" aria-label={t('biasLab.locality.chartLabel')} data-testid="bias-locality">
        <line x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} className="axis" />
        <line x1={M.left} x2={M.left} y1={M.top} y2={y(0)} className="axis" />
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <text key={f} x={M.left - 6} y={y(f * yMax) + 4} textAnchor="end">
            {formatNumber(f * yMax, 0)}
          </text>
        ))}
        <text transform={`translate(12 ${(H - M.bottom) / 2}) rotate(-90)`} textAnchor="middle">
          {t('biasLab.locality.axis')}
        </text>
        {columns.map((c, i) => (
          <g key={c.label}>
            <text x={x(i)} y={H - M.bottom + 14} textAnchor="middle" fontSize={10}>
              {c.label}
            </text>
            {c.cnn && (
              <>
                <line x1={x(i)} x2={x(i)} y1={y(0)} y2={y(c.cnn.size / 2)} stroke={MODEL_COLOURS.cnn} strokeOpacity={0.35} strokeWidth={8} />
                <circle cx={x(i)} cy={y(c.cnn.meanDistance)} r={5} fill={MODEL_COLOURS.cnn} data-testid="bias-cnn-distance" data-value={c.cnn.meanDistance}>
                  <title>{t('biasLab.locality.cnnPoint', { layer: c.label, distance: formatNumber(c.cnn.meanDistance, 1), size: c.cnn.size })}</title>
                </circle>
              </>
            )}
            {c.heads?.map((d, h) => (
              <circle key={h} cx={x(i)} cy={y(d)} r={4} fill={MODEL_COLOURS.vit} fillOpacity={0.75}>
                <title>{t('biasLab.locality.vitPoint', { layer: c.label, head: h + 1, distance: formatNumber(d, 1) })}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <p className="legend-line">{t('biasLab.locality.legend')}</p>
    </Panel>
  );
}
