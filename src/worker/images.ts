// Image bytes to RGBA pixels inside the worker. PNG and JPEG go through the model core's own
// decoder, the same one the Node CLI and the parity tests use, so the browser sees exactly the
// pixels PIL would. Other formats (WebP, GIF, BMP…) use the browser's decoder, with colour
// management off so the pixel values are the file's own.

import { ModelError } from '../models/errors';
import { decodeImage } from '../models/vit/image_decode';
import type { ImageInput } from './protocol';

const SIGNATURES = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
];

const hasCoreDecoder = (bytes: Uint8Array) => SIGNATURES.some((sig) => sig.every((b, i) => bytes[i] === b));

async function decodeWithBrowser(bytes: Uint8Array, fileName: string) {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new ModelError('malformed', `"${fileName}" is not an image this browser can decode. Try a PNG or JPEG.`);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  if (!context) throw new ModelError('unsupported', 'This browser cannot draw images in a worker (no OffscreenCanvas 2D).');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

export async function toRgba(input: ImageInput) {
  const bytes = new Uint8Array(input.bytes);
  return hasCoreDecoder(bytes) ? decodeImage(bytes, input.fileName) : decodeWithBrowser(bytes, input.fileName);
}
