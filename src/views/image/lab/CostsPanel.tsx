// The two costs of missing inductive bias, as measured when the models were trained
// (models/mini-cnn/inductive_bias.json): accuracy against training-set size at equal compute, and
// parameters, FLOPs and latency per image, with the latency measured here in the browser next to it.

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { LAB_MODELS, useBiasLabStore, type CostFile } from '../../../stores';
import { Panel } from '../../common/Panel';
import { formatMs, formatNumber, formatPercent } from '../../common/format';
import { MODEL_COLOURS } from './colours';

const [W, H] = [420, 220];
const M = { left: 48, right: 12, top: 12, bottom: 38 };

function SizeSweep({ sweep }: { sweep: CostFile['sweeps'][number] }) {
  const { t } = useTranslation();
  const sizes = [...new Set(LAB_MODELS.flatMap((m) => sweep.runs[m].map((r) => r.train_size)))].sort((a, b) => a - b);
  const accuracies = LAB_MODELS.flatMap((m) => sweep.runs[m].map((r) => r.test_accuracy));
  if (sizes.length === 0) return null;
  const [lo, hi] = [Math.log(sizes[0]), Math.log(sizes[sizes.length - 1])];
  const [aLo, aHi] = [Math.floor(Math.min(...accuracies) * 10) / 10, 1];
  const x = (n: number) => M.left + (hi > lo ? (Math.log(n) - lo) / (hi - lo) : 0.5) * (W - M.left - M.right);
  const y = (a: number) => H - M.bottom - ((a - aLo) / (aHi - aLo)) * (H - M.top - M.bottom);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} className="scatter" role="img" aria-label={t('biasLab.costs.chartLabel')}>
      <line x1={M.left} x2={W - M.right} y1={y(aLo)} y2={y(aLo)} className="axis" />
      <line x1={M.left} x2={M.left} y1={y(aHi)} y2={y(aLo)} className="axis" />
      {[aLo, (aLo + aHi) / 2, aHi].map((a) => (
        <text key={a} x={M.left - 4} y={y(a) + 4} textAnchor="end">
          {formatPercent(a)}
        </text>
      ))}
      {sizes.map((n) => (
        <text key={n} x={x(n)} y={H - M.bottom + 14} textAnchor="middle">
          {formatNumber(n, 0)}
        </text>
      ))}
      <text x={(W + M.left) / 2} y={H - 4} textAnchor="middle">
        {t('biasLab.costs.trainSize')}
      </text>
      {LAB_MODELS.map((m) => {
        const runs = [...sweep.runs[m]].sort((a, b) => a.train_size - b.train_size);
        return (
          <g key={m}>
            <path d={runs.map((r, i) => `${i ? 'L' : 'M'}${x(r.train_size)},${y(r.test_accuracy)}`).join('')} fill="none" stroke={MODEL_COLOURS[m]} strokeWidth={2} />
            {runs.map((r) => (
              <circle key={r.train_size} cx={x(r.train_size)} cy={y(r.test_accuracy)} r={3.5} fill={MODEL_COLOURS[m]}>
                <title>{`${t(`biasLab.models.${m}`)} · ${formatNumber(r.train_size, 0)}: ${formatPercent(r.test_accuracy)}`}</title>
              </circle>
            ))}
          </g>
        );
      })}
    </svg>
  );
}

export function CostsPanel() {
  const { t } = useTranslation();
  const { costs, error, shuffle } = useBiasLabStore(useShallow((s) => ({ costs: s.costs, error: s.costsError, shuffle: s.shuffle })));
  const [which, setWhich] = useState(0);
  const sweep = costs?.sweeps[Math.min(which, costs.sweeps.length - 1)];
  return (
    <Panel title={t('biasLab.costs.title')} exportName="bias-costs" explain={t('biasLab.costs.explain')} data={() => ({ ...costs, browser_ms_per_image: shuffle?.ms_per_image })}>
      {error && (
        <p role="alert" className="error-box">
          {error}
        </p>
      )}
      <table className="numbers" data-testid="bias-costs">
        <thead>
          <tr>
            <th />
            <th>{t('biasLab.costs.parameters')}</th>
            <th>{t('biasLab.costs.flops')}</th>
            <th>{t('biasLab.costs.latencyTorch')}</th>
            <th>{t('biasLab.costs.latencyHere')}</th>
          </tr>
        </thead>
        <tbody>
          {LAB_MODELS.map((m) => (
            <tr key={m} data-model={m} data-latency={shuffle?.ms_per_image[m] ?? ''}>
              <th style={{ color: MODEL_COLOURS[m] }}>{t(`biasLab.models.${m}`)}</th>
              <td>{costs ? formatNumber(costs.models[m].parameters, 0) : '…'}</td>
              <td>{costs ? `${formatNumber(costs.models[m].flops_per_image / 1e6, 1)} M` : '…'}</td>
              <td>{costs?.models[m].latency_ms != null ? formatMs(costs.models[m].latency_ms) : '…'}</td>
              <td>{shuffle ? formatMs(shuffle.ms_per_image[m]) : '…'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {costs && sweep && (
        <>
          <h3>{t('biasLab.costs.sweepTitle')}</h3>
          {costs.sweeps.length > 1 && (
            <select value={which} onChange={(e) => setWhich(Number(e.target.value))} aria-label={t('biasLab.costs.budget')}>
              {costs.sweeps.map((s, i) => (
                <option key={s.images_per_run} value={i}>
                  {t('biasLab.costs.budgetOption', { images: formatNumber(s.images_per_run, 0) })}
                </option>
              ))}
            </select>
          )}
          <SizeSweep sweep={sweep} />
          <p className="legend-line">{t('biasLab.costs.sweepNote', { images: formatNumber(sweep.images_per_run, 0) })}</p>
        </>
      )}
    </Panel>
  );
}
