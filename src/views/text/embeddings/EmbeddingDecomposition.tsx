// BERT's input embedding is the sum of three learned lookups: the token (WordPiece id), the
// segment (A or B) and the position. This shows each part of every token, their sum, and the
// sum after LayerNorm, which is what the first layer receives.

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { rowOf } from '../../../analysis/ndarray';
import type { FullBertOutput } from '../../../models/types';
import { formatNumber } from '../../common/format';
import { ColorLegend } from '../../common/Heatmap';
import { ScrollTable } from '../../common/ScrollTable';
import { norm, summedRow } from './vectorMath';
import { VectorStrip } from './VectorStrip';

export function EmbeddingDecomposition({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const [selected, setSelected] = useState(1);
  const { word, position, token_type } = output.embeddings;
  const parts = [word, token_type, position];
  const tokens = output.encoding.tokens;
  const at = Math.min(selected, tokens.length - 1);
  const strips = [
    { part: 'token', values: rowOf(word, at) },
    { part: 'segment', values: rowOf(token_type, at) },
    { part: 'position', values: rowOf(position, at) },
    { part: 'sum', values: summedRow(parts, at) },
    { part: 'layerNorm', values: rowOf(output.hidden_states[0], at) },
  ] as const;
  const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  // The three parts and their sum share one scale so their sizes compare; LayerNorm rescales the
  // sum to unit variance, so its row gets its own.
  const partsRange = Math.max(...strips.slice(0, 4).map((s) => maxAbs(s.values)));
  const normRange = maxAbs(strips[4].values);
  const two = (v: number) => formatNumber(v, 2);
  const partName = (part: (typeof strips)[number]['part']) => t(`text.embeddings.parts.${part}`);
  return (
    <div className="embedding-decomposition">
      <ScrollTable hint={t('text.embeddings.scrollHint')} maxHeight={360}>
        <table className="numbers" data-testid="embedding-table">
          <caption>{t('text.embeddings.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('text.embeddings.token')}</th>
              {strips.map((s) => (
                <th key={s.part} scope="col">
                  ‖{s.part === 'layerNorm' ? `LayerNorm(${partName('sum')})` : partName(s.part)}‖
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {tokens.map((token, p) => (
              <tr key={p} className={p === at ? 'selected' : undefined} aria-selected={p === at}>
                <th scope="row">
                  <button type="button" onClick={() => setSelected(p)}>
                    {p} {token}
                  </button>
                </th>
                <td>{two(norm(rowOf(word, p)))}</td>
                <td>{two(norm(rowOf(token_type, p)))}</td>
                <td>{two(norm(rowOf(position, p)))}</td>
                <td>{two(norm(summedRow(parts, p)))}</td>
                <td>{two(norm(rowOf(output.hidden_states[0], p)))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
      <div className="strips">
        <p className="strips-caption">{t('text.embeddings.stripsCaption', { position: at, token: tokens[at] })}</p>
        {strips.map((s, i) => (
          <div key={s.part} className="strip-row">
            <span className="strip-name">{partName(s.part)}</span>
            <VectorStrip values={s.values} range={i < 4 ? partsRange : normRange} label={t('text.embeddings.stripLabel', { part: partName(s.part), token: tokens[at] })} />
          </div>
        ))}
        <div className="strip-legends">
          <figure>
            <ColorLegend scale="diverging" domain={[-partsRange, partsRange]} label={t('text.embeddings.legendParts')} format={two} />
          </figure>
          <figure>
            <ColorLegend scale="diverging" domain={[-normRange, normRange]} label={t('text.embeddings.legendLayerNorm')} format={two} />
          </figure>
        </div>
      </div>
    </div>
  );
}
