// The learned position embeddings compared with each other (cosine similarity of every pair),
// and one position's row as a profile. Nothing tells BERT that position 5 is next to 6; if
// neighbours end up similar, training discovered order.

import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { NdArray } from '../../../models/types';
import { useTextStore } from '../../../stores';
import { useAnalysis } from '../../../stores/analysis';
import { Heatmap, indexTickPositions } from '../../common/Heatmap';

const PLOT_W = 480;
const PLOT_H = 120;

function Profile({ values, focus }: { values: Float32Array; focus: number }) {
  const { t } = useTranslation();
  const n = values.length;
  const x = (i: number) => (n > 1 ? (i / (n - 1)) * PLOT_W : 0);
  const y = (v: number) => ((1 - v) / 2) * PLOT_H;
  const points = Array.from(values, (v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <svg
      className="profile"
      viewBox={`-30 -5 ${PLOT_W + 44} ${PLOT_H + 38}`}
      role="img"
      aria-label={t('text.positions.profile', { position: focus })}
      data-testid="position-profile"
    >
      <line x1={0} x2={PLOT_W} y1={y(0)} y2={y(0)} className="axis" />
      <line x1={0} x2={PLOT_W} y1={PLOT_H} y2={PLOT_H} className="axis" />
      {[1, 0, -1].map((v) => (
        <text key={v} x={-4} y={y(v)} textAnchor="end" dominantBaseline="middle">
          {v < 0 ? '−1' : v}
        </text>
      ))}
      {indexTickPositions(n).map((i) => (
        <g key={i} className="tick">
          <line x1={x(i)} x2={x(i)} y1={PLOT_H} y2={PLOT_H + 4} className="axis" />
          <text x={x(i)} y={PLOT_H + 14} textAnchor="middle">
            {i}
          </text>
        </g>
      ))}
      <polyline points={points} className="profile-line" />
      <line x1={x(focus)} x2={x(focus)} y1={0} y2={PLOT_H} className="focus-line" />
      <text x={PLOT_W / 2} y={PLOT_H + 30} textAnchor="middle">
        {t('text.positions.axis')}
      </text>
    </svg>
  );
}

export function PositionSimilarity({ positionEmbeddings }: { positionEmbeddings: NdArray }) {
  const { t } = useTranslation();
  const focus = useTextStore((s) => s.positionFocus);
  const onFocus = useTextStore((s) => s.setPositionFocus);
  const id = useId();
  const args = useMemo(() => ({ vectors: positionEmbeddings }), [positionEmbeddings]);
  const { value, input, error } = useAnalysis('cosineSimilarity', args);
  const similarity = input === args ? value : null;
  if (error) {
    return (
      <p role="alert" className="error-box">
        {t('text.positions.failed', { message: error })}
      </p>
    );
  }
  if (!similarity) return <p className="explain">{t('text.positions.computing')}</p>;
  const n = similarity.shape[0];
  const at = Math.min(focus, n - 1);
  return (
    <div className="position-similarity">
      <div data-testid="position-heatmap">
        <Heatmap
          data={similarity.data}
          rows={n}
          cols={n}
          scale="diverging"
          domain={[-1, 1]}
          ariaLabel={t('text.positions.heatmap')}
          onCellClick={(cell) => onFocus(cell.row)}
          selected={{ row: at, col: at }}
          cellLabel={({ row, col }) => t('text.positions.cell', { row, col })}
          indexTicks
          width="min(100%, 480px)"
        />
      </div>
      <label htmlFor={`${id}-focus`}>{t('text.positions.focus', { position: at })}</label>
      <input id={`${id}-focus`} type="range" min={0} max={n - 1} value={at} onChange={(e) => onFocus(Number(e.target.value))} />
      <Profile values={similarity.data.subarray(at * n, (at + 1) * n)} focus={at} />
    </div>
  );
}
