// BERT's input embedding is the sum of three learned lookups: the token (vocabulary id), the
// segment (A or B) and the position. This shows each part of every token, their sum, and the
// sum after LayerNorm, which is what the first layer receives (ALBERT and ELECTRA project it up
// to the hidden size first; DistilBERT has no segment embedding).

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { rowOf } from '../../../analysis/ndarray';
import { displayToken } from '../../../models/token_text';
import type { FullBertOutput } from '../../../models/types';
import { formatNumber } from '../../common/format';
import { ColorLegend } from '../../common/Heatmap';
import { ScrollTable } from '../../common/ScrollTable';
import { norm, summedRow } from './vectorMath';
import { VectorStrip } from '../../common/VectorStrip';

type Part = 'token' | 'segment' | 'position' | 'sum' | 'layerNorm';

export function EmbeddingDecomposition({ output }: { output: FullBertOutput }) {
  const { t } = useTranslation();
  const [selected, setSelected] = useState(1);
  const { word, position, token_type, normalized } = output.embeddings;
  const parts = token_type ? [word, token_type, position] : [word, position];
  const tokens = output.encoding.tokens.map((token) => displayToken(token, output.encoding.tokenizer));
  const at = Math.min(selected, tokens.length - 1);
  const strips: { part: Part; values: Float32Array }[] = [
    { part: 'token', values: rowOf(word, at) },
    ...(token_type ? [{ part: 'segment' as const, values: rowOf(token_type, at) }] : []),
    { part: 'position', values: rowOf(position, at) },
    { part: 'sum', values: summedRow(parts, at) },
    { part: 'layerNorm', values: rowOf(normalized, at) },
  ];
  const last = strips.length - 1;
  const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  // The three parts and their sum share one scale so their sizes compare; LayerNorm rescales the
  // sum to unit variance, so its row gets its own.
  const partsRange = Math.max(...strips.slice(0, last).map((s) => maxAbs(s.values)));
  const normRange = maxAbs(strips[last].values);
  const two = (v: number) => formatNumber(v, 2);
  const partName = (part: Part) => t(`text.embeddings.parts.${part}`);
  const columns: Part[] = ['token', 'segment', 'position', 'sum', 'layerNorm'];
  return (
    <div className="embedding-decomposition">
      <ScrollTable hint={t('text.embeddings.scrollHint')} maxHeight={360}>
        <table className="numbers" data-testid="embedding-table">
          <caption>{t('text.embeddings.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('text.embeddings.token')}</th>
              {columns.map((part) => (
                <th key={part} scope="col">
                  ‖{part === 'layerNorm' ? `LayerNorm(${partName('sum')})` : partName(part)}‖
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
                <td>{token_type ? two(norm(rowOf(token_type, p))) : '–'}</td>
                <td>{two(norm(rowOf(position, p)))}</td>
                <td>{two(norm(summedRow(parts, p)))}</td>
                <td>{two(norm(rowOf(normalized, p)))}</td>
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
            <VectorStrip
              values={s.values}
              range={i < last ? partsRange : normRange}
              label={t('text.embeddings.stripLabel', { part: partName(s.part), token: tokens[at] })}
            />
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
