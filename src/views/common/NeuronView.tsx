// The neuron view (after BertViz): one head's query vector for one token, every token's key
// vector, their elementwise products, the dot products, the 1/√d scaling and the softmax, next to
// the attention row the same forward pass returned. Shared by the text (BERT) and image (ViT)
// workspaces; the numbers come from src/analysis/neuron.ts.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { NeuronView as NeuronNumbers } from '../../analysis/neuron';
import { ColorLegend } from './Heatmap';
import { formatNumber, formatPercent } from './format';
import { VectorStrip } from './VectorStrip';
import { NumbersTable } from './NumbersTable';

const maxAbs = (values: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
};

interface Props {
  numbers: NeuronNumbers;
  /** Label of every token (row). */
  labels: string[];
  /** Position of the query token. */
  query: number;
  /** The query token's row of this head's attention, from the same forward pass. */
  attention: Float32Array;
  /** Makes another token the query (clicking its row). */
  onPickQuery: (position: number) => void;
}

export function NeuronView({ numbers, labels, query, attention, onPickQuery }: Props) {
  const { t } = useTranslation();
  const { d, scale, keys, products, dots, scores, weights } = numbers;
  const seq = dots.length;
  const vectorRange = useMemo(() => Math.max(maxAbs(numbers.query), maxAbs(keys.data)), [numbers.query, keys]);
  const productRange = useMemo(() => maxAbs(products.data), [products]);
  const diff = weights.reduce((m, w, j) => Math.max(m, Math.abs(w - attention[j])), 0);
  const largest = weights.reduce((m, w) => Math.max(m, w), 0);
  const headers = [
    t('neuron.headers.key'),
    t('neuron.headers.keyVector'),
    t('neuron.headers.product'),
    t('neuron.headers.dot'),
    'q·k / √d',
    t('neuron.headers.softmax'),
    t('neuron.headers.returned'),
  ];
  return (
    <div className="neuron-view" data-testid="neuron-view" data-query={query}>
      <div className="strip-row neuron-query">
        <span>
          {t('neuron.query')} <strong>{labels[query]}</strong>
        </span>
        <VectorStrip values={numbers.query} range={vectorRange} label={t('neuron.queryLabel', { token: labels[query] })} />
      </div>
      <p className="explain">
        {labels[query]}: {t('neuron.queryVector', { d })}. {t('neuron.formula', { d, scale: formatNumber(scale, 4) })}
      </p>
      <NumbersTable headers={headers} className="neuron-table" caption={t('neuron.caption')}>
        {Array.from({ length: seq }, (_, j) => (
          <tr
            key={j}
            className={j === query ? 'selected' : undefined}
            data-testid="neuron-row"
            data-dot={dots[j]}
            data-score={scores[j]}
            data-weight={weights[j]}
            data-attention={attention[j]}
          >
            <th scope="row">
              <button type="button" onClick={() => onPickQuery(j)} title={t('neuron.pick')} aria-pressed={j === query}>
                {j} {labels[j]}
              </button>
            </th>
            <td className="strip-cell">
              <VectorStrip values={keys.data.subarray(j * d, (j + 1) * d)} range={vectorRange} label={t('neuron.keyLabel', { token: labels[j] })} />
            </td>
            <td className="strip-cell">
              <VectorStrip values={products.data.subarray(j * d, (j + 1) * d)} range={productRange} label={t('neuron.productLabel', { token: labels[j] })} />
            </td>
            <td>{formatNumber(dots[j], 3)}</td>
            <td>{formatNumber(scores[j], 3)}</td>
            <td>
              <span className="inline-bar" style={{ width: `${(weights[j] / largest) * 3}em` }} /> {formatPercent(weights[j])}
            </td>
            <td>{formatPercent(attention[j])}</td>
          </tr>
        ))}
      </NumbersTable>
      <p className="explain" data-testid="neuron-check">
        {t('neuron.check', { diff: diff.toExponential(1) })}
      </p>
      <div className="strip-legends">
        <figure>
          <ColorLegend scale="diverging" domain={[-vectorRange, vectorRange]} label={t('neuron.legendVectors')} format={(v) => formatNumber(v, 2)} />
        </figure>
        <figure>
          <ColorLegend scale="diverging" domain={[-productRange, productRange]} label={t('neuron.legendProducts')} format={(v) => formatNumber(v, 2)} />
        </figure>
      </div>
    </div>
  );
}
