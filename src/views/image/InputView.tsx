// The image exactly as the model received it (resized, channel-converted), with the patch grid
// the model cut it into: each square becomes one token.

import { useEffect, useRef } from 'react';

export function InputView({ pixels, grid }: { pixels: ImageData; grid: [number, number] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => canvas.current?.getContext('2d')?.putImageData(pixels, 0, 0), [pixels]);
  const [rows, cols] = grid;
  return (
    <figure className="input-view" style={{ aspectRatio: `${pixels.width} / ${pixels.height}` }}>
      <canvas ref={canvas} width={pixels.width} height={pixels.height} aria-label="Preprocessed model input" role="img" />
      <svg viewBox={`0 0 ${cols} ${rows}`} preserveAspectRatio="none" aria-hidden>
        {Array.from({ length: rows - 1 }, (_, r) => (
          <line key={`r${r}`} x1={0} x2={cols} y1={r + 1} y2={r + 1} />
        ))}
        {Array.from({ length: cols - 1 }, (_, c) => (
          <line key={`c${c}`} y1={0} y2={rows} x1={c + 1} x2={c + 1} />
        ))}
      </svg>
      <figcaption>
        {pixels.width}×{pixels.height} pixels, {rows}×{cols} patches of {pixels.height / rows} pixels
      </figcaption>
    </figure>
  );
}
