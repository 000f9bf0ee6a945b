// How the [CLS] vector changes through the layers: its length, and its cosine similarity to the
// final [CLS] (what the NSP head and fine-tuned classifiers read).

import { useTranslation } from 'react-i18next';
import { cosineSimilarityToRow } from '../../../analysis/similarity';
import { rowOf } from '../../../analysis/ndarray';
import type { FullBertOutput, NdArray } from '../../../models/types';
import { formatNumber } from '../../common/format';
import { norm } from './vectorMath';

/** [layers + 1, hidden]: the [CLS] row of every hidden state. */
export function clsRows(output: FullBertOutput): NdArray {
  const hidden = output.hidden_states[0].shape[1];
  const data = new Float32Array(output.hidden_states.length * hidden);
  output.hidden_states.forEach((h, l) => data.set(rowOf(h, 0), l * hidden));
  return { shape: [output.hidden_states.length, hidden], data };
}

/** A bar of `fraction` (0–1) of a fixed track and the number after it; every row lines up the same way. */
function BarCell({ fraction, text }: { fraction: number; text: string }) {
  return (
    <td>
      <span className="bar-cell">
        <span className="bar-track">
          <span className="inline-bar" style={{ width: `${100 * Math.max(0, Math.min(1, fraction))}%` }} />
        </span>
        <span className="bar-value">{text}</span>
      </span>
    </td>
  );
}

export function ClsTrajectory({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const rows = clsRows(output);
  const last = rows.shape[0] - 1;
  const toFinal = cosineSimilarityToRow(rows, last);
  const norms = Array.from({ length: rows.shape[0] }, (_, l) => norm(rowOf(rows, l)));
  const maxNorm = Math.max(...norms);
  return (
    <table className="numbers cls-trajectory" data-testid="cls-trajectory">
      <thead>
        <tr>
          <th scope="col">{t('text.cls.after')}</th>
          <th scope="col">{t('text.cls.norm')}</th>
          <th scope="col">{t('text.cls.cosine')}</th>
        </tr>
      </thead>
      <tbody>
        {norms.map((n, l) => (
          <tr key={l}>
            <th scope="row">{l === 0 ? t('text.cls.embeddings') : t('text.cls.layer', { n: l })}</th>
            <BarCell fraction={n / maxNorm} text={formatNumber(n, 2)} />
            <BarCell fraction={toFinal[l]} text={formatNumber(toFinal[l], 3)} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}
