// The neuron view (after BertViz): one head's query vector for one token, every token's key
// vector, their elementwise products, the dot products, the 1/√d scaling and the softmax, next to
// the attention row the same forward pass returned. Shared by the text (BERT) and image (ViT)
// workspaces; the numbers come from src/analysis/neuron.ts.

import { useMemo } from 'react';
import type { NeuronView as NeuronNumbers } from '../../analysis/neuron';
import { ColorLegend } from './Heatmap';
import { formatPercent } from './format';
import { VectorStrip } from './VectorStrip';

const TEXT = {
  query: 'Query',
  queryVector: (d: number) => `its query vector q (${d} numbers, one cell each)`,
  formula: (d: number, scale: number) =>
    `score = q·k / √d with d = ${d} (× ${scale.toFixed(4)}), then softmax over the row: weight = exp(score) / Σ exp(score). ` +
    'Nothing else is added before the softmax: a single unpadded input needs no attention mask.',
  headers: ['key token', 'key vector k', 'q × k (elementwise)', 'q·k (sum)', 'q·k / √d', 'softmax', 'attention returned'],
  caption: 'One row per token the query can attend to (click a token to make it the query). Summing a row of q × k gives q·k.',
  pick: 'make this token the query',
  check: (diff: number) => `Largest difference between this softmax and the attention row the model returned: ${diff.toExponential(1)}`,
  legendVectors: 'q and k',
  legendProducts: 'q × k',
};

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
  const { d, scale, keys, products, dots, scores, weights } = numbers;
  const seq = dots.length;
  const vectorRange = useMemo(() => Math.max(maxAbs(numbers.query), maxAbs(keys.data)), [numbers.query, keys]);
  const productRange = useMemo(() => maxAbs(products.data), [products]);
  const diff = weights.reduce((m, w, j) => Math.max(m, Math.abs(w - attention[j])), 0);
  const largest = weights.reduce((m, w) => Math.max(m, w), 0);
  return (
    <div className="neuron-view" data-testid="neuron-view" data-query={query}>
      <div className="strip-row neuron-query">
        <span>
          {TEXT.query} <strong>{labels[query]}</strong>
        </span>
        <VectorStrip values={numbers.query} range={vectorRange} label={`${TEXT.query} ${labels[query]}: ${TEXT.queryVector(d)}`} />
      </div>
      <p className="explain">
        {labels[query]}: {TEXT.queryVector(d)}. {TEXT.formula(d, scale)}
      </p>
      <div className="neuron-scroll">
        <table className="numbers neuron-table">
          <caption>{TEXT.caption}</caption>
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
                  <button type="button" onClick={() => onPickQuery(j)} title={TEXT.pick} aria-pressed={j === query}>
                    {j} {labels[j]}
                  </button>
                </th>
                <td className="strip-cell">
                  <VectorStrip values={keys.data.subarray(j * d, (j + 1) * d)} range={vectorRange} label={`key vector of ${labels[j]}`} />
                </td>
                <td className="strip-cell">
                  <VectorStrip values={products.data.subarray(j * d, (j + 1) * d)} range={productRange} label={`q × k of ${labels[j]}`} />
                </td>
                <td>{dots[j].toFixed(3)}</td>
                <td>{scores[j].toFixed(3)}</td>
                <td>
                  <span className="inline-bar" style={{ width: `${(weights[j] / largest) * 3}em` }} /> {formatPercent(weights[j])}
                </td>
                <td>{formatPercent(attention[j])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="explain" data-testid="neuron-check">
        {TEXT.check(diff)}
      </p>
      <div className="strip-legends">
        <figure>
          <ColorLegend scale="diverging" domain={[-vectorRange, vectorRange]} label={TEXT.legendVectors} format={(v) => v.toFixed(2)} />
        </figure>
        <figure>
          <ColorLegend scale="diverging" domain={[-productRange, productRange]} label={TEXT.legendProducts} format={(v) => v.toFixed(2)} />
        </figure>
      </div>
    </div>
  );
}
