// A matrix drawn as coloured cells: attention matrices, similarity maps, per-patch values.
// The canvas has exactly one pixel per cell and is scaled by CSS with `image-rendering:
// pixelated`, so cells stay crisp squares at any size and redrawing costs one putImageData.
// Keyboard: focus it, move the highlighted cell with the arrow keys (Home/End jump to the row's
// ends), Enter or Space "clicks" it; the current cell is announced to screen readers.
// The value under the pointer shows in a tooltip kept inside the matrix (a tooltip sticking out
// made phone screens scroll sideways); a tap elsewhere closes it, as touch has no "mouse leave".

import { useEffect, useId, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { autoDomain, legendGradient, legendTicks, toImageData, type ScaleKind } from './colors';
import { formatNumber } from './format';

export interface Cell {
  row: number;
  col: number;
}

export interface HeatmapProps {
  /** rows × cols values, row-major. */
  data: Float32Array;
  rows: number;
  cols: number;
  rowLabels?: string[];
  colLabels?: string[];
  scale?: ScaleKind;
  /** Value range of the colour scale; by default the data's range (symmetric around 0 if diverging). */
  domain?: [number, number];
  onCellHover?: (cell: Cell | null) => void;
  onCellClick?: (cell: Cell) => void;
  /** A cell to outline, e.g. the one the user picked elsewhere. */
  selected?: Cell | null;
  ariaLabel: string;
  /** CSS width of the matrix; the height follows from rows / cols. */
  width?: number | string;
  legend?: boolean;
  format?: (value: number) => string;
  /** How the tooltip names a cell; by default "row label → column label". */
  cellLabel?: (cell: Cell) => string;
  /** A picture under the cells (e.g. the input image under per-patch values); cells then become translucent. */
  underlay?: ImageData | null;
  /** Opacity of the cells over an underlay. */
  overlayOpacity?: number;
  /** Index ticks (0-based) along the top and left edge, for matrices too large for labels. */
  indexTicks?: boolean;
}

/** Labels get unreadable below this many pixels per cell; beyond it they are left to the tooltip. */
const MAX_LABELLED = 48;

export const formatValue = (v: number) =>
  Number.isNaN(v) ? '—' : Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(2) : formatNumber(v, 3);

/** Tick positions 0, step, 2·step, … below `n`, with a 1-2-5 step giving at most about 8 ticks. */
export function indexTickPositions(n: number): number[] {
  const target = n / 8;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(target, 1)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= target) ?? 10 * magnitude;
  return Array.from({ length: Math.ceil(n / step) }, (_, i) => i * step);
}

const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};

function cellBox({ row, col }: Cell, rows: number, cols: number): CSSProperties {
  return {
    position: 'absolute',
    left: `${(col / cols) * 100}%`,
    top: `${(row / rows) * 100}%`,
    width: `${100 / cols}%`,
    height: `${100 / rows}%`,
    pointerEvents: 'none',
    boxSizing: 'border-box',
  };
}

export function Heatmap({
  data,
  rows,
  cols,
  rowLabels,
  colLabels,
  scale = 'sequential',
  domain,
  onCellHover,
  onCellClick,
  selected,
  ariaLabel,
  width = '100%',
  legend = true,
  format = formatValue,
  underlay = null,
  overlayOpacity = 0.6,
  cellLabel,
  indexTicks = false,
}: HeatmapProps) {
  const { t } = useTranslation();
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const underlayRef = useRef<HTMLCanvasElement>(null);
  const [cursor, setCursor] = useState<Cell | null>(null);
  const [pointerInside, setPointerInside] = useState(false);
  const statusId = useId();
  const valid = Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0 && data.length === rows * cols;
  const range = useMemo(() => domain ?? autoDomain(data, scale), [domain, data, scale]);

  useEffect(() => {
    const context = canvasRef.current?.getContext('2d');
    if (!context || !valid) return;
    context.putImageData(toImageData(data, rows, cols, range, scale), 0, 0);
  }, [data, rows, cols, range, scale, valid]);

  useEffect(() => {
    if (underlay) underlayRef.current?.getContext('2d')?.putImageData(underlay, 0, 0);
  }, [underlay]);

  // A cursor left over from a larger matrix would point outside this one.
  const current = cursor && cursor.row < rows && cursor.col < cols ? cursor : null;

  // Touch has no mouse-leave: a tap outside the matrix closes its tooltip.
  const tooltipOpen = current !== null;
  useEffect(() => {
    if (!tooltipOpen) return;
    const close = (event: PointerEvent) => {
      if (!boxRef.current?.contains(event.target as Node)) {
        setCursor(null);
        onCellHover?.(null);
      }
    };
    document.addEventListener('pointerdown', close);
    return () => document.removeEventListener('pointerdown', close);
  }, [tooltipOpen, onCellHover]);

  if (!valid) {
    return (
      <p role="alert" className="error">
        {t('heatmap.invalid', { what: ariaLabel, values: data.length, rows, cols })}
      </p>
    );
  }

  const labelOf =
    cellLabel ??
    (({ row, col }: Cell) => `${rowLabels?.[row] ?? t('heatmap.row', { n: row + 1 })} → ${colLabels?.[col] ?? t('heatmap.column', { n: col + 1 })}`);
  const describe = (cell: Cell) => `${labelOf(cell)}: ${format(data[cell.row * cols + cell.col])}`;

  const moveTo = (cell: Cell | null) => {
    setCursor(cell);
    onCellHover?.(cell);
  };

  const cellAt = (event: MouseEvent<HTMLDivElement>): Cell => {
    const box = event.currentTarget.getBoundingClientRect();
    const col = Math.floor(((event.clientX - box.left) / box.width) * cols);
    const row = Math.floor(((event.clientY - box.top) / box.height) * rows);
    return { row: Math.min(rows - 1, Math.max(0, row)), col: Math.min(cols - 1, Math.max(0, col)) };
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = current ?? { row: 0, col: 0 };
    const moves: Record<string, Cell> = {
      ArrowUp: { row: Math.max(0, at.row - 1), col: at.col },
      ArrowDown: { row: Math.min(rows - 1, at.row + 1), col: at.col },
      ArrowLeft: { row: at.row, col: Math.max(0, at.col - 1) },
      ArrowRight: { row: at.row, col: Math.min(cols - 1, at.col + 1) },
      Home: { row: at.row, col: 0 },
      End: { row: at.row, col: cols - 1 },
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(current ? moves[event.key] : at);
    } else if ((event.key === 'Enter' || event.key === ' ') && onCellClick) {
      event.preventDefault();
      moveTo(at);
      onCellClick(at);
    }
  };

  const showRowLabels = rowLabels && rows <= MAX_LABELLED;
  const showColLabels = colLabels && cols <= MAX_LABELLED;
  const labelStyle: CSSProperties = { fontSize: 11, overflow: 'hidden', whiteSpace: 'nowrap', lineHeight: 1 };
  // The tooltip grows away from the nearer edge and never past the matrix.
  const rightHalf = current !== null && current.col > cols / 2;

  return (
    <figure className="heatmap" style={{ margin: 0, width }}>
      <div
        style={{ display: 'grid', gridTemplateColumns: showRowLabels || indexTicks ? 'auto minmax(0, 1fr)' : 'minmax(0, 1fr)' }}
      >
        {indexTicks && (
          <>
            <div />
            <div aria-hidden className="index-ticks index-ticks-top">
              {indexTickPositions(cols).map((c) => (
                <span key={c} style={{ left: `${((c + 0.5) / cols) * 100}%` }}>
                  {c}
                </span>
              ))}
            </div>
            <div aria-hidden className="index-ticks index-ticks-left">
              {indexTickPositions(rows).map((r) => (
                <span key={r} style={{ top: `${((r + 0.5) / rows) * 100}%` }}>
                  {r}
                </span>
              ))}
            </div>
          </>
        )}
        {showColLabels && !indexTicks && (
          <>
            {showRowLabels && <div />}
            <div aria-hidden style={{ display: 'grid', gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, maxHeight: 80 }}>
              {colLabels.map((label, c) => (
                <span key={c} style={{ ...labelStyle, writingMode: 'vertical-rl', transform: 'rotate(180deg)', textAlign: 'left', justifySelf: 'center' }}>
                  {label}
                </span>
              ))}
            </div>
          </>
        )}
        {showRowLabels && !indexTicks && (
          <div aria-hidden style={{ display: 'grid', gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))`, paddingRight: 4 }}>
            {rowLabels.map((label, r) => (
              <span key={r} style={{ ...labelStyle, alignSelf: 'center', textAlign: 'right' }}>
                {label}
              </span>
            ))}
          </div>
        )}
        <div
          ref={boxRef}
          role="application"
          aria-roledescription={t('heatmap.roleDescription')}
          aria-label={t(onCellClick ? 'heatmap.ariaSelect' : 'heatmap.aria', { what: ariaLabel, rows, cols })}
          aria-describedby={statusId}
          tabIndex={0}
          data-testid="heatmap"
          style={{ position: 'relative', aspectRatio: `${cols} / ${rows}`, cursor: onCellClick ? 'pointer' : 'crosshair' }}
          onKeyDown={onKeyDown}
          onMouseMove={(e) => {
            const cell = cellAt(e);
            setPointerInside(true);
            if (!current || cell.row !== current.row || cell.col !== current.col) moveTo(cell);
          }}
          onMouseLeave={() => {
            setPointerInside(false);
            moveTo(null);
          }}
          onClick={(e) => onCellClick?.(cellAt(e))}
          onBlur={() => {
            if (!pointerInside) moveTo(null);
          }}
        >
          {underlay && (
            <canvas
              ref={underlayRef}
              width={underlay.width}
              height={underlay.height}
              style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', imageRendering: 'pixelated' }}
            />
          )}
          <canvas
            ref={canvasRef}
            width={cols}
            height={rows}
            style={{
              position: 'relative',
              display: 'block',
              width: '100%',
              height: '100%',
              imageRendering: 'pixelated',
              opacity: underlay ? overlayOpacity : 1,
            }}
          />
          {selected && selected.row < rows && selected.col < cols && (
            <div style={{ ...cellBox(selected, rows, cols), outline: '2px solid #d55e00' }} />
          )}
          {current && (
            <>
              <div style={{ ...cellBox(current, rows, cols), outline: '2px solid var(--fg, #000)', boxShadow: '0 0 0 3px #fff' }} />
              <div
                role="tooltip"
                style={{
                  position: 'absolute',
                  ...(rightHalf
                    ? { right: `${(1 - (current.col + 1) / cols) * 100}%`, maxWidth: `${((current.col + 1) / cols) * 100}%` }
                    : { left: `${(current.col / cols) * 100}%`, maxWidth: `${(1 - current.col / cols) * 100}%` }),
                  top: `${((current.row + 1) / rows) * 100}%`,
                  width: 'max-content',
                  background: 'var(--panel, #fff)',
                  border: '1px solid var(--line, #ccc)',
                  padding: '2px 6px',
                  fontSize: 12,
                  overflowWrap: 'anywhere',
                  pointerEvents: 'none',
                  zIndex: 2,
                }}
              >
                {describe(current)}
              </div>
            </>
          )}
        </div>
      </div>
      <div id={statusId} aria-live="polite" style={visuallyHidden}>
        {current ? describe(current) : ''}
      </div>
      {legend && <ColorLegend scale={scale} domain={range} format={format} />}
    </figure>
  );
}

/** Colour bar with the low, middle and high values of a scale. */
export function ColorLegend({
  scale,
  domain,
  format = formatValue,
  label,
}: {
  scale: ScaleKind;
  domain: [number, number];
  format?: (v: number) => string;
  label?: string;
}) {
  return (
    <div className="color-legend" style={{ fontSize: 11, maxWidth: 240, marginTop: 4 }}>
      {label && <div>{label}</div>}
      <div aria-hidden style={{ height: 8, background: legendGradient(scale), borderRadius: 2 }} />
      <div style={{ display: 'flex', justifyContent: 'space-between' }}>
        {legendTicks(domain).map((t, i) => (
          <span key={i}>{format(t)}</span>
        ))}
      </div>
    </div>
  );
}
