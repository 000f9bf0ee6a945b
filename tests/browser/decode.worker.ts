// A Web Worker running the app's image path (src/worker/images.ts) on the files it is sent, for
// tests/e2e/image_decode.test.ts: the decoded RGBA pixels, or the error message.

import { toRgba } from '../../src/worker/images';

export type DecodeReply = { width: number; height: number; data: Uint8Array } | { error: string };

self.onmessage = async (event: MessageEvent<{ bytes: ArrayBuffer; fileName: string }>) => {
  const { bytes, fileName } = event.data;
  let reply: DecodeReply;
  try {
    const { width, height, data } = await toRgba({ type: 'encoded', bytes, fileName });
    reply = { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    reply = { error: (e as Error).message };
  }
  self.postMessage(reply);
};
