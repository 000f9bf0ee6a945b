// One masked-LM training example, step by step: the text as one input, the tokens chosen, what
// each became, the labels, and the model's answer at every chosen position with its loss.

import { useTranslation } from 'react-i18next';
import type { Corruption } from '../../../analysis/pretraining';
import type { LabExample } from '../../../stores';
import { formatNumber, formatPercent } from '../../common/format';
import { NumbersTable } from '../../common/NumbersTable';

export const KINDS: Corruption[] = ['mask', 'random', 'keep'];

export function MlmExampleView({ lab }: { lab: LabExample }) {
  const { t } = useTranslation();
  const { encoding, example, input_tokens: input, scores, segments } = lab;
  const chosen = new Map(example.positions.map((p, i) => [p, i]));
  const mean = scores && scores.length > 0 ? scores.reduce((s, x) => s + x.loss, 0) / scores.length : null;
  const headers = ['position', 'label', 'input', 'draw', 'top', 'pOriginal', 'loss', 'recovered'] as const;
  return (
    <div className="lab-example" data-testid="lab-example" data-seed={example.seed}>
      <h3>{t('lab.mlm.step1')}</h3>
      <p className="explain">{segments.b !== null ? t('lab.mlm.step1Pair') : t('lab.mlm.step1Single')}</p>
      <p className="lab-segments">
        <span className="token seg-a">A</span> {segments.a}
        {segments.b !== null && (
          <>
            <br />
            <span className="token seg-b">B</span> {segments.b}
          </>
        )}
      </p>

      <h3>{t('lab.mlm.step2')}</h3>
      <p className="explain" data-testid="lab-choice" data-candidates={example.candidates} data-chosen={example.positions.length}>
        {t('lab.mlm.step2Count', { candidates: example.candidates, n: example.num_to_predict })}{' '}
        {example.whole_word && `${t('lab.mlm.step2WholeWord')} `}
        {t('lab.mlm.step2Draw')}
      </p>
      <ol className="mlm-columns" aria-label={t('lab.mlm.rows.label')}>
        <li className="mlm-column mlm-row-names" aria-hidden>
          <span>{t('lab.mlm.rows.original')}</span>
          <span>{t('lab.mlm.rows.input')}</span>
          <span>{t('lab.mlm.rows.labels')}</span>
        </li>
        {encoding.tokens.map((token, p) => {
          const i = chosen.get(p);
          const kind = i === undefined ? null : example.corruption[i];
          const segment = encoding.segment[p];
          const cls = segment < 0 ? 'special' : segment === 0 ? 'seg-a' : 'seg-b';
          const label = kind
            ? t('lab.mlm.positionChosen', { position: p, token, input: input[p], kind: t(`lab.kinds.${kind}`) })
            : t('lab.mlm.position', { position: p, token });
          return (
            <li
              key={p}
              className={`mlm-column${kind ? ` chosen ${kind}` : ''}`}
              data-testid="lab-position"
              data-kind={kind ?? ''}
              data-original={token}
              data-input={input[p]}
              aria-label={label}
            >
              <span className={`token ${cls}`}>{token}</span>
              <span className={`token ${cls}${kind ? ' masked' : ''}`}>{input[p]}</span>
              {kind ? (
                <span className="mlm-label">{token}</span>
              ) : (
                <span className="mlm-label none" title={t('lab.mlm.noLabel')}>
                  —
                </span>
              )}
            </li>
          );
        })}
      </ol>

      <h3>{t('lab.mlm.step3')}</h3>
      <p className="explain">{t('lab.mlm.step3Explain')}</p>
      {!scores && <p>{t('lab.mlm.noHead')}</p>}
      {scores && (
        <>
          <NumbersTable headers={headers.map((h) => t(`lab.mlm.headers.${h}`))} className="lab-scores">
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
                  {s.corruption !== 'mask' && <span className="muted"> ({t(`lab.kinds.${s.corruption}`)})</span>}
                </td>
                <td>{formatNumber(example.draws[i], 3)}</td>
                <td>
                  {s.predicted.token} <span className="muted">{formatPercent(s.predicted.prob)}</span>
                </td>
                <td className="lab-prob">{formatPercent(Math.exp(s.label_log_prob))}</td>
                <td className="lab-loss">{formatNumber(s.loss, 3)}</td>
                <td aria-label={s.recovered ? t('lab.mlm.yes') : t('lab.mlm.no')}>{s.recovered ? '✓' : '✗'}</td>
              </tr>
            ))}
          </NumbersTable>
          {mean !== null && (
            <p data-testid="lab-mlm-loss" data-value={mean}>
              <strong>{t('lab.mlm.mean', { count: scores.length, loss: formatNumber(mean, 3) })}</strong>
            </p>
          )}
          <div className="lab-callout">
            <h4>{t('lab.mlm.noise')}</h4>
            <p>{t('lab.mlm.noiseExplain')}</p>
            <ul>
              {KINDS.map((kind) => {
                const of = scores.filter((s) => s.corruption === kind);
                return <li key={kind}>{t('lab.mlm.recovered', { kind: t(`lab.kinds.${kind}`), hit: of.filter((s) => s.recovered).length, count: of.length })}</li>;
              })}
            </ul>
          </div>
        </>
      )}
    </div>
  );
}
