// Reader for the safetensors format (https://huggingface.co/docs/safetensors):
//   [8 bytes: header length N, u64 little-endian][N bytes: JSON header][data area]
// The header maps tensor names to {dtype, shape, data_offsets: [begin, end]} relative to the data
// area, plus an optional "__metadata__" string map. Nothing in the file is trusted: every offset
// and size is checked before a byte of tensor data is touched.

import { ModelError } from '../errors';

const DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 } as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** The tensor's raw little-endian bytes (a view into the file, not a copy). */
  bytes: Uint8Array;
}

export interface Safetensors {
  metadata: Record<string, string> | null;
  tensors: Map<string, TensorEntry>;
}

// The reference implementation refuses headers above 100 MB; a real header is a few hundred KB.
const MAX_HEADER_BYTES = 100_000_000;

export function parseSafetensors(file: Uint8Array, fileName = 'model.safetensors'): Safetensors {
  const fail = (problem: string): never => {
    throw new ModelError('malformed', `${fileName} is not a valid safetensors file: ${problem}. Re-download or re-export it.`);
  };
  if (file.byteLength < 8) fail(`only ${file.byteLength} bytes long, too short for the 8-byte header length`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > MAX_HEADER_BYTES) fail(`declared header length ${headerLength} exceeds the 100 MB limit`);
  if (8 + headerLength > file.byteLength) {
    fail(`declared header length ${headerLength} runs past the end of the file (${file.byteLength} bytes; truncated download?)`);
  }

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');

  const data = file.subarray(8 + headerLength);
  const tensors = new Map<string, TensorEntry>();
  const ranges: { name: string; begin: number; end: number }[] = [];
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
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      bad(`has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(`has invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      bad(`has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > data.byteLength) {
      bad(`ends at byte ${end} but the data area has only ${data.byteLength} bytes (truncated file?)`);
    }
    const dims = shape as number[];
    const expectedBytes = dims.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (end - begin !== expectedBytes) {
      bad(`spans ${end - begin} bytes but ${String(dtype)} ${JSON.stringify(dims)} needs ${expectedBytes}`);
    }
    tensors.set(name, { name, dtype: dtype as SafetensorsDtype, shape: dims, bytes: data.subarray(begin, end) });
    ranges.push({ name, begin, end });
  }

  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1];
    const cur = ranges[i];
    if (cur.begin < prev.end) fail(`tensors "${prev.name}" and "${cur.name}" overlap in the data area`);
  }
  return { metadata, tensors };
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

/** Copies a tensor's values into a new Float32Array, widening F16/BF16 exactly. */
export function toFloat32(entry: TensorEntry): Float32Array {
  const { bytes, dtype } = entry;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      // A byte copy is exact and fast; the source may be unaligned, so no typed view on it.
      new Uint8Array(out.buffer).set(bytes);
      break;
    case 'F16': {
      const table = halfToFloatTable();
      for (let i = 0; i < n; i++) out[i] = table[view.getUint16(2 * i, true)];
      break;
    }
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      break;
    }
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      break;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      break;
  }
  return out;
}
