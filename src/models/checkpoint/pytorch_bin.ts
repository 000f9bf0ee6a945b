// Reader for pytorch_model.bin, the state dicts torch.save writes, in both of its formats:
//   - zip (torch >= 1.6): "<name>/data.pkl" pickles the state dict; each storage is the stored entry
//     "<name>/data/<key>" (the top folder is whatever the writer chose);
//   - legacy (older torch, or _use_new_zipfile_serialization=False): five pickles in a row (magic
//     number, protocol version, system info, the state dict, the list of storage keys), then every
//     storage as an 8-byte element count followed by its raw bytes.
// In both, a tensor is a call to torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)
// and a storage is a "persistent id" naming its type, key and element count.
//
// A pickle is a program: Python's unpickler imports and calls whatever globals it names, so a
// hostile file can run code. This one runs nothing. It implements the opcodes torch.save writes,
// knows a handful of globals by name (OrderedDict, the tensor and parameter rebuilders and the
// storage types) and interprets them itself; any other global or opcode is refused before anything
// is built from it. As for safetensors, every offset, size and stride is checked against the bytes
// it points into. The tensors come out as safetensors TensorEntry values, so everything downstream
// (names, dtypes, shape checks) is shared.
//
// Memory: fflate copies every zip entry out of the archive, so the file is held twice while this
// runs. The caller drops the file afterwards and the tensors keep only the copies, so the peak is
// no higher than safetensors' once the weights are widened to float32.

import { unzipSync } from 'fflate';
import { ModelError } from '../errors';
import type { Safetensors, SafetensorsDtype, TensorEntry } from './safetensors';

/** torch's legacy storage classes: the dtype we read them as (null: refused by name) and element size. */
const STORAGE_TYPES = new Map<string, { dtype: SafetensorsDtype | null; torchDtype: string; itemsize: number }>([
  ['FloatStorage', { dtype: 'F32', torchDtype: 'float32', itemsize: 4 }],
  ['HalfStorage', { dtype: 'F16', torchDtype: 'float16', itemsize: 2 }],
  ['BFloat16Storage', { dtype: 'BF16', torchDtype: 'bfloat16', itemsize: 2 }],
  ['DoubleStorage', { dtype: 'F64', torchDtype: 'float64', itemsize: 8 }],
  ['LongStorage', { dtype: 'I64', torchDtype: 'int64', itemsize: 8 }],
  ['IntStorage', { dtype: 'I32', torchDtype: 'int32', itemsize: 4 }],
  // Known so that the error can name the tensor; no BERT or ViT weight has these dtypes.
  ['ShortStorage', { dtype: null, torchDtype: 'int16', itemsize: 2 }],
  ['CharStorage', { dtype: null, torchDtype: 'int8', itemsize: 1 }],
  ['ByteStorage', { dtype: null, torchDtype: 'uint8', itemsize: 1 }],
  ['BoolStorage', { dtype: null, torchDtype: 'bool', itemsize: 1 }],
]);

const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';

/** The first pickle of a legacy file. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

// ---------------------------------------------------------------------------------------------
// The values a state-dict pickle can build. Tuples and lists are both arrays; dicts and
// OrderedDicts are both Maps.

type PyValue = null | boolean | number | bigint | string | PyValue[] | Map<PyValue, PyValue> | Global | Storage | Tensor;

/** A global from the allow-list: a name only, interpreted by `call`, never looked up. */
class Global {
  constructor(readonly name: string) {}
}

class Storage {
  /** The raw bytes, attached once read (legacy files list storages after the pickle). */
  bytes: Uint8Array | null = null;
  constructor(
    readonly key: string,
    readonly type: string,
    readonly numel: number,
  ) {}
  get info() {
    return STORAGE_TYPES.get(this.type)!;
  }
}

/** A view into a storage, as _rebuild_tensor_v2 describes it (offset and strides in elements). */
class Tensor {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

function isAllowedGlobal(name: string): boolean {
  if (name === ORDERED_DICT || name === REBUILD_TENSOR || name === REBUILD_PARAMETER) return true;
  return name.startsWith('torch.') && STORAGE_TYPES.has(name.slice('torch.'.length));
}

function describe(value: PyValue): string {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a tuple or list';
  if (value instanceof Map) return 'a dict';
  if (value instanceof Global) return value.name;
  if (value instanceof Storage) return 'a storage';
  if (value instanceof Tensor) return 'a tensor';
  return `a ${typeof value}`;
}

const isCount = (v: PyValue): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

// ---------------------------------------------------------------------------------------------
// The restricted unpickler.

/** Opcodes a torch.save state dict never contains, by name, for the refusal message. */
const REFUSED_OPCODES: Record<number, string> = {
  0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4c: 'LONG', 0x50: 'PERSID',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x64: 'DICT', 0x67: 'GET',
  0x69: 'INST', 0x6c: 'LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
  0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS',
  0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

interface Unpickled {
  value: PyValue;
  /** Offset just past the STOP opcode. */
  end: number;
}

/**
 * Runs the pickle that starts at `start`. `where` names it in errors ("pytorch_model.bin (data.pkl)");
 * `persistentLoad` turns a persistent id into a storage (absent: persistent ids are refused).
 */
function unpickle(data: Uint8Array, start: number, where: string, persistentLoad?: (pid: PyValue) => Storage): Unpickled {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = start;
  let op = 0;
  let opAt = start;

  const fail = (problem: string): never => {
    throw new ModelError('malformed', `${where} is not a valid PyTorch pickle: ${problem} (opcode 0x${op.toString(16)} at byte ${opAt}).`);
  };
  const take = (n: number): number => {
    if (n > data.byteLength - pos) fail(`it ends after ${data.byteLength - start} bytes, in the middle of an opcode (truncated file?)`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => data[take(1)];
  const u32 = () => view.getUint32(take(4), true);
  const u64 = () => {
    const at = take(8);
    const n = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    return Number.isSafeInteger(n) ? n : fail(`length ${n} is too large`);
  };
  const utf8 = (n: number): string => {
    const at = take(n);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(at, at + n));
    } catch {
      return fail('a string is not valid UTF-8');
    }
  };
  /** GLOBAL's operands: "module\nname\n". */
  const line = (): string => {
    const length = data.subarray(pos, pos + 257).indexOf(0x0a);
    if (length < 0) fail('a GLOBAL name is not terminated');
    const text = String.fromCharCode(...data.subarray(pos, pos + length));
    pos += length + 1;
    return text;
  };
  const floor = () => (marks.length ? marks[marks.length - 1] : 0);
  const pop = (): PyValue => (stack.length > floor() ? stack.pop()! : fail('the stack is empty'));
  const top = (): PyValue => (stack.length > floor() ? stack[stack.length - 1] : fail('the stack is empty'));
  const popMark = (): PyValue[] => {
    const mark = marks.pop();
    return mark === undefined ? fail('no MARK to pop to') : stack.splice(mark);
  };
  const dictOnTop = (): Map<PyValue, PyValue> => {
    const d = top();
    return d instanceof Map ? d : fail(`setting an item on ${describe(d)}`);
  };
  const listOnTop = (): PyValue[] => {
    const l = top();
    return Array.isArray(l) ? l : fail(`appending to ${describe(l)}`);
  };
  const global = (module: string, name: string): Global => {
    const full = `${module}.${name}`;
    if (!isAllowedGlobal(full)) {
      throw new ModelError(
        'unsupported',
        `${where} refers to the Python global "${full}" (byte ${opAt}), which a state dict saved with torch.save(model.state_dict()) never contains. ` +
          'It was not loaded: unpickling it could run code. Only plain state dicts of tensors are read.',
      );
    }
    return new Global(full);
  };
  const get = (index: number) => (memo.has(index) ? memo.get(index)! : fail(`memo entry ${index} was never stored`));

  for (;;) {
    opAt = pos;
    op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const protocol = u8();
        if (protocol > 5) fail(`pickle protocol ${protocol} is newer than 5`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(take(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(take(2), true));
        break;
      case 0x8a: { // LONG1: little-endian two's complement
        const n = u8();
        const at = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i]);
        if (n > 0 && data[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(take(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x29: // EMPTY_TUPLE
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: { // TUPLE3
        const items = Array.from({ length: op - 0x84 }, pop).reverse();
        stack.push(items);
        break;
      }
      case 0x61: { // APPEND
        const item = pop();
        listOnTop().push(item);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const list = listOnTop();
        for (const item of items) list.push(item);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        dictOnTop().set(key, value);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2) fail('SETITEMS with an odd number of items');
        const dict = dictOnTop();
        for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
        break;
      }
      case 0x71: // BINPUT
      case 0x72: // LONG_BINPUT
        memo.set(op === 0x71 ? u8() : u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
        stack.push(get(op === 0x68 ? u8() : u32()));
        break;
      case 0x63: { // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args, fail));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        stack.push(persistentLoad ? persistentLoad(pid) : fail('a persistent id where none belongs'));
        break;
      }
      case 0x62: { // BUILD: only an OrderedDict's __dict__ (transformers' "_metadata" versions), which we ignore
        const state = pop();
        const obj = top();
        if (!(obj instanceof Map) || !(state instanceof Map)) fail(`BUILD on ${describe(obj)}`);
        break;
      }
      default: {
        const name = REFUSED_OPCODES[op];
        if (!name) fail('unknown opcode');
        throw new ModelError(
          'unsupported',
          `${where} uses the pickle opcode ${name} (byte ${opAt}), which torch.save never writes for a state dict; refusing to unpickle it.`,
        );
      }
    }
  }
}

/** REDUCE: the only calls a state dict makes. */
function call(fn: PyValue, args: PyValue, fail: (problem: string) => never): PyValue {
  if (!(fn instanceof Global) || !Array.isArray(args)) return fail(`calling ${describe(fn)}`);
  switch (fn.name) {
    case ORDERED_DICT:
      return args.length === 0 ? new Map() : fail('OrderedDict called with arguments');
    case REBUILD_PARAMETER: {
      const [data] = args;
      return args.length === 3 && data instanceof Tensor ? data : fail('_rebuild_parameter without a tensor');
    }
    case REBUILD_TENSOR: {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      const [storage, offset, size, stride, requiresGrad, hooks] = args;
      if (args.length !== 6 && args.length !== 7) fail(`_rebuild_tensor_v2 called with ${args.length} arguments`);
      if (!(storage instanceof Storage)) return fail(`_rebuild_tensor_v2 called on ${describe(storage)}`);
      if (!isCount(offset)) return fail(`storage offset ${JSON.stringify(offset)} is not a count`);
      if (!Array.isArray(size) || !Array.isArray(stride) || size.length !== stride.length || ![...size, ...stride].every(isCount)) {
        return fail('tensor size and stride are not two lists of counts of equal length');
      }
      if (typeof requiresGrad !== 'boolean' || !(hooks instanceof Map)) fail('_rebuild_tensor_v2 called with unexpected arguments');
      return new Tensor(storage, offset, size as number[], stride as number[]);
    }
    default:
      return fail(`${fn.name} cannot be called`);
  }
}

/** A persistent id ('storage', type, key, location, numel[, view_metadata]): the storage it names. */
function storageOf(pid: PyValue, storages: Map<string, Storage>, fail: (problem: string) => never): Storage {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || (pid.length !== 5 && pid.length !== 6)) {
    return fail(`unexpected persistent id (${describe(pid)})`);
  }
  const [, type, key, location, numel, viewMetadata] = pid;
  if (!(type instanceof Global) || !type.name.startsWith('torch.') || !STORAGE_TYPES.has(type.name.slice(6))) {
    return fail(`persistent id names ${describe(type)}, not a storage type`);
  }
  if (typeof key !== 'string' || typeof location !== 'string' || !isCount(numel)) return fail('malformed storage persistent id');
  // Storage views were last written by torch 0.3; modern saves always have None here.
  if (viewMetadata !== undefined && viewMetadata !== null) fail(`storage ${key} is a storage view (torch < 0.4), which is not supported`);
  const known = storages.get(key);
  if (known) return known.type === type.name.slice(6) && known.numel === numel ? known : fail(`storage ${key} is declared twice, differently`);
  const storage = new Storage(key, type.name.slice(6), numel);
  storages.set(key, storage);
  return storage;
}

// ---------------------------------------------------------------------------------------------
// The two containers.

function malformed(fileName: string, problem: string): ModelError {
  return new ModelError('malformed', `${fileName} is not a valid PyTorch checkpoint: ${problem}. Re-download or re-save it.`);
}

/** A zip archive's entries; every size was checked against its directory. */
function unzip(file: Uint8Array, fileName: string): Map<string, Uint8Array> {
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(file, {
      filter: ({ name, size, originalSize, compression }) => {
        // torch stores entries uncompressed; a re-zipped archive may deflate them (at most ~1032:1).
        if (compression !== 0 && compression !== 8) {
          throw new ModelError('unsupported', `${fileName}: zip entry "${name}" uses compression method ${compression}; only stored and deflated entries are read.`);
        }
        if (compression === 0 ? originalSize !== size : originalSize > 1032 * size + 64) {
          throw malformed(fileName, `zip entry "${name}" declares an impossible size (${originalSize} bytes from ${size})`);
        }
        declared.set(name, originalSize);
        return !name.endsWith('/');
      },
    });
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw malformed(fileName, `it is not a readable zip archive (${(e as Error).message}; truncated download?)`);
  }
  const entries = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(files)) {
    // fflate stops quietly at the end of the file: an entry cut short is a truncated archive.
    if (bytes.byteLength !== declared.get(name)) {
      throw malformed(fileName, `zip entry "${name}" has ${bytes.byteLength} of its ${declared.get(name)} bytes (truncated download?)`);
    }
    entries.set(name, bytes);
  }
  return entries;
}

function readZip(file: Uint8Array, fileName: string): PyValue {
  const entries = unzip(file, fileName);
  const names = [...entries.keys()];
  if (names.some((n) => /^[^/]+\/constants\.pkl$/.test(n))) {
    throw new ModelError('unsupported', `${fileName} is a TorchScript archive (torch.jit.save), not a state dict; save model.state_dict() with torch.save instead.`);
  }
  const pickles = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw malformed(fileName, pickles.length ? 'the zip archive holds several <name>/data.pkl' : 'the zip archive has no <name>/data.pkl, so torch.save did not write it');
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder) !== 'little') {
    throw new ModelError('unsupported', `${fileName} was saved on a big-endian machine; only little-endian checkpoints are read.`);
  }

  const storages = new Map<string, Storage>();
  const where = `${fileName} (${pickles[0]})`;
  return unpickle(entries.get(pickles[0])!, 0, where, (pid) => {
    const storage = storageOf(pid, storages, (problem) => {
      throw malformed(where, problem);
    });
    if (!storage.bytes) {
      const record = `${prefix}data/${storage.key}`;
      const bytes = entries.get(record);
      if (!bytes) throw malformed(fileName, `storage "${storage.key}" has no zip entry ${record}`);
      const expected = storage.numel * storage.info.itemsize;
      if (bytes.byteLength !== expected) {
        throw malformed(fileName, `${record} has ${bytes.byteLength} bytes but its ${storage.numel} ${storage.info.torchDtype} elements need ${expected}`);
      }
      storage.bytes = bytes;
    }
    return storage;
  }).value;
}

function readLegacy(file: Uint8Array, fileName: string): PyValue {
  let pos = 0;
  const next = (what: string, persistentLoad?: (pid: PyValue) => Storage): PyValue => {
    const { value, end } = unpickle(file, pos, `${fileName} (${what})`, persistentLoad);
    pos = end;
    return value;
  };
  if (next('magic number') !== LEGACY_MAGIC) throw malformed(fileName, 'it starts with a pickle but not with torch.save\'s magic number');
  const protocol = next('protocol version');
  if (protocol !== LEGACY_PROTOCOL) throw new ModelError('unsupported', `${fileName} uses torch.save protocol ${JSON.stringify(protocol)}; only ${LEGACY_PROTOCOL} is read.`);
  const sysInfo = next('system info');
  if (!(sysInfo instanceof Map) || sysInfo.get('little_endian') !== true) {
    throw new ModelError('unsupported', `${fileName} was not saved on a little-endian machine; only little-endian checkpoints are read.`);
  }
  const storages = new Map<string, Storage>();
  const root = next('state dict', (pid) =>
    storageOf(pid, storages, (problem) => {
      throw malformed(`${fileName} (state dict)`, problem);
    }),
  );
  const keys = next('storage keys');
  if (!Array.isArray(keys)) throw malformed(fileName, 'the storage key list is missing');

  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (const key of keys) {
    const storage = typeof key === 'string' ? storages.get(key) : undefined;
    if (!storage) throw malformed(fileName, `the storage list names ${JSON.stringify(key)}, which no tensor uses`);
    if (pos + 8 > file.byteLength) throw malformed(fileName, `it ends before storage "${storage.key}" (truncated download?)`);
    const numel = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
    if (numel !== storage.numel) throw malformed(fileName, `storage "${storage.key}" holds ${numel} elements but the pickle says ${storage.numel}`);
    const nbytes = numel * storage.info.itemsize;
    if (nbytes > file.byteLength - pos - 8) throw malformed(fileName, `storage "${storage.key}" runs past the end of the file (truncated download?)`);
    // Legacy storages lie in the file itself: a view, not a copy.
    storage.bytes = file.subarray(pos + 8, pos + 8 + nbytes);
    pos += 8 + nbytes;
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// From the unpickled state dict to tensor entries.

/** The tensor's elements in row-major order: a view when already contiguous, else a gathered copy. */
function materialise(name: string, t: Tensor, fileName: string): TensorEntry {
  const { storage, offset, size, stride } = t;
  const { dtype, torchDtype, itemsize } = storage.info;
  if (dtype === null) {
    throw new ModelError('unsupported', `${fileName}: tensor "${name}" has dtype ${torchDtype}; supported are float32, float16, bfloat16, float64, int64 and int32.`);
  }
  if (!storage.bytes) throw malformed(fileName, `the data of storage "${storage.key}" (tensor "${name}") is missing`);
  const numel = size.reduce((a, b) => a * b, 1);
  // The last element the view touches must lie inside the storage.
  let last = offset;
  for (let d = 0; d < size.length; d++) last += (size[d] - 1) * stride[d];
  if (!Number.isSafeInteger(numel) || offset > storage.numel || (numel > 0 && !(last < storage.numel))) {
    throw malformed(
      fileName,
      `tensor "${name}" (size [${size.join(',')}], stride [${stride.join(',')}], storage offset ${offset}) reaches past the ${storage.numel} elements of its storage`,
    );
  }
  const entry = (bytes: Uint8Array): TensorEntry => ({ name, dtype, shape: [...size], bytes });

  let contiguous = true;
  for (let d = size.length - 1, expected = 1; d >= 0; expected *= size[d], d--) contiguous &&= size[d] <= 1 || stride[d] === expected;
  if (contiguous) return entry(storage.bytes.subarray(offset * itemsize, (offset + numel) * itemsize));

  const out = new Uint8Array(numel * itemsize);
  const index = new Array<number>(size.length).fill(0);
  let at = offset;
  for (let i = 0; i < numel; i++) {
    for (let b = 0; b < itemsize; b++) out[i * itemsize + b] = storage.bytes[at * itemsize + b];
    // Step the multi-index like an odometer, last dimension fastest.
    for (let d = size.length - 1; d >= 0; d--) {
      at += stride[d];
      if (++index[d] < size[d]) break;
      at -= stride[d] * size[d];
      index[d] = 0;
    }
  }
  return entry(out);
}

const startsWith = (file: Uint8Array, at: number, text: string) => [...text].every((c, i) => file[at + i] === c.charCodeAt(0));

/** Parses a pytorch_model.bin (either torch.save format) into the same form as a safetensors file. */
export function parsePytorchBin(file: Uint8Array, fileName = 'pytorch_model.bin'): Safetensors {
  let root: PyValue;
  if (file.byteLength === 0) throw malformed(fileName, 'the file is empty');
  if (startsWith(file, 0, 'PK\x03\x04') || startsWith(file, 0, 'PK\x05\x06')) root = readZip(file, fileName);
  else if (file[0] === 0x80) root = readLegacy(file, fileName);
  else if (startsWith(file, 257, 'ustar')) {
    throw new ModelError('unsupported', `${fileName} is in the tar format of torch < 0.4; load and re-save it with a newer torch.`);
  } else throw malformed(fileName, 'it is neither a zip archive (torch >= 1.6) nor a pickle (older torch)');

  if (!(root instanceof Map)) {
    throw new ModelError('unsupported', `${fileName} holds ${describe(root)}, not a state dict (a dict of tensors); save model.state_dict() with torch.save.`);
  }
  const tensors = new Map<string, TensorEntry>();
  for (const [name, value] of root) {
    if (typeof name !== 'string') throw malformed(fileName, `the state dict has a key that is ${describe(name)}, not a name`);
    if (!(value instanceof Tensor)) {
      throw new ModelError(
        'unsupported',
        `${fileName}: "${name}" is ${describe(value)}, not a tensor. Only a plain state dict is read; save model.state_dict() with torch.save.`,
      );
    }
    tensors.set(name, materialise(name, value, fileName));
  }
  return { metadata: null, tensors };
}
