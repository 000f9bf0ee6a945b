// One vector (an embedding, a query or key) as a strip of coloured cells, one per dimension, on a diverging scale
// centred at 0 and shared by the strips drawn together, so their magnitudes compare.

import { useEffect, useRef } from 'react';
import { divergingColor } from './colors';

interface Props {
  values: Float32Array;
  /** |value| that maps to the ends of the colour scale. */
  range: number;
  label: string;
}

export function VectorStrip({ values, range, label }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const image = context.createImageData(values.length, 1);
    values.forEach((v, k) => {
      const [r, g, b] = divergingColor(range > 0 ? Math.max(-1, Math.min(1, v / range)) : 0);
      image.data.set([r, g, b, 255], 4 * k);
    });
    context.putImageData(image, 0, 0);
  }, [values, range]);
  return <canvas ref={ref} width={values.length} height={1} className="vector-strip" role="img" aria-label={label} />;
}
