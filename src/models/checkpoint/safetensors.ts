// Reader for the safetensors format (https://huggingface.co/docs/safetensors):
//   [8 bytes: header length N, u64 little-endian][N bytes: JSON header][data area]
// The header maps tensor names to {dtype, shape, data_offsets: [begin, end]} relative to the data
// area, plus an optional "__metadata__" string map. Nothing in the file is trusted: every offset
// and size is checked before a byte of tensor data is touched. As in the reference implementation,
// the tensors must fill the data area back to back: no gap, no overlap, nothing after the last.
//
// The loader reads the file as a stream (readSafetensors): the header is parsed as soon as its
// bytes are in, so every tensor's place and size is known before its data arrives, and each
// tensor's bytes go straight into the float32 array it is uploaded from (Float32Writer). The file
// as a whole is never held in memory.

import { ModelError } from '../errors';
import type { ByteReader } from './source';

// Floats are weights (widened or narrowed to float32); integer tensors are only ever buffers such
// as position_ids, which are recomputed, so a weight with an integer dtype is refused by StateDict.
const DTYPE_BYTES = new Map<string, number>([
  ['F64', 8],
  ['F32', 4],
  ['F16', 2],
  ['BF16', 2],
  ['I64', 8],
  ['I32', 4],
  // The labs' image data (read as raw bytes, never as a weight).
  ['U8', 1],
]);
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8';

export const isFloatDtype = (dtype: SafetensorsDtype) => dtype !== 'I64' && dtype !== 'I32' && dtype !== 'U8';

/** A tensor as the header describes it. */
export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
}

/** A tensor and its raw little-endian bytes. */
export interface TensorEntry extends TensorInfo {
  bytes: Uint8Array;
}

export interface Safetensors {
  metadata: Record<string, string> | null;
  tensors: Map<string, TensorEntry>;
}

/** The header of a safetensors file: its tensors in the order of their data, and where that data is. */
export interface SafetensorsHeader {
  metadata: Record<string, string> | null;
  tensors: (TensorInfo & { begin: number; end: number })[];
  /** Bytes before the data area (8 + header length). */
  dataStart: number;
  /** Size of the data area: the tensors' bytes, back to back. */
  dataBytes: number;
}

// The reference implementation refuses headers above 100 MB; a real header is a few hundred KB.
const MAX_HEADER_BYTES = 100_000_000;

const failer = (fileName: string) => (problem: string): never => {
  throw new ModelError('malformed', `${fileName} is not a valid safetensors file: ${problem}. Re-download or re-export it.`);
};

/** The header length from the first 8 bytes; `fileSize` (null when unknown) bounds it. */
function headerLength(prefix: Uint8Array, fileSize: number | null, fileName: string): number {
  const fail = failer(fileName);
  if (prefix.byteLength < 8) fail(`only ${prefix.byteLength} bytes long, too short for the 8-byte header length`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (length > MAX_HEADER_BYTES) fail(`declared header length ${length} exceeds the 100 MB limit`);
  if (fileSize !== null && 8 + length > fileSize) {
    fail(`declared header length ${length} runs past the end of the file (${fileSize} bytes; truncated download?)`);
  }
  return length;
}

/** Parses and checks the JSON header; `fileSize` (null when unknown) must then match it exactly. */
function parseHeader(json: Uint8Array, fileSize: number | null, fileName: string): SafetensorsHeader {
  const fail = failer(fileName);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');

  const dataStart = 8 + json.byteLength;
  const available = fileSize === null ? Infinity : fileSize - dataStart;
  const tensors: SafetensorsHeader['tensors'] = [];
  let metadata: Record<string, string> | null = null;
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        fail('"__metadata__" must be a map of strings');
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const bad = (problem: string): never => fail(`tensor "${name}" ${problem}`);
    if (typeof raw !== 'object' || raw === null) bad('has no {dtype, shape, data_offsets} entry');
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    const itemBytes = typeof dtype === 'string' ? DTYPE_BYTES.get(dtype) : undefined;
    if (itemBytes === undefined) {
      bad(`has unsupported dtype ${JSON.stringify(dtype)} (supported: ${[...DTYPE_BYTES.keys()].join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(shape === undefined ? 'has no shape' : `has invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      bad(offsets === undefined ? 'has no data_offsets' : `has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > available) bad(`ends at byte ${end} but the data area has only ${available} bytes (truncated file?)`);
    const dims = shape as number[];
    const expectedBytes = dims.reduce((a, b) => a * b, 1) * itemBytes!;
    if (end - begin !== expectedBytes) {
      bad(`spans ${end - begin} bytes but ${String(dtype)} ${JSON.stringify(dims)} needs ${expectedBytes}`);
    }
    tensors.push({ name, dtype: dtype as SafetensorsDtype, shape: dims, begin, end });
  }

  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const [i, t] of tensors.entries()) {
    if (t.begin < at) fail(`tensors "${tensors[i - 1].name}" and "${t.name}" overlap in the data area`);
    if (t.begin > at) fail(`${t.begin - at} unused bytes lie before tensor "${t.name}" in the data area`);
    at = t.end;
  }
  if (at < available && fileSize !== null) fail(`${available - at} bytes follow the last tensor`);
  return { metadata, tensors, dataStart, dataBytes: at };
}

/** Parses a whole safetensors file held in memory; every entry's bytes are a view into `file`. */
export function parseSafetensors(file: Uint8Array, fileName = 'model.safetensors'): Safetensors {
  const length = headerLength(file.subarray(0, 8), file.byteLength, fileName);
  const header = parseHeader(file.subarray(8, 8 + length), file.byteLength, fileName);
  const data = file.subarray(header.dataStart);
  const tensors = new Map<string, TensorEntry>();
  for (const { begin, end, ...info } of header.tensors) tensors.set(info.name, { ...info, bytes: data.subarray(begin, end) });
  return { metadata: header.metadata, tensors };
}

/** Receives one tensor's bytes in order; `end` once they are all written. */
export interface TensorSink {
  write(bytes: Uint8Array): void;
  end(): void;
}

/** A weights file whose header has been read: its tensors, and their data still to come. */
export interface CheckpointWeights {
  fileName: string;
  tensors: Map<string, TensorInfo>;
  /**
   * Reads the data once, in file order, handing each tensor's bytes to the sink `sinkFor` gives
   * for its name (null: the bytes are skipped, never stored).
   */
  read(sinkFor: (name: string) => TensorSink | null): Promise<void>;
  /** Stops reading (after an error elsewhere); nothing more arrives. */
  close(): void;
}

/**
 * The entries of a file parsed in memory (pytorch_model.bin, tests) as CheckpointWeights. Each
 * entry is let go once read, so its bytes can be freed while the rest are still being uploaded.
 */
export function weightsOf(entries: Map<string, TensorEntry>, fileName: string): CheckpointWeights {
  let unread: Map<string, TensorEntry> | null = new Map(entries);
  return {
    fileName,
    tensors: new Map([...entries].map(([name, { bytes: _, ...info }]) => [name, info])),
    read: (sinkFor) => {
      for (const [name, entry] of unread ?? []) {
        unread!.delete(name);
        const sink = sinkFor(name);
        sink?.write(entry.bytes);
        sink?.end();
      }
      unread = null;
      return Promise.resolve();
    },
    close: () => {
      unread = null;
    },
  };
}

/** Reads a safetensors file's header from `reader`; its data follows when the caller asks for it. */
export async function readSafetensors(reader: ByteReader, fileName = 'model.safetensors'): Promise<CheckpointWeights> {
  const fail = failer(fileName);
  const size = reader.size;
  const prefix = await reader.exactly(8);
  const length = headerLength(prefix, size, fileName);
  const json = await reader.exactly(length);
  if (json.byteLength < length) {
    fail(`declared header length ${length} runs past the end of the file (${8 + json.byteLength} bytes; truncated download?)`);
  }
  const header = parseHeader(json, size, fileName);

  async function read(sinkFor: (name: string) => TensorSink | null): Promise<void> {
    for (const tensor of header.tensors) {
      const sink = sinkFor(tensor.name);
      let remaining = tensor.end - tensor.begin;
      while (remaining > 0) {
        const chunk = await reader.next();
        if (!chunk) fail(`the file ends inside tensor "${tensor.name}" (truncated download?)`);
        const piece = chunk!.byteLength > remaining ? chunk!.subarray(0, remaining) : chunk!;
        if (piece !== chunk) reader.unread(chunk!.subarray(remaining));
        sink?.write(piece);
        remaining -= piece.byteLength;
      }
      sink?.end();
    }
    const extra = await reader.next();
    if (extra) {
      reader.close();
      fail('bytes follow the last tensor');
    }
  }
  return {
    fileName,
    tensors: new Map(header.tensors.map(({ begin: _b, end: _e, ...info }) => [info.name, info])),
    read,
    close: () => reader.close(),
  };
}

let halfTable: Float32Array | null = null;

/** All 65536 IEEE half-precision values as float32, built once on first use. */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) halfTable[h] = sign * mantissa * 2 ** -24; // subnormal
    else if (exponent === 31) halfTable[h] = mantissa ? NaN : sign * Infinity;
    else halfTable[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return halfTable;
}

/**
 * Writes a tensor's values into a Float32Array as its bytes arrive, in pieces of any size: F32
 * copied, F16/BF16 widened exactly, F64 rounded to the nearest float32, integers converted. With
 * `transposeRows`, a [rows, ...] tensor lands as its transpose [prod(...), rows], so a PyTorch
 * weight [out, in] is stored as the [in, out] matrix the forward multiplies by.
 */
export class Float32Writer implements TensorSink {
  readonly values: Float32Array;
  private readonly itemBytes: number;
  /** Bytes of an element split between two pieces. */
  private readonly carry = new Uint8Array(8);
  private carried = 0;
  /** Elements written so far, and (when transposing) the row and column of the next one. */
  private count = 0;
  private row = 0;
  private column = 0;
  private readonly columns: number;

  constructor(
    private readonly dtype: SafetensorsDtype,
    length: number,
    private readonly transposeRows: number | null = null,
  ) {
    this.values = new Float32Array(length);
    this.itemBytes = DTYPE_BYTES.get(dtype)!;
    this.columns = transposeRows ? length / transposeRows : 0;
  }

  write(bytes: Uint8Array): void {
    if (this.dtype === 'F32' && this.transposeRows === null) {
      // The bytes are the values: copy them as they come, whatever the alignment.
      new Uint8Array(this.values.buffer).set(bytes, this.count * 4 + this.carried);
      const total = this.count * 4 + this.carried + bytes.byteLength;
      this.count = Math.floor(total / 4);
      this.carried = total % 4;
      return;
    }
    let at = 0;
    if (this.carried > 0) {
      at = Math.min(this.itemBytes - this.carried, bytes.byteLength);
      this.carry.set(bytes.subarray(0, at), this.carried);
      this.carried += at;
      if (this.carried < this.itemBytes) return;
      this.convert(this.carry, 1);
      this.carried = 0;
    }
    const whole = Math.floor((bytes.byteLength - at) / this.itemBytes);
    this.convert(bytes.subarray(at), whole);
    const rest = bytes.subarray(at + whole * this.itemBytes);
    this.carry.set(rest);
    this.carried = rest.byteLength;
  }

  end(): void {
    if (this.count !== this.values.length || this.carried !== 0) {
      throw new Error(`Float32Writer got ${this.count} of ${this.values.length} values`);
    }
  }

  private convert(bytes: Uint8Array, n: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    switch (this.dtype) {
      case 'F32':
        for (let i = 0; i < n; i++) this.put(view.getFloat32(4 * i, true));
        break;
      case 'F16': {
        const table = halfToFloatTable();
        for (let i = 0; i < n; i++) this.put(table[view.getUint16(2 * i, true)]);
        break;
      }
      case 'BF16': {
        // bfloat16 is the upper half of a float32.
        const bits = new Uint32Array(1);
        const float = new Float32Array(bits.buffer);
        for (let i = 0; i < n; i++) {
          bits[0] = view.getUint16(2 * i, true) << 16;
          this.put(float[0]);
        }
        break;
      }
      case 'F64':
        for (let i = 0; i < n; i++) this.put(view.getFloat64(8 * i, true));
        break;
      case 'I64':
        for (let i = 0; i < n; i++) this.put(Number(view.getBigInt64(8 * i, true)));
        break;
      case 'I32':
        for (let i = 0; i < n; i++) this.put(view.getInt32(4 * i, true));
        break;
    }
  }

  private put(value: number): void {
    if (this.transposeRows === null) {
      this.values[this.count++] = value;
      return;
    }
    this.values[this.column * this.transposeRows + this.row] = value;
    this.count++;
    if (++this.column === this.columns) {
      this.column = 0;
      this.row++;
    }
  }
}

/** Copies a tensor's values into a new Float32Array (see Float32Writer). */
export function toFloat32(entry: TensorEntry): Float32Array {
  const writer = new Float32Writer(entry.dtype, entry.bytes.byteLength / DTYPE_BYTES.get(entry.dtype)!);
  writer.write(entry.bytes);
  writer.end();
  return writer.values;
}

/** Writes float32 tensors as a safetensors file (header padded to 8 bytes, as the reference writer does). */
export function serializeSafetensors(tensors: { name: string; shape: number[]; data: Float32Array }[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(Math.ceil(json.byteLength / 8) * 8).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
