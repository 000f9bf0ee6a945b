// One masked-LM training example, step by step: the text as one input, the tokens chosen, what
// each became, the labels, and the model's answer at every chosen position with its loss.

import type { Corruption } from '../../../analysis/pretraining';
import type { LabExample } from '../../../stores';
import { formatPercent } from '../../common/format';

export const KIND_TEXT: Record<Corruption, string> = {
  mask: '[MASK]',
  random: 'random token',
  keep: 'unchanged',
};

const TEXT = {
  step1: '1 · One input from your text',
  step1Explain: (b: boolean) =>
    b
      ? 'As in pretraining, the text is cut at a sentence boundary into segment A (the first half of the sentences) and segment B (the rest), and read as [CLS] A [SEP] B [SEP].'
      : 'One sentence makes segment A alone: [CLS] A [SEP]. Add sentences to get a segment B.',
  step2: '2 · Choose 15 % of the tokens, and corrupt them',
  step2Explain: (candidates: number, n: number, wholeWord: boolean) =>
    `${candidates} tokens are not special ([CLS] and [SEP] never are chosen); 15 % of ${candidates} rounds to ${n}. ` +
    (wholeWord ? 'Whole-word masking: words are drawn in random order and taken whole, skipping a word that would pass that number. ' : '') +
    'Each chosen token draws a number u between 0 and 1: below 0.8 it becomes [MASK], below 0.9 a random vocabulary token, otherwise it stays as it is.',
  rows: ['original', 'model input', 'label'],
  noLabel: '—',
  noLabelTitle: 'no label: this position does not count in the loss',
  step3: '3 · What the model predicts at the chosen positions',
  step3Explain:
    'The model reads the corrupted input and predicts a token at every chosen position; the loss of a position is the cross-entropy −log p(original). Only these positions count: every other position has no label.',
  headers: ['position', 'label (original)', 'model input', 'draw u', 'top prediction', 'p(original)', 'loss −log p', 'recovered'],
  mean: (n: number, loss: number) => `Mean MLM loss of this example over its ${n} labelled positions: ${loss.toFixed(3)}`,
  noise: 'Despite the noise',
  noiseExplain:
    'The model is never told which tokens were chosen. A random token or an unchanged one looks like any other word, so the model must keep a good guess of the original at every position, not only at [MASK]: that is what lets it use the real words it sees when it is fine-tuned later, where no [MASK] appears. In this example:',
  recovered: (kind: string, hit: number, n: number) => `${kind}: ${hit} of ${n} recovered`,
  noMlm: 'This checkpoint has no masked-LM head, so it cannot predict the chosen tokens.',
};

export function MlmExampleView({ lab }: { lab: LabExample }) {
  const { encoding, example, input_tokens: input, scores, segments } = lab;
  const chosen = new Map(example.positions.map((p, i) => [p, i]));
  const mean = scores && scores.length > 0 ? scores.reduce((s, x) => s + x.loss, 0) / scores.length : null;
  const kinds: Corruption[] = ['mask', 'random', 'keep'];
  return (
    <div className="lab-example" data-testid="lab-example" data-seed={example.seed}>
      <h3>{TEXT.step1}</h3>
      <p className="explain">{TEXT.step1Explain(segments.b !== null)}</p>
      <p className="lab-segments">
        <span className="token seg-a">A</span> {segments.a}
        {segments.b !== null && (
          <>
            <br />
            <span className="token seg-b">B</span> {segments.b}
          </>
        )}
      </p>

      <h3>{TEXT.step2}</h3>
      <p className="explain" data-testid="lab-choice" data-candidates={example.candidates} data-chosen={example.positions.length}>
        {TEXT.step2Explain(example.candidates, example.num_to_predict, example.whole_word)}
      </p>
      <ol className="mlm-columns" aria-label="Original tokens, model input and labels">
        <li className="mlm-column mlm-row-names" aria-hidden>
          {TEXT.rows.map((r) => (
            <span key={r}>{r}</span>
          ))}
        </li>
        {encoding.tokens.map((token, p) => {
          const i = chosen.get(p);
          const kind = i === undefined ? null : example.corruption[i];
          const segment = encoding.segment[p];
          const cls = segment < 0 ? 'special' : segment === 0 ? 'seg-a' : 'seg-b';
          return (
            <li
              key={p}
              className={`mlm-column${kind ? ` chosen ${kind}` : ''}`}
              data-testid="lab-position"
              data-kind={kind ?? ''}
              data-original={token}
              data-input={input[p]}
              aria-label={`position ${p}: ${token}${kind ? `, chosen, model input ${input[p]} (${KIND_TEXT[kind]}), label ${token}` : ''}`}
            >
              <span className={`token ${cls}`}>{token}</span>
              <span className={`token ${cls}${kind ? ' masked' : ''}`}>{input[p]}</span>
              {kind ? <span className="mlm-label">{token}</span> : <span className="mlm-label none" title={TEXT.noLabelTitle}>{TEXT.noLabel}</span>}
            </li>
          );
        })}
      </ol>

      <h3>{TEXT.step3}</h3>
      <p className="explain">{TEXT.step3Explain}</p>
      {!scores && <p>{TEXT.noMlm}</p>}
      {scores && (
        <>
          <div className="table-scroll">
            <table className="numbers lab-scores">
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
                {scores.map((s, i) => (
                  <tr
                    key={s.position}
                    data-testid="lab-score"
                    data-kind={s.corruption}
                    data-prob={Math.exp(s.label_log_prob)}
                    data-loss={s.loss}
                    data-recovered={s.recovered}
                  >
                    <td>{s.position}</td>
                    <td>{encoding.tokens[s.position]}</td>
                    <td>
                      {input[s.position]}
                      {s.corruption !== 'mask' && <span className="muted"> ({KIND_TEXT[s.corruption]})</span>}
                    </td>
                    <td>{example.draws[i].toFixed(3)}</td>
                    <td>
                      {s.predicted.token} <span className="muted">{formatPercent(s.predicted.prob)}</span>
                    </td>
                    <td className="lab-prob">{formatPercent(Math.exp(s.label_log_prob))}</td>
                    <td className="lab-loss">{s.loss.toFixed(3)}</td>
                    <td>{s.recovered ? '✓' : '✗'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {mean !== null && (
            <p data-testid="lab-mlm-loss" data-value={mean}>
              <strong>{TEXT.mean(scores.length, mean)}</strong>
            </p>
          )}
          <div className="lab-callout">
            <h4>{TEXT.noise}</h4>
            <p>{TEXT.noiseExplain}</p>
            <ul>
              {kinds.map((kind) => {
                const of = scores.filter((s) => s.corruption === kind);
                return <li key={kind}>{TEXT.recovered(KIND_TEXT[kind], of.filter((s) => s.recovered).length, of.length)}</li>;
              })}
            </ul>
          </div>
        </>
      )}
    </div>
  );
}
