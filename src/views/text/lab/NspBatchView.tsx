// A pretraining batch: 16 sentence pairs, half IsNext and half NotNext, each masked as the example
// is; the NSP head's answers, the batch's NSP accuracy and mean losses, and the pretraining loss.

import type { LabBatch } from '../../../stores';
import { formatPercent } from '../../common/format';

const TEXT = {
  explain: (n: number) =>
    `BERT's second task makes its labels from document order: for each pair, half of the time B is the sentence that really follows A (IsNext), otherwise a random sentence from another document (NotNext). These ${n} pairs come from your text (up to half of them start there) and from held-out documents of the bundled model's corpus, which it never saw in training. Each pair is also masked, as every pretraining input is, and the NSP head reads the final [CLS] vector.`,
  accuracy: 'NSP accuracy',
  nspLoss: 'mean NSP loss',
  mlmLoss: (n: number) => `mean MLM loss (${n} labelled tokens)`,
  total: 'pretraining loss = MLM + NSP',
  totalExplain:
    'As in the paper, the loss minimised in pretraining is the sum of the mean masked-LM cross-entropy and the mean next-sentence cross-entropy of a batch.',
  headers: ['#', 'sentence A', 'sentence B', 'label', 'P(IsNext)', 'NSP loss', 'masked', 'MLM loss'],
  isNext: 'IsNext',
  notNext: 'NotNext',
  noNsp: 'This checkpoint has no next-sentence head: only the masked-LM part of the batch is scored.',
  noMlm: 'no MLM head',
};

const Figure = ({ label, value, testId, text }: { label: string; value: number | null; testId: string; text: string }) => (
  <div className="lab-figure" data-testid={testId} data-value={value ?? ''}>
    <span className="lab-figure-value">{value === null ? '—' : text}</span>
    <span className="lab-figure-label">{label}</span>
  </div>
);

export function NspBatchView({ batch }: { batch: LabBatch }) {
  const labelled = batch.pairs.reduce((n, p) => n + p.example.positions.length, 0);
  const correct = batch.pairs.filter((p) => p.nsp?.correct).length;
  return (
    <div className="lab-batch" data-testid="lab-batch" data-seed={batch.seed}>
      <p className="explain">{TEXT.explain(batch.pairs.length)}</p>
      <div className="lab-figures">
        <Figure
          label={TEXT.accuracy}
          value={batch.nsp_accuracy}
          testId="batch-accuracy"
          text={`${correct} / ${batch.pairs.length} (${formatPercent(batch.nsp_accuracy ?? 0)})`}
        />
        <Figure label={TEXT.nspLoss} value={batch.nsp_loss} testId="batch-nsp-loss" text={batch.nsp_loss?.toFixed(3) ?? ''} />
        <Figure label={TEXT.mlmLoss(labelled)} value={batch.mlm_loss} testId="batch-mlm-loss" text={batch.mlm_loss?.toFixed(3) ?? ''} />
        <Figure label={TEXT.total} value={batch.total_loss} testId="batch-total-loss" text={batch.total_loss?.toFixed(3) ?? ''} />
      </div>
      <p className="explain">{TEXT.totalExplain}</p>
      {batch.nsp_accuracy === null && <p>{TEXT.noNsp}</p>}
      <div className="table-scroll">
        <table className="numbers lab-pairs">
          <thead>
            <tr>
              {TEXT.headers.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
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
                    {pair.a} <span className="muted">({pair.source})</span>
                  </td>
                  <td className="lab-sentence">{pair.b}</td>
                  <td>{pair.is_next ? TEXT.isNext : TEXT.notNext}</td>
                  <td>{pair.nsp ? formatPercent(pair.nsp.is_next_prob) : '—'}</td>
                  <td>{pair.nsp ? pair.nsp.loss.toFixed(3) : '—'}</td>
                  <td>{pair.example.positions.length}</td>
                  <td>{mlmLoss === null ? TEXT.noMlm : mlmLoss.toFixed(3)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
