// Probability of the reference class (solid) and share classified right (dashed) against the
// shift, ViT and CNN in one chart, one chart per shift mode. The numbers are on the paths as data
// attributes (the e2e test reads them) and in every point's tooltip.

import { useTranslation } from 'react-i18next';
import type { ShiftMode } from '../../../analysis/imageTransforms';
import { LAB_MODELS, type Curves } from '../../../stores';
import { formatPercent } from '../../common/format';
import { MODEL_COLOURS } from './colours';

const [W, H] = [300, 180];
const M = { left: 50, right: 8, top: 10, bottom: 34 };

interface Props {
  shifts: number[];
  curves: Curves;
  mode: ShiftMode;
  scope: 'current' | 'samples';
}

export function ShiftCurves({ shifts, curves, mode, scope }: Props) {
  const { t } = useTranslation();
  const k = shifts[shifts.length - 1];
  const x = (s: number) => M.left + ((s + k) / (2 * k)) * (W - M.left - M.right);
  const y = (p: number) => H - M.bottom - p * (H - M.top - M.bottom);
  const path = (values: number[]) => values.map((v, i) => `${i ? 'L' : 'M'}${x(shifts[i]).toFixed(1)},${y(v).toFixed(1)}`).join('');
  return (
    <figure className="shift-curves">
      <figcaption>{t(`biasLab.translation.mode.${mode}`)}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="scatter" role="img" aria-label={t('biasLab.translation.chartLabel', { mode: t(`biasLab.translation.mode.${mode}`) })}>
        <line x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} className="axis" />
        <line x1={M.left} x2={M.left} y1={y(1)} y2={y(0)} className="axis" />
        {[0, 0.5, 1].map((p) => (
          <text key={p} x={M.left - 4} y={y(p) + 4} textAnchor="end">
            {formatPercent(p)}
          </text>
        ))}
        {shifts.filter((s) => s % 2 === 0).map((s) => (
          <text key={s} x={x(s)} y={H - M.bottom + 14} textAnchor="middle">
            {s}
          </text>
        ))}
        <text x={(W + M.left) / 2} y={H - 4} textAnchor="middle">
          {t('biasLab.translation.axis')}
        </text>
        {LAB_MODELS.map((model) => {
          const c = curves[model][mode];
          return (
            <g key={model}>
              <path
                d={path(c.prob)}
                fill="none"
                stroke={MODEL_COLOURS[model]}
                strokeWidth={2}
                data-testid="bias-curve"
                data-model={model}
                data-mode={mode}
                data-scope={scope}
                data-prob={JSON.stringify(c.prob)}
                data-top1={JSON.stringify(c.top1)}
              />
              <path d={path(c.top1)} fill="none" stroke={MODEL_COLOURS[model]} strokeWidth={1.5} strokeDasharray="4 3" />
              {c.prob.map((p, i) => (
                <circle key={i} cx={x(shifts[i])} cy={y(p)} r={2.5} fill={MODEL_COLOURS[model]}>
                  <title>{t('biasLab.translation.point', { model: t(`biasLab.models.${model}`), shift: shifts[i], prob: formatPercent(p), top1: formatPercent(c.top1[i]) })}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
