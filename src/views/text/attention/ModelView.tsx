// Every layer × head at once as small attention matrices (rows attend to columns), to spot
// patterns such as "attend to the previous token" or "attend to [SEP]". Hovering one reads the
// weight under the pointer; clicking one opens it.

import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { FullBertOutput, NdArray } from '../../../models/types';
import type { AttentionOptions } from '../../../stores';
import { rowScaledRgba } from '../../common/colors';
import { formatNumber } from '../../common/format';
import { restrict } from '../attentionData';
import { headOf } from '../../../analysis/ndarray';

interface Hover {
  layer: number;
  head: number;
  row: number;
  col: number;
}

function Thumbnail({ matrix, onHover }: { matrix: NdArray; onHover: (cell: { row: number; col: number } | null) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const n = matrix.shape[0];
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    // Each row scaled to its own maximum, as the full-size views do not: thumbnails are for shape.
    context.putImageData(new ImageData(rowScaledRgba(matrix.data, n, n), n, n), 0, 0);
  }, [matrix, n]);
  const cellAt = (event: MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const clamp = (v: number) => Math.min(n - 1, Math.max(0, Math.floor(v * n)));
    return { row: clamp((event.clientY - box.top) / box.height), col: clamp((event.clientX - box.left) / box.width) };
  };
  return (
    <canvas
      ref={ref}
      width={n}
      height={n}
      className="thumbnail"
      onMouseMove={(e) => onHover(cellAt(e))}
      onMouseLeave={() => onHover(null)}
    />
  );
}

const sameCell = (a: Hover | null, b: Hover | null) =>
  a === b || (a !== null && b !== null && a.layer === b.layer && a.head === b.head && a.row === b.row && a.col === b.col);

interface Props {
  output: FullBertOutput;
  hideSpecial: boolean;
  onOpen: (patch: Partial<AttentionOptions>) => void;
}

export function ModelView({ output, hideSpecial, onOpen }: Props) {
  const { t } = useTranslation();
  const heads = output.attentions[0].shape[0];
  const shown = useMemo(
    () => output.attentions.map((attention) => Array.from({ length: heads }, (_, h) => restrict(output, headOf(attention, h), hideSpecial))),
    [output, heads, hideSpecial],
  );
  const [hover, setHover] = useState<Hover | null>(null);
  const hovered = hover && shown[hover.layer]?.[hover.head];
  const n = hovered ? hovered.labels.length : 0;
  const value =
    hover && hovered && hover.row < n && hover.col < n
      ? t('attention.modelView.value', {
          layer: hover.layer + 1,
          head: hover.head + 1,
          from: hovered.labels[hover.row],
          to: hovered.labels[hover.col],
          value: formatNumber(hovered.matrix.data[hover.row * n + hover.col], 3),
        })
      : t('attention.modelView.hint');
  return (
    <>
      <p className="model-view-value" aria-live="polite" data-testid="model-view-value">
        {value}
      </p>
      <div className="model-view" data-testid="model-view" style={{ gridTemplateColumns: `auto repeat(${heads}, minmax(28px, 96px))` }}>
        <span />
        {Array.from({ length: heads }, (_, h) => (
          <span key={h} className="axis-label">
            {t('attention.modelView.head', { n: h + 1 })}
          </span>
        ))}
        {shown.map((layerShown, layer) => [
          <span key={`l${layer}`} className="axis-label">
            {t('attention.modelView.layer', { n: layer + 1 })}
          </span>,
          ...layerShown.map(({ matrix }, h) => (
            <button
              key={`${layer}-${h}`}
              type="button"
              className="thumbnail-button"
              aria-label={t('attention.modelView.open', { layer: layer + 1, head: h + 1 })}
              onClick={() => onOpen({ view: 'matrix', layer, head: h })}
            >
              <Thumbnail matrix={matrix} onHover={(cell) => setHover((before) => (sameCell(before, cell && { layer, head: h, ...cell }) ? before : cell && { layer, head: h, ...cell }))} />
            </button>
          )),
        ])}
      </div>
    </>
  );
}
