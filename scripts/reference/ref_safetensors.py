"""Minimal safetensors writer/reader (no `safetensors` package on this machine).

File layout, as the reference implementation writes it:
  u64 little-endian N | N bytes of JSON header, space-padded to a multiple of 8 | raw tensor bytes
The header maps each name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to
the start of the byte buffer) plus "__metadata__": {"format": "pt"}.
"""

import json
import struct

import numpy as np

# Storage dtypes we write, with numpy types that hold their raw bits (BF16 has no numpy type).
_NUMPY_BITS = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "BF16": np.dtype("<u2")}


def f32_to_bf16_bits(x: np.ndarray) -> np.ndarray:
    """Round float32 to bfloat16 with round-to-nearest-even; returns the upper 16 bits as uint16."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    if not np.all(np.isfinite(x)):
        raise ValueError("bf16 rounding here only handles finite values")
    rounding_bias = ((bits >> 16) & 1) + 0x7FFF
    return ((bits + rounding_bias) >> 16).astype(np.uint16)


def bf16_bits_to_f32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def round_to_storage(x: np.ndarray, dtype: str) -> np.ndarray:
    """The float32 value a tensor has after being stored as `dtype` and read back."""
    if dtype == "F32":
        return x.astype(np.float32)
    if dtype == "F16":
        return x.astype(np.float16).astype(np.float32)
    if dtype == "BF16":
        return bf16_bits_to_f32(f32_to_bf16_bits(x))
    raise ValueError(f"unsupported storage dtype {dtype}")


def _raw_bytes(x: np.ndarray, dtype: str) -> bytes:
    if dtype == "BF16":
        return f32_to_bf16_bits(x).astype("<u2").tobytes()
    return np.ascontiguousarray(x, dtype=_NUMPY_BITS[dtype]).tobytes()


def write_safetensors(path, tensors: dict, dtypes: dict | None = None) -> None:
    """Write float arrays `tensors` (name -> np.ndarray); `dtypes` gives a storage dtype per name (default F32)."""
    dtypes = dtypes or {}
    entries = {}
    for name, x in tensors.items():
        dtype = dtypes.get(name, "F32")
        entries[name] = (dtype, list(np.asarray(x).shape), _raw_bytes(np.asarray(x), dtype))
    write_raw_safetensors(path, entries)


def write_raw_safetensors(path, entries: dict) -> None:
    """Write name -> (dtype, shape, little-endian bytes) as they are, in name order."""
    header = {"__metadata__": {"format": "pt"}}
    chunks = []
    offset = 0
    for name in sorted(entries):
        dtype, shape, raw = entries[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for raw in chunks:
            f.write(raw)


def read_safetensors(path) -> tuple[dict, dict]:
    """Return (name -> float32 array, name -> stored dtype); validates offsets cover the buffer exactly."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 != 0:
        raise ValueError(f"{path}: header length {n} is not 8-byte aligned")
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    buffer = blob[8 + n :]
    header.pop("__metadata__", None)
    arrays, dtypes = {}, {}
    covered = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = info["data_offsets"]
        if begin != covered:
            raise ValueError(f"{path}: gap or overlap before {name}")
        covered = end
        raw = np.frombuffer(buffer[begin:end], dtype=_NUMPY_BITS[info["dtype"]])
        values = bf16_bits_to_f32(raw) if info["dtype"] == "BF16" else raw.astype(np.float32)
        arrays[name] = values.reshape(info["shape"])
        dtypes[name] = info["dtype"]
    if covered != len(buffer):
        raise ValueError(f"{path}: {len(buffer) - covered} trailing bytes")
    return arrays, dtypes
