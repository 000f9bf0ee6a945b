// A model input drawn as the image it came from (see pixelValuesImage), one canvas pixel per input pixel.

import { useEffect, useMemo, useRef } from 'react';
import type { ImagePreprocessing, NdArray } from '../../../models/types';
import { pixelValuesImage } from '../vitData';

interface Props {
  pixels: NdArray;
  preprocessing: ImagePreprocessing;
  label: string;
  testId?: string;
}

export function PixelsCanvas({ pixels, preprocessing, label, testId }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const image = useMemo(() => pixelValuesImage(pixels, preprocessing), [pixels, preprocessing]);
  useEffect(() => canvas.current?.getContext('2d')?.putImageData(image, 0, 0), [image]);
  return <canvas ref={canvas} className="lab-pixels" width={image.width} height={image.height} role="img" aria-label={label} data-testid={testId} />;
}
