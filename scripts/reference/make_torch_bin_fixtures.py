"""Regenerate tests/fixtures/pytorch_bin/: pytorch_model.bin files written by torch.save, and hostile ones.

Run with Debian's Python (it has torch):  /usr/bin/python3 -m scripts.reference.make_torch_bin_fixtures
Seeded, so a rerun writes the same tensors (the bytes of the legacy files differ: their storage keys are
memory addresses). Needs tests/fixtures/models/ (make_fixtures.py) first:
the BERT/ViT files are those checkpoints' weights saved again with torch.save.

Written files (metadata.json lists them with the torch and numpy versions used):
  tensors.safetensors           reference: every tensor of the synthetic state dict, contiguous, same dtype
  tensors-zip.bin               that state dict, torch.save zip format (the default since torch 1.6)
  tensors-legacy.bin            the same, _use_new_zipfile_serialization=False (pre-1.6 format)
  tensors-protocol4.bin         the same, zip format with pickle_protocol=4 (FRAME, MEMOIZE, STACK_GLOBAL)
  bert-tiny.bin                 models/bert-tiny as transformers saved it: _metadata, a tied decoder weight
                                sharing the word embeddings' storage, the int64 position_ids buffer
  bert-tiny-legacy-f16.bin      models/bert-tiny-legacy-f16 (F16, gamma/beta names), legacy format
  vit-tiny-grey-bf16.bin        models/vit-tiny-grey-bf16 (BF16), zip format
  evil-os-system.bin            a __reduce__ calling os.system; torch.load would run it (checked below)
  evil-os-system-legacy.bin     the same in the legacy format
  evil-eval.bin                 a __reduce__ calling builtins.eval
  whole-module.bin              torch.save(nn.Linear(...)): a pickled module, not a state dict
  torchscript.bin               torch.jit.save of a scripted nn.Linear: a program, not a state dict
  offset-out-of-bounds.bin      a tensor whose storage offset lies past its storage (torch.load refuses it too)
  stride-out-of-bounds.bin      a tensor whose size and stride reach past its storage (torch.load refuses it too)
  bool-tensor.bin               a bool tensor, a dtype the playground does not read
"""

import collections
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from scripts.reference.ref_safetensors import read_safetensors, write_raw_safetensors

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "fixtures" / "models"
OUT = ROOT / "tests" / "fixtures" / "pytorch_bin"

# The hostile pickles create this file when unpickled by Python; the TypeScript test checks it never appears.
MARKER = "/tmp/pytorch_bin_fixture_was_executed"

SAFETENSORS_DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                     torch.float64: "F64", torch.int64: "I64"}
TORCH_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def raw_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous()
    # numpy has no bfloat16: reinterpret the bits as int16 first.
    return (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()


def synthetic_state_dict() -> collections.OrderedDict:
    g = torch.Generator().manual_seed(12)
    base = torch.randn(4, 6, generator=g)
    half = torch.randn(3, 5, generator=g).half()
    bf16 = torch.randn(10, generator=g).bfloat16()
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(3, 4, generator=g)
    sd["f16"] = torch.randn(5, generator=g).half()
    sd["bf16"] = torch.randn(2, 3, generator=g).bfloat16()
    sd["f64"] = torch.randn(2, generator=g).double()
    sd["i64"] = torch.arange(6).view(2, 3)
    sd["scalar"] = torch.tensor(3.5)
    sd["empty"] = torch.zeros(0, 4)
    # Views of one storage: the whole, a contiguous slice at an offset, and non-contiguous ones.
    sd["shared.base"] = base
    sd["shared.rows"] = base[1:3]
    sd["shared.transposed"] = base.t()
    sd["shared.strided"] = base[1:, 1::2]
    sd["shared.same_tensor"] = base  # the very same tensor under a second name (a memo reference)
    sd["half.transposed"] = half.t()
    sd["bf16.slice"] = bf16[3:7]
    sd["expanded"] = torch.randn(3, 1, generator=g).expand(3, 4)  # stride 0
    sd["parameter"] = torch.nn.Parameter(torch.randn(2, 2, generator=g))  # torch._utils._rebuild_parameter
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    return sd


def checkpoint_state_dict(name: str, tied_decoder: bool = False, position_ids: int = 0) -> collections.OrderedDict:
    """A fixture checkpoint's stored tensors as torch tensors of the stored dtype, in an HF-like state dict."""
    arrays, dtypes = read_safetensors(MODELS / name / "model.safetensors")
    sd = collections.OrderedDict()
    for key in sorted(arrays):
        # The float32 arrays hold exactly the stored F16/BF16 values, so the conversion back is exact.
        sd[key] = torch.from_numpy(arrays[key].copy()).to(TORCH_DTYPE[dtypes[key]])
    if tied_decoder:
        # transformers' state_dict() lists tied weights under both names: one tensor, one storage.
        sd["cls.predictions.decoder.weight"] = sd["bert.embeddings.word_embeddings.weight"]
    if position_ids:
        # Older transformers versions saved this buffer; loaders ignore it.
        sd["bert.embeddings.position_ids"] = torch.arange(position_ids).expand(1, -1)
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    return sd


class RunsShellCommand:
    def __reduce__(self):
        return os.system, (f"touch {MARKER}",)


class CallsEval:
    def __reduce__(self):
        return eval, (f"open({MARKER!r}, 'w').close()",)


class TensorView:
    """Pickles as a tensor view that torch.save writes as is, whatever its bounds."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return torch._utils._rebuild_tensor_v2, self.args


def save(obj, name: str, **kwargs) -> None:
    torch.save(obj, OUT / name, **kwargs)


def expect_refused_by_torch(name: str) -> None:
    try:
        torch.load(OUT / name)
    except RuntimeError:
        return
    raise AssertionError(f"torch.load accepted {name}")


def expect_runs_under_torch(name: str) -> None:
    """The hostile fixtures must be real: unpickling them with torch.load (in a child process) creates MARKER."""
    if os.path.exists(MARKER):
        os.remove(MARKER)
    subprocess.run([sys.executable, "-c", f"import torch; torch.load({str(OUT / name)!r})"], check=True,
                   capture_output=True)
    if not os.path.exists(MARKER):
        raise AssertionError(f"{name} did not run its payload under torch.load")
    os.remove(MARKER)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for f in OUT.glob("*.bin"):
        f.unlink()

    sd = synthetic_state_dict()
    write_raw_safetensors(OUT / "tensors.safetensors", {
        k: (SAFETENSORS_DTYPE[v.dtype], list(v.shape), raw_bytes(v)) for k, v in sd.items()})
    save(sd, "tensors-zip.bin")
    save(sd, "tensors-legacy.bin", _use_new_zipfile_serialization=False)
    save(sd, "tensors-protocol4.bin", pickle_protocol=4)
    for name in ("tensors-zip.bin", "tensors-legacy.bin", "tensors-protocol4.bin"):
        back = torch.load(OUT / name)
        assert list(back) == list(sd) and all(torch.equal(back[k], sd[k]) for k in sd), name
        assert back["shared.rows"].storage().data_ptr() == back["shared.base"].storage().data_ptr(), name

    save(checkpoint_state_dict("bert-tiny", tied_decoder=True, position_ids=40), "bert-tiny.bin")
    save(checkpoint_state_dict("bert-tiny-legacy-f16"), "bert-tiny-legacy-f16.bin", _use_new_zipfile_serialization=False)
    save(checkpoint_state_dict("vit-tiny-grey-bf16"), "vit-tiny-grey-bf16.bin")

    save({"w": torch.ones(2), "payload": RunsShellCommand()}, "evil-os-system.bin")
    save({"w": torch.ones(2), "payload": RunsShellCommand()}, "evil-os-system-legacy.bin",
         _use_new_zipfile_serialization=False)
    save({"payload": CallsEval()}, "evil-eval.bin")
    for name in ("evil-os-system.bin", "evil-os-system-legacy.bin", "evil-eval.bin"):
        expect_runs_under_torch(name)
    torch.manual_seed(0)
    save(torch.nn.Linear(2, 2), "whole-module.bin")
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), OUT / "torchscript.bin")

    storage = torch.arange(6, dtype=torch.float32).storage()
    save({"w": TensorView(storage, 7, (1,), (1,))}, "offset-out-of-bounds.bin")
    save({"w": TensorView(storage, 1, (2, 3), (3, 1))}, "stride-out-of-bounds.bin")
    for name in ("offset-out-of-bounds.bin", "stride-out-of-bounds.bin"):
        expect_refused_by_torch(name)
    save({"mask": torch.tensor([True, False])}, "bool-tensor.bin")

    files = {f.name: f.stat().st_size for f in sorted(OUT.iterdir()) if f.name != "metadata.json"}
    (OUT / "metadata.json").write_text(json.dumps({
        "generator": "scripts/reference/make_torch_bin_fixtures.py",
        "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
        "marker": MARKER, "files": files,
    }, indent=2) + "\n")
    total = sum(files.values())
    print(f"{len(files)} files, {total / 1024:.1f} KiB")
    if total > 1024 * 1024:
        sys.exit("fixtures exceed 1 MB")


if __name__ == "__main__":
    main()
