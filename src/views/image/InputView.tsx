// The image exactly as the model received it (resized, channel-converted), with the patch grid
// the model cut it into: each square becomes one token. Below it, what the preprocessing did to
// the picture's shape: HF's ViT processors resize to a fixed size whatever the aspect ratio, so a
// photo can reach the model squashed, which is worth knowing before reading its prediction.

import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImagePreprocessing } from '../../models/types';
import { readImageHeader } from '../../models/vit/image_header';

/** Aspect ratios closer than this count as kept (rounding a size to whole pixels changes them a little). */
const ASPECT_TOLERANCE = 0.02;

function ShapeNote({ bytes, name, preprocessing }: { bytes: ArrayBuffer; name: string; preprocessing: ImagePreprocessing }) {
  const { t } = useTranslation();
  const size = useMemo(() => {
    try {
      return readImageHeader(new Uint8Array(bytes), name);
    } catch {
      return null;
    }
  }, [bytes, name]);
  const { resize, center_crop: crop } = preprocessing;
  if (!size || !resize) return null;
  const stretch = size.width / size.height / (resize.width / resize.height);
  if (Math.abs(Math.log(stretch)) <= Math.log(1 + ASPECT_TOLERANCE)) return null;
  return (
    <p role="note" className="warning" data-testid="aspect-note">
      {t('image.input.squashed', {
        width: size.width,
        height: size.height,
        toWidth: resize.width,
        toHeight: resize.height,
        how: t(stretch > 1 ? 'image.input.narrower' : 'image.input.wider'),
      })}
      {crop && ` ${t('image.input.cropped', { width: crop.width, height: crop.height })}`}
    </p>
  );
}

interface Props {
  pixels: ImageData;
  grid: [number, number];
  /** The encoded image the user gave, to read its original size. */
  source: { name: string; bytes: ArrayBuffer };
  preprocessing: ImagePreprocessing;
}

export function InputView({ pixels, grid, source, preprocessing }: Props) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => canvas.current?.getContext('2d')?.putImageData(pixels, 0, 0), [pixels]);
  const [rows, cols] = grid;
  return (
    <>
      <figure className="input-view" style={{ aspectRatio: `${pixels.width} / ${pixels.height}` }}>
        <canvas ref={canvas} width={pixels.width} height={pixels.height} aria-label={t('image.input.aria')} role="img" />
        <svg viewBox={`0 0 ${cols} ${rows}`} preserveAspectRatio="none" aria-hidden>
          {Array.from({ length: rows - 1 }, (_, r) => (
            <line key={`r${r}`} x1={0} x2={cols} y1={r + 1} y2={r + 1} />
          ))}
          {Array.from({ length: cols - 1 }, (_, c) => (
            <line key={`c${c}`} y1={0} y2={rows} x1={c + 1} x2={c + 1} />
          ))}
        </svg>
        <figcaption>
          {t('image.input.caption', { width: pixels.width, height: pixels.height, rows, cols, patch: pixels.height / rows })}
        </figcaption>
      </figure>
      <ShapeNote bytes={source.bytes} name={source.name} preprocessing={preprocessing} />
    </>
  );
}
