// The ViT paper's Figure 7 (centre): for every patch position, a small map of the cosine
// similarity of its learned position embedding to those of all positions. The model is told
// nothing about rows and columns; if these tiles show a bright spot around their own position
// and bright bands along their own row and column, it learned the 2-D layout from data.

import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { rowsOf } from '../../analysis/ndarray';
import type { VitModelInfo } from '../../models/types';
import { useAnalysis } from '../../stores/analysis';
import { toRgba } from '../common/colors';
import { ColorLegend, Heatmap } from '../common/Heatmap';
import { formatNumber } from '../common/format';
import { Panel } from '../common/Panel';

/** The paper's colour range: cosine similarity from −1 to 1. */
const DOMAIN: [number, number] = [-1, 1];

export function PositionEmbeddingGrid({ info }: { info: VitModelInfo }) {
  const { t } = useTranslation();
  const grid = info.trained_grid;
  const [rows, cols] = grid;
  const n = rows * cols;
  const prefix = info.prefix_tokens;
  const args = useMemo(() => ({ positions: rowsOf(info.position_embeddings, prefix, prefix + n), grid }), [info, grid, n, prefix]);
  const { value: computed, input, error } = useAnalysis('positionStructure', args);
  // A structure of the previous model stays out of sight until this model's is ready.
  const structure = input === args ? computed : null;
  const [focus, setFocus] = useState(0);
  const position = Math.min(focus, n - 1);
  const canvas = useRef<HTMLCanvasElement>(null);
  // Tiles of rows×cols pixels with one-pixel gaps, in the layout of the positions themselves.
  const [width, height] = [cols * (cols + 1) - 1, rows * (rows + 1) - 1];

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context || !structure) return;
    context.clearRect(0, 0, width, height);
    for (let p = 0; p < n; p++) {
      const tile = new ImageData(toRgba(structure.similarity.data.subarray(p * n, (p + 1) * n), DOMAIN, 'sequential'), cols, rows);
      context.putImageData(tile, (p % cols) * (cols + 1), Math.floor(p / cols) * (rows + 1));
    }
  }, [structure, n, rows, cols, width, height]);

  const pick = (event: MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const c = Math.floor(((event.clientX - box.left) / box.width) * cols);
    const r = Math.floor(((event.clientY - box.top) / box.height) * rows);
    setFocus(Math.min(rows - 1, Math.max(0, r)) * cols + Math.min(cols - 1, Math.max(0, c)));
  };

  return (
    <Panel
      title={t('image.positions.title')}
      exportName="vit-position-embeddings"
      explain={t('image.positions.explain')}
      data={() => ({ grid, structure: structure?.mean, per_position: structure?.perPosition, similarity: structure?.similarity })}
    >
      {error && (
        <p role="alert" className="error-box">
          {t('image.positions.failed', { message: error })}
        </p>
      )}
      {!structure && !error && <p className="explain">{t('image.positions.computing')}</p>}
      {structure && (
        <p className="big-number" data-testid="position-structure">
          {t('image.positions.structure')} <strong>{formatNumber(structure.mean, 3)}</strong>
        </p>
      )}
      {structure && (
        <div className="map-pair">
          <figure data-testid="position-grid">
            <canvas
              ref={canvas}
              width={width}
              height={height}
              className="pixelated"
              role="img"
              aria-label={t('image.positions.gridAria', { count: n, rows, cols })}
              onClick={pick}
            />
            <ColorLegend scale="sequential" domain={DOMAIN} label={t('image.positions.legend')} />
          </figure>
          <figure>
            <Heatmap
              data={structure.similarity.data.subarray(position * n, (position + 1) * n)}
              rows={rows}
              cols={cols}
              domain={DOMAIN}
              ariaLabel={t('image.positions.oneAria', { position })}
              selected={{ row: Math.floor(position / cols), col: position % cols }}
              onCellClick={({ row, col }) => setFocus(row * cols + col)}
              cellLabel={({ row, col }) => t('image.positions.cell', { row: row + 1, col: col + 1 })}
              legend={false}
            />
            <figcaption>
              {t('image.positions.caption', {
                position,
                row: Math.floor(position / cols) + 1,
                col: (position % cols) + 1,
                rho: formatNumber(structure.perPosition[position], 3),
              })}
            </figcaption>
          </figure>
        </div>
      )}
    </Panel>
  );
}
