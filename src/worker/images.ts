// Image bytes to RGBA pixels inside the worker. Every format's size is read from its header first
// and held to one limit (src/models/vit/image_header.ts), and the caller can refuse the size too,
// all before any decoder allocates pixels. PNG and JPEG then go through the model core's own
// decoders, the ones the CLI and the tests use: they give exactly Pillow's pixels (JPEG through
// libjpeg-turbo compiled to WebAssembly, loaded with the first JPEG; tests/image/decode.test.ts and
// tests/e2e/image_decode.test.ts compare every pixel). WebP, GIF and BMP use the browser's decoder,
// with colour management off so the values are the file's own; those are not compared with Pillow.

import { ModelError } from '../models/errors';
import { decodeImage } from '../models/vit/image_decode';
import { checkPixels, readImageHeader } from '../models/vit/image_header';
import type { RgbaImage } from '../models/vit/image_processing_vit';
import type { ImageInput } from './protocol';

async function decodeWithBrowser(bytes: Uint8Array, fileName: string): Promise<RgbaImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new ModelError('malformed', `"${fileName}" is not an image this browser can decode. Try a PNG or JPEG.`);
  }
  const { width, height } = bitmap;
  // The header was within the limit; a decoder that sizes the image otherwise must still be too.
  checkPixels(width, height, `${fileName}: the decoded image`);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new ModelError('unsupported', 'This browser cannot draw images in a worker (no OffscreenCanvas 2D).');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return context.getImageData(0, 0, width, height);
}

/** `checkSize` may refuse the header's width and height (e.g. the model's resize limits) before decoding. */
export async function toRgba(
  input: ImageInput,
  checkSize: (width: number, height: number, fileName: string) => void = () => {},
): Promise<RgbaImage> {
  const bytes = new Uint8Array(input.bytes);
  const { format, width, height } = readImageHeader(bytes, input.fileName);
  checkSize(width, height, input.fileName);
  return format === 'png' || format === 'jpeg' ? decodeImage(bytes, input.fileName) : decodeWithBrowser(bytes, input.fileName);
}
