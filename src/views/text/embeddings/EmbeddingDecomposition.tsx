// BERT's input embedding is the sum of three learned lookups: the token (vocabulary id), the
// segment (A or B) and the position. This shows each part of every token, their sum, and the
// sum after LayerNorm, which is what the first layer receives (ALBERT and ELECTRA project it up
// to the hidden size first; DistilBERT has no segment embedding).

import { useState } from 'react';
import { rowOf } from '../../../analysis/ndarray';
import { displayToken } from '../../../models/token_text';
import type { FullBertOutput } from '../../../models/types';
import { ColorLegend } from '../../common/Heatmap';
import { norm, summedRow } from './vectorMath';
import { VectorStrip } from '../../common/VectorStrip';

export function EmbeddingDecomposition({ output }: { output: FullBertOutput }) {
  const [selected, setSelected] = useState(1);
  const { word, position, token_type, normalized } = output.embeddings;
  const parts = token_type ? [word, token_type, position] : [word, position];
  const tokens = output.encoding.tokens.map((t) => displayToken(t, output.encoding.tokenizer));
  const at = Math.min(selected, tokens.length - 1);
  const strips = [
    { name: 'token', values: rowOf(word, at) },
    ...(token_type ? [{ name: 'segment', values: rowOf(token_type, at) }] : []),
    { name: 'position', values: rowOf(position, at) },
    { name: 'sum', values: summedRow(parts, at) },
    { name: 'after LayerNorm', values: rowOf(normalized, at) },
  ];
  const last = strips.length - 1;
  const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  // The three parts and their sum share one scale so their sizes compare; LayerNorm rescales the
  // sum to unit variance, so its row gets its own.
  const partsRange = Math.max(...strips.slice(0, last).map((s) => maxAbs(s.values)));
  const normRange = maxAbs(strips[last].values);
  return (
    <div className="embedding-decomposition">
      <table className="numbers" data-testid="embedding-table">
        <caption>Vector lengths (L2 norm) of each part; select a row to see its vectors.</caption>
        <thead>
          <tr>
            <th scope="col">token</th>
            <th scope="col">‖token‖</th>
            <th scope="col">‖segment‖</th>
            <th scope="col">‖position‖</th>
            <th scope="col">‖sum‖</th>
            <th scope="col">‖LayerNorm(sum)‖</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t, p) => (
            <tr key={p} className={p === at ? 'selected' : undefined} aria-selected={p === at}>
              <th scope="row">
                <button type="button" onClick={() => setSelected(p)}>
                  {p} {t}
                </button>
              </th>
              <td>{norm(rowOf(word, p)).toFixed(2)}</td>
              <td>{token_type ? norm(rowOf(token_type, p)).toFixed(2) : '–'}</td>
              <td>{norm(rowOf(position, p)).toFixed(2)}</td>
              <td>{norm(summedRow(parts, p)).toFixed(2)}</td>
              <td>{norm(rowOf(normalized, p)).toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="strips">
        <p className="strips-caption">Token {at} “{tokens[at]}”: every dimension as a cell.</p>
        {strips.map((s, i) => (
          <div key={s.name} className="strip-row">
            <span className="strip-name">{s.name}</span>
            <VectorStrip values={s.values} range={i < last ? partsRange : normRange} label={`${s.name} embedding of ${tokens[at]}`} />
          </div>
        ))}
        <div className="strip-legends">
          <figure>
            <ColorLegend scale="diverging" domain={[-partsRange, partsRange]} label="token, segment, position, sum" format={(v) => v.toFixed(2)} />
          </figure>
          <figure>
            <ColorLegend scale="diverging" domain={[-normRange, normRange]} label="after LayerNorm" format={(v) => v.toFixed(2)} />
          </figure>
        </div>
      </div>
    </div>
  );
}
