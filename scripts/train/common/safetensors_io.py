"""Minimal safetensors writer/reader for the exporters (Debian has no `safetensors` package).

Layout: u64 little-endian header length, JSON header (space-padded so the tensor data is 8-byte
aligned), then the raw little-endian tensors in name order.
"""

import json

import numpy as np
import torch

DTYPES = {"F32": "<f4", "F16": "<f2"}


def write_safetensors(tensors, path, dtype="F32", metadata=None):
    """Write name -> tensor/array as `dtype` (F32, or F16 for artefacts where half precision is plenty)."""
    header, chunks, offset = {"__metadata__": {"format": "pt", **(metadata or {})}}, [], 0
    for name in sorted(tensors):
        value = tensors[name]
        array = value.detach().cpu().to(torch.float32).numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        data = np.ascontiguousarray(array, dtype=DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(len(header_bytes).to_bytes(8, "little"))
        f.write(header_bytes)
        for chunk in chunks:
            f.write(chunk)


def read_safetensors(path):
    """name -> float32 torch tensor, whatever the stored float dtype."""
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    body = raw[8 + n:]
    return {name: torch.from_numpy(np.frombuffer(body[a:b], dtype=DTYPES[meta["dtype"]])
                                   .astype(np.float32).reshape(meta["shape"]))
            for name, meta in header.items() for a, b in [meta["data_offsets"]]}
