// A pretraining batch: 16 sentence pairs, half IsNext and half NotNext, each masked as the example
// is; the NSP head's answers, the batch's NSP accuracy and mean losses, and the pretraining loss.

import { useTranslation } from 'react-i18next';
import { OWN_TEXT } from '../../../analysis/pretraining';
import type { LabBatch } from '../../../stores';
import { formatNumber, formatPercent } from '../../common/format';
import { NumbersTable } from '../../common/NumbersTable';

const Figure = ({ label, value, testId, text }: { label: string; value: number | null; testId: string; text: string }) => (
  <div className="lab-figure" data-testid={testId} data-value={value ?? ''}>
    <span className="lab-figure-value">{value === null ? '—' : text}</span>
    <span className="lab-figure-label">{label}</span>
  </div>
);

export function NspBatchView({ batch }: { batch: LabBatch }) {
  const { t } = useTranslation();
  const labelled = batch.pairs.reduce((n, p) => n + p.example.positions.length, 0);
  const correct = batch.pairs.filter((p) => p.nsp?.correct).length;
  const loss = (x: number | null) => (x === null ? '' : formatNumber(x, 3));
  // '#', the labels and P(IsNext) are notation, the same in every language.
  const headers = ['#', t('lab.batch.headers.a'), t('lab.batch.headers.b'), t('lab.batch.headers.label'), 'P(IsNext)', t('lab.batch.headers.nspLoss'), t('lab.batch.headers.masked'), t('lab.batch.headers.mlmLoss')];
  return (
    <div className="lab-batch" data-testid="lab-batch" data-seed={batch.seed}>
      <p className="explain">{t('lab.batch.explain', { count: batch.pairs.length })}</p>
      <div className="lab-figures">
        <Figure
          label={t('lab.batch.accuracy')}
          value={batch.nsp_accuracy}
          testId="batch-accuracy"
          text={`${correct} / ${batch.pairs.length} (${formatPercent(batch.nsp_accuracy ?? 0)})`}
        />
        <Figure label={t('lab.batch.nspLoss')} value={batch.nsp_loss} testId="batch-nsp-loss" text={loss(batch.nsp_loss)} />
        <Figure label={t('lab.batch.mlmLoss', { count: labelled })} value={batch.mlm_loss} testId="batch-mlm-loss" text={loss(batch.mlm_loss)} />
        <Figure label={t('lab.batch.total')} value={batch.total_loss} testId="batch-total-loss" text={loss(batch.total_loss)} />
      </div>
      <p className="explain">{t('lab.batch.totalExplain')}</p>
      {batch.nsp_accuracy === null && <p>{t('lab.batch.noNsp')}</p>}
      <NumbersTable headers={headers} className="lab-pairs">
        {batch.pairs.map((pair, k) => {
          const mlmLoss = pair.mlm && pair.mlm.length > 0 ? pair.mlm.reduce((s, x) => s + x.loss, 0) / pair.mlm.length : null;
          return (
            <tr
              key={k}
              data-testid="nsp-pair"
              data-is-next={pair.is_next}
              data-p-is-next={pair.nsp?.is_next_prob ?? ''}
              data-loss={pair.nsp?.loss ?? ''}
              data-correct={pair.nsp?.correct ?? ''}
              className={pair.nsp && !pair.nsp.correct ? 'wrong' : undefined}
            >
              <td>{k + 1}</td>
              <td className="lab-sentence">
                {pair.a} <span className="muted">({pair.source === OWN_TEXT ? t('lab.batch.yourText') : pair.source})</span>
              </td>
              <td className="lab-sentence">{pair.b}</td>
              <td>{pair.is_next ? 'IsNext' : 'NotNext'}</td>
              <td>{pair.nsp ? formatPercent(pair.nsp.is_next_prob) : '—'}</td>
              <td>{pair.nsp ? formatNumber(pair.nsp.loss, 3) : '—'}</td>
              <td>{pair.example.positions.length}</td>
              <td>{mlmLoss === null ? t('lab.batch.noMlm') : formatNumber(mlmLoss, 3)}</td>
            </tr>
          );
        })}
      </NumbersTable>
    </div>
  );
}
