// bertviz-style head view: the tokens twice, attending tokens on the left and attended tokens on
// the right, a line for every weight of the selected heads of one layer (opacity = weight, one
// colour per head). Hovering or focusing a token keeps only its lines and writes their weights
// next to the tokens at the other end (the mean over the heads shown, or the one head's weight).
// Long inputs scroll inside the view (at most 70 % of the window high), not the page.
//
// The lines are drawn on a canvas once per layer and head selection, and hovering only fades that
// canvas and draws the token's own lines on a second one above it (as BertViz changes opacity
// rather than rebuilding): with 12 heads and 128 tokens there are tens of thousands of lines,
// which as SVG elements blocked the page for a second on every change.

import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FullBertOutput, NdArray } from '../../../models/types';
import { headOf } from '../../../analysis/ndarray';
import { headColor } from '../../common/colors';
import { formatNumber } from '../../common/format';
import { restrict } from '../attentionData';

const ROW = 22;
const WIDTH = 420;
const LEFT_X = 150;
const RIGHT_X = 270;
/** Lines fainter than this are invisible anyway; skipping them keeps long inputs fast. */
const MIN_WEIGHT = 0.01;
/** Opacities are rounded to this many levels so that lines of one level are stroked together. */
const LEVELS = 32;

type Focus = { side: 'from' | 'to'; index: number } | null;

interface Props {
  output: FullBertOutput;
  layer: number;
  hideSpecial: boolean;
}

/**
 * Strokes the lines of `heads` whose weight passes the threshold, `only` restricting them to one
 * token's; returns how many were drawn.
 */
function drawLines(
  canvas: HTMLCanvasElement,
  matrices: NdArray[],
  heads: number[],
  opacityScale: number,
  only: Focus,
): number {
  const context = canvas.getContext('2d');
  if (!context) return 0;
  const ratio = window.devicePixelRatio || 1;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.lineWidth = 2;
  let drawn = 0;
  for (const h of heads) {
    const m = matrices[h].data;
    const n = matrices[h].shape[0];
    const paths = Array.from({ length: LEVELS + 1 }, () => new Path2D());
    for (let i = 0; i < n; i++) {
      if (only?.side === 'from' && only.index !== i) continue;
      for (let j = 0; j < n; j++) {
        if (only?.side === 'to' && only.index !== j) continue;
        const w = m[i * n + j];
        if (w < MIN_WEIGHT) continue;
        const level = Math.max(1, Math.round(Math.min(1, w * opacityScale) * LEVELS));
        paths[level].moveTo(LEFT_X + 6, ROW * (i + 1));
        paths[level].lineTo(RIGHT_X - 6, ROW * (j + 1));
        drawn++;
      }
    }
    context.strokeStyle = headColor(h, matrices.length);
    paths.forEach((path, level) => {
      if (level === 0) return;
      context.globalAlpha = level / LEVELS;
      context.stroke(path);
    });
  }
  context.globalAlpha = 1;
  return drawn;
}

/** Weights between the focused token and every token at the other end, averaged over `heads`. */
function focusWeights(matrices: NdArray[], heads: number[], focus: NonNullable<Focus>): Float32Array {
  const n = matrices[0].shape[0];
  const out = new Float32Array(n);
  for (const h of heads) {
    const m = matrices[h].data;
    for (let k = 0; k < n; k++) out[k] += focus.side === 'from' ? m[focus.index * n + k] : m[k * n + focus.index];
  }
  return out.map((w) => w / heads.length);
}

export function HeadView({ output, layer, hideSpecial }: Props) {
  const { t } = useTranslation();
  const heads = output.attentions[layer].shape[0];
  const [selected, setSelected] = useState<boolean[]>(() => new Array<boolean>(heads).fill(true));
  const [focus, setFocus] = useState<Focus>(null);
  const shown = useMemo(
    () => Array.from({ length: heads }, (_, h) => restrict(output, headOf(output.attentions[layer], h), hideSpecial)),
    [output, layer, heads, hideSpecial],
  );
  const matrices = useMemo(() => shown.map((s) => s.matrix), [shown]);
  const { labels } = shown[0];
  const n = labels.length;
  const height = ROW * (n + 1);
  const isOn = (h: number) => selected[h] ?? true;
  const activeHeads = Array.from({ length: heads }, (_, h) => h).filter(isOn);
  const activeKey = activeHeads.join(',');
  const base = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const [counts, setCounts] = useState({ base: 0, focus: 0 });

  // With several heads drawn over each other, each is fainter so their sum stays readable.
  useEffect(() => {
    if (!base.current) return;
    const on = activeKey ? activeKey.split(',').map(Number) : [];
    const drawn = drawLines(base.current, matrices, on, 1 / Math.sqrt(Math.max(on.length, 1)), null);
    setCounts((c) => ({ ...c, base: drawn }));
  }, [matrices, activeKey, height]);

  useEffect(() => {
    if (!overlay.current) return;
    const on = activeKey ? activeKey.split(',').map(Number) : [];
    const drawn = focus ? drawLines(overlay.current, matrices, on, 1, focus) : drawLines(overlay.current, matrices, [], 1, null);
    setCounts((c) => ({ ...c, focus: drawn }));
  }, [matrices, activeKey, focus, height]);

  const weights = focus && activeHeads.length > 0 ? focusWeights(matrices, activeHeads, focus) : null;
  const caption = !focus
    ? t('attention.headView.hint')
    : activeHeads.length === 1
      ? t(focus.side === 'from' ? 'attention.headView.fromValuesOne' : 'attention.headView.toValuesOne', { token: labels[focus.index], head: activeHeads[0] + 1 })
      : t(focus.side === 'from' ? 'attention.headView.fromValues' : 'attention.headView.toValues', { token: labels[focus.index], heads: activeHeads.length });

  const ratio = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const canvasProps = { width: WIDTH * ratio, height: height * ratio, style: { width: WIDTH, height } };

  const tokenLabel = (side: 'from' | 'to', index: number) => (
    <text
      key={`${side}-${index}`}
      x={side === 'from' ? LEFT_X : RIGHT_X}
      y={ROW * (index + 1)}
      dominantBaseline="middle"
      textAnchor={side === 'from' ? 'end' : 'start'}
      className={focus && focus.side === side && focus.index === index ? 'focused' : undefined}
      tabIndex={0}
      role="button"
      aria-label={t(side === 'from' ? 'attention.headView.from' : 'attention.headView.to', { token: labels[index] })}
      onMouseEnter={() => setFocus({ side, index })}
      onMouseLeave={() => setFocus(null)}
      onFocus={() => setFocus({ side, index })}
      onBlur={() => setFocus(null)}
    >
      {labels[index]}
    </text>
  );

  // The weights sit just inside the column opposite the focused token, where its lines arrive.
  const weightLabel = (k: number) => {
    if (!weights || !focus || weights[k] < MIN_WEIGHT) return null;
    const toRight = focus.side === 'from';
    return (
      <text
        key={`w-${k}`}
        x={toRight ? RIGHT_X - 10 : LEFT_X + 10}
        y={ROW * (k + 1)}
        dominantBaseline="middle"
        textAnchor={toRight ? 'end' : 'start'}
        className="weight"
        data-testid="head-view-weight"
        aria-hidden
      >
        {formatNumber(weights[k], 2)}
      </text>
    );
  };

  return (
    <div className="head-view">
      <fieldset className="head-toggles">
        <legend>{t('attention.headView.heads', { layer: layer + 1 })}</legend>
        {Array.from({ length: heads }, (_, h) => (
          <label key={h} style={{ borderColor: headColor(h, heads) }}>
            <input
              type="checkbox"
              checked={isOn(h)}
              onChange={(e) => setSelected(Array.from({ length: heads }, (_, k) => (k === h ? e.target.checked : isOn(k))))}
            />
            {h + 1}
          </label>
        ))}
      </fieldset>
      <p className="head-view-caption" aria-live="polite" data-testid="head-view-caption">
        {caption}
      </p>
      <div className="head-view-scroll">
        <div
          className="head-view-stack"
          style={{ width: WIDTH, height }}
          role="group"
          aria-label={t('attention.headView.region', { layer: layer + 1 })}
          data-testid="head-view"
          data-lines={focus ? counts.focus : counts.base}
        >
          <canvas ref={base} {...canvasProps} className={focus ? 'faded' : undefined} />
          <canvas ref={overlay} {...canvasProps} />
          <svg width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`}>
            {labels.map((_, i) => tokenLabel('from', i))}
            {labels.map((_, j) => tokenLabel('to', j))}
            {labels.map((_, k) => weightLabel(k))}
          </svg>
        </div>
      </div>
    </div>
  );
}
