import { describe, expect, it } from 'vitest';
import { Float32Writer, parseSafetensors, readSafetensors, toFloat32, type TensorSink } from '../../src/models/checkpoint/safetensors';
import { ByteReader } from '../../src/models/checkpoint/source';
import { ModelError } from '../../src/models/errors';
import { encodeSafetensors, f32 } from './helpers';

const u16 = (values: number[]) => new Uint8Array(new Uint16Array(values).buffer);

function parseError(bytes: Uint8Array): ModelError {
  try {
    parseSafetensors(bytes, 'model.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code).toBe('malformed');
    return e as ModelError;
  }
  throw new Error('expected parseSafetensors to throw');
}

describe('parseSafetensors', () => {
  const valid = encodeSafetensors({
    a: { dtype: 'F32', shape: [2, 2], bytes: f32([1, -2.5, 3e-8, 65504]) },
    // 1.0, -2.0, 65504 (max half), 2^-24 (smallest subnormal), +inf
    h: { dtype: 'F16', shape: [5], bytes: u16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00]) },
    // bf16 1.0, -3.140625, 1e38 rounded
    b: { dtype: 'BF16', shape: [3], bytes: u16([0x3f80, 0xc049, 0x7e96]) },
    i: { dtype: 'I64', shape: [2], bytes: new Uint8Array(new BigInt64Array([3n, -7n]).buffer) },
    e: { dtype: 'F32', shape: [0, 4], bytes: new Uint8Array(0) },
  });

  it('reads shapes, metadata and values of every dtype, widening F16/BF16 exactly', () => {
    const { tensors, metadata } = parseSafetensors(valid);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.keys()].sort()).toEqual(['a', 'b', 'e', 'h', 'i']);
    expect(tensors.get('a')!.shape).toEqual([2, 2]);
    expect(Array.from(toFloat32(tensors.get('a')!))).toEqual(Array.from(new Float32Array([1, -2.5, 3e-8, 65504])));
    expect(Array.from(toFloat32(tensors.get('h')!))).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    expect(Array.from(toFloat32(tensors.get('b')!))).toEqual([1, -3.140625, new Float32Array(new Uint32Array([0x7e960000]).buffer)[0]]);
    expect(Array.from(toFloat32(tensors.get('i')!))).toEqual([3, -7]);
    expect(toFloat32(tensors.get('e')!).length).toBe(0);
  });

  it('reads uint8 tensors (the labs\' image data) as their values', () => {
    const bytes = encodeSafetensors({ u: { dtype: 'U8', shape: [3], bytes: new Uint8Array([0, 128, 255]) } });
    const u = parseSafetensors(bytes).tensors.get('u')!;
    expect([u.dtype, Array.from(u.bytes)]).toEqual(['U8', [0, 128, 255]]);
  });

  it('reads tensors at unaligned offsets', () => {
    const bytes = encodeSafetensors({
      odd: { dtype: 'F16', shape: [1], bytes: u16([0x3c00]) },
      x: { dtype: 'F32', shape: [2], bytes: f32([0.1, 7]) },
    });
    expect(Array.from(toFloat32(parseSafetensors(bytes).tensors.get('x')!))).toEqual(Array.from(new Float32Array([0.1, 7])));
  });

  it('rejects a file shorter than the length prefix', () => {
    expect(parseError(new Uint8Array(5)).message).toMatch(/only 5 bytes long/);
  });

  it('rejects a header length that runs past the end (truncated download)', () => {
    expect(parseError(valid.slice(0, 40)).message).toMatch(/header length \d+ runs past the end of the file \(40 bytes/);
  });

  it('rejects a header that is not JSON', () => {
    const bytes = valid.slice();
    bytes[8] = 0x7b; // '{'
    bytes[9] = 0x7b;
    expect(parseError(bytes).message).toMatch(/header is not valid UTF-8 JSON/);
  });

  it('rejects a JSON header that is not an object', () => {
    expect(parseError(encodeRawHeader('[1,2]')).message).toMatch(/header is not a JSON object/);
  });

  it('rejects truncated tensor data, naming the tensor', () => {
    expect(parseError(valid.slice(0, valid.length - 3)).message).toMatch(/tensor "i" ends at byte 48 but the data area has only 45 bytes \(truncated file\?\)/);
  });

  it('rejects an unknown dtype, naming the tensor', () => {
    const bytes = encodeSafetensors({}, { w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 0] } });
    expect(parseError(bytes).message).toMatch(/tensor "w" has unsupported dtype "F8_E4M3"/);
  });

  it('rejects a byte length that does not match the shape', () => {
    const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [3], bytes: f32([1, 2]) } });
    expect(parseError(bytes).message).toMatch(/tensor "w" spans 8 bytes but F32 \[3\] needs 12/);
  });

  it('rejects invalid shapes and offsets', () => {
    const shape = encodeSafetensors({}, { w: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } });
    expect(parseError(shape).message).toMatch(/tensor "w" has invalid shape \[-1\]/);
    const offsets = encodeSafetensors({ a: { dtype: 'F32', shape: [1], bytes: f32([1]) } }, { w: { dtype: 'F32', shape: [0], data_offsets: [4, 2] } });
    expect(parseError(offsets).message).toMatch(/tensor "w" has invalid data_offsets \[4,2\]/);
  });

  it('rejects overlapping tensors', () => {
    const bytes = encodeSafetensors(
      { a: { dtype: 'F32', shape: [2], bytes: f32([1, 2]) } },
      { b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
    );
    expect(parseError(bytes).message).toMatch(/tensors "a" and "b" overlap/);
  });

  it('rejects gaps and bytes after the last tensor, as the reference implementation does', () => {
    const gap = encodeSafetensors({ a: { dtype: 'F32', shape: [1], bytes: f32([1]) } }, { b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } });
    const padded = new Uint8Array(gap.length + 8);
    padded.set(gap);
    expect(parseError(padded).message).toMatch(/4 unused bytes lie before tensor "b" in the data area/);
    const trailing = new Uint8Array(valid.length + 3);
    trailing.set(valid);
    expect(parseError(trailing).message).toMatch(/3 bytes follow the last tensor/);
  });

  it('looks dtypes up as own names only: "constructor" or "__proto__" is an unknown dtype', () => {
    for (const dtype of ['constructor', '__proto__', 'toString', 'valueOf', 'f32']) {
      const bytes = encodeSafetensors({}, { w: { dtype, shape: [1], data_offsets: [0, 0] } });
      expect(parseError(bytes).message).toContain(`tensor "w" has unsupported dtype "${dtype}"`);
    }
  });

  it('rejects non-string metadata', () => {
    expect(parseError(encodeSafetensors({}, { __metadata__: { n: 1 } })).message).toMatch(/"__metadata__" must be a map of strings/);
  });
});

/** A stream that hands out `bytes` in pieces of the given sizes, cycling. */
function chunked(bytes: Uint8Array, sizes: number[], size: number | null = bytes.length): ByteReader {
  let at = 0;
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = sizes[i++ % sizes.length];
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
  return new ByteReader({ stream, size, progressTotal: size, failed: (e) => new ModelError('offline', String(e)) }, 'model.safetensors');
}

/** Reads every tensor of a stream into float32 arrays, as the loader does. */
async function readAllStreamed(reader: ByteReader, transpose: Record<string, number> = {}): Promise<Map<string, Float32Array>> {
  const weights = await readSafetensors(reader);
  const out = new Map<string, Float32Array>();
  await weights.read((name): TensorSink => {
    const info = weights.tensors.get(name)!;
    const writer = new Float32Writer(info.dtype, info.shape.reduce((a, b) => a * b, 1), transpose[name] ?? null);
    return { write: (b) => writer.write(b), end: () => (writer.end(), out.set(name, writer.values)) };
  });
  return out;
}

describe('readSafetensors (streaming)', () => {
  const file = encodeSafetensors({
    w: { dtype: 'F32', shape: [3, 2], bytes: f32([1, 2, 3, 4, 5, 6]) },
    h: { dtype: 'F16', shape: [2, 3], bytes: u16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3800, 0x4000]) },
    b: { dtype: 'BF16', shape: [3], bytes: u16([0x3f80, 0xc049, 0x7e96]) },
    d: { dtype: 'F64', shape: [2], bytes: new Uint8Array(new Float64Array([0.1, -1e300]).buffer) },
  });
  const whole = parseSafetensors(file).tensors;

  it('gives the values of the whole-file reader for any chunking, and transposes on the way', async () => {
    for (const sizes of [[1], [3], [7, 1, 2], [file.length]]) {
      for (const size of [file.length, null]) {
        const streamed = await readAllStreamed(chunked(file, sizes, size), { w: 3, h: 2 });
        expect(Array.from(streamed.get('w')!)).toEqual([1, 3, 5, 2, 4, 6]);
        const h = toFloat32(whole.get('h')!);
        expect(Array.from(streamed.get('h')!)).toEqual([h[0], h[3], h[1], h[4], h[2], h[5]]);
        expect(Array.from(streamed.get('b')!)).toEqual(Array.from(toFloat32(whole.get('b')!)));
        expect(Array.from(streamed.get('d')!)).toEqual([Math.fround(0.1), -Infinity]);
      }
    }
  });

  it('refuses a stream that ends inside a tensor or runs on after the last one, naming the problem', async () => {
    const cut = async (bytes: Uint8Array) => {
      try {
        await readAllStreamed(chunked(bytes, [5], null));
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(await cut(file.slice(0, file.length - 3))).toMatch(/the file ends inside tensor "d" \(truncated download\?\)/);
    expect(await cut(file.slice(0, 20))).toMatch(/header length \d+ runs past the end of the file \(20 bytes/);
    const longer = new Uint8Array(file.length + 1);
    longer.set(file);
    expect(await cut(longer)).toMatch(/bytes follow the last tensor/);
  });
});

function encodeRawHeader(json: string): Uint8Array {
  const header = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + header.length);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 8);
  return out;
}
