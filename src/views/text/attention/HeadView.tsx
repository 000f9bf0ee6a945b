// bertviz-style head view: the tokens twice, attending tokens on the left and attended tokens on
// the right, a line for every weight of the selected heads of one layer (opacity = weight, one
// colour per head). Hovering or focusing a token keeps only its lines.

import { useMemo, useState } from 'react';
import type { FullBertOutput } from '../../../models/types';
import { headColor } from '../../common/colors';
import { restrict } from '../attentionData';
import { headOf } from '../../../analysis/ndarray';

const ROW = 22;
const WIDTH = 420;
const LEFT_X = 150;
const RIGHT_X = 270;
/** Lines fainter than this are invisible anyway; skipping them keeps long inputs fast. */
const MIN_WEIGHT = 0.01;

type Focus = { side: 'from' | 'to'; index: number } | null;

interface Props {
  output: FullBertOutput;
  layer: number;
  hideSpecial: boolean;
}

export function HeadView({ output, layer, hideSpecial }: Props) {
  const heads = output.attentions[layer].shape[0];
  const [selected, setSelected] = useState<boolean[]>(() => Array(heads).fill(true));
  const [focus, setFocus] = useState<Focus>(null);
  const shown = useMemo(
    () => Array.from({ length: heads }, (_, h) => restrict(output, headOf(output.attentions[layer], h), hideSpecial)),
    [output, layer, heads, hideSpecial],
  );
  const { labels } = shown[0];
  const n = labels.length;
  const isOn = (h: number) => selected[h] ?? true;
  const activeHeads = Array.from({ length: heads }, (_, h) => h).filter(isOn);
  // With several heads drawn over each other, each is fainter so their sum stays readable.
  const opacityScale = 1 / Math.sqrt(Math.max(activeHeads.length, 1));

  const lines = [];
  for (const h of activeHeads) {
    const m = shown[h].matrix.data;
    for (let i = 0; i < n; i++) {
      if (focus?.side === 'from' && focus.index !== i) continue;
      for (let j = 0; j < n; j++) {
        if (focus?.side === 'to' && focus.index !== j) continue;
        const w = m[i * n + j];
        if (w < MIN_WEIGHT) continue;
        lines.push(
          <line
            key={`${h}-${i}-${j}`}
            x1={LEFT_X + 6}
            y1={ROW * (i + 1)}
            x2={RIGHT_X - 6}
            y2={ROW * (j + 1)}
            stroke={headColor(h, heads)}
            strokeOpacity={Math.min(1, w * (focus ? 1 : opacityScale))}
            strokeWidth={2}
          />,
        );
      }
    }
  }

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
      aria-label={`${side === 'from' ? 'attention from' : 'attention to'} ${labels[index]}`}
      onMouseEnter={() => setFocus({ side, index })}
      onMouseLeave={() => setFocus(null)}
      onFocus={() => setFocus({ side, index })}
      onBlur={() => setFocus(null)}
    >
      {labels[index]}
    </text>
  );

  return (
    <div className="head-view">
      <fieldset className="head-toggles">
        <legend>Heads of layer {layer + 1}</legend>
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
      <svg width={WIDTH} height={ROW * (n + 1)} viewBox={`0 0 ${WIDTH} ${ROW * (n + 1)}`} role="img" aria-label={`Head view of layer ${layer + 1}`} data-testid="head-view">
        {lines}
        {labels.map((_, i) => tokenLabel('from', i))}
        {labels.map((_, j) => tokenLabel('to', j))}
      </svg>
    </div>
  );
}
