"""Regenerate tests/fixtures/models/cnn-tiny: a small random mini-CNN checkpoint and its PyTorch outputs.

Run with Debian's Python (it has torch):  /usr/bin/python3 -m scripts.reference.make_cnn_fixture

The forward is the training code's own model (scripts/train/cnn/modeling_cnn.py), so the TypeScript
port is checked against exactly what trains and exports the bundled mini-CNN; config.json comes from
its exporter. Before writing, every output is recomputed in float64 by an independent formulation
(convolution as unfold + einsum, max-pooling over explicit -inf padded windows, ReLU by comparison)
and the two must agree. Seeded: a rerun writes the same bytes.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import PIL
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
from scripts.reference.make_fixtures import vit_preprocess, write_json
from scripts.reference.ref_check import assert_close
from scripts.reference.ref_safetensors import read_safetensors, write_safetensors
from scripts.train.cnn.export import hf_config
from scripts.train.cnn.modeling_cnn import CnnConfig, CnnForImageClassification

OUT = ROOT / "tests" / "fixtures" / "models" / "cnn-tiny"
LABELS = ["circle", "square", "triangle", "star"]
MEAN = STD = 0.5


def conv(c, k, s, p):
    return {"type": "conv", "out_channels": c, "kernel_size": k, "stride": s, "padding": p}


def pool(k, s, p):
    return {"type": "max_pool", "kernel_size": k, "stride": s, "padding": p}


# Every case the TypeScript port must get right: 3x3 'same' convs, a strided 5x5 conv, a 1x1 conv, an
# unpadded conv, 2x2 pooling and 3x3 pooling with padding (odd sizes, borders treated alike).
LAYERS = [conv(6, 3, 1, 1), conv(8, 5, 2, 2), pool(2, 2, 0), conv(8, 3, 1, 1), conv(12, 1, 1, 0),
          pool(3, 2, 1), conv(16, 3, 1, 0)]
IMAGE_SIZE = 28


def forward64(weights, layers, x):
    """The mini-CNN in float64, written without nn.Conv2d / nn.MaxPool2d."""
    x = x.double()
    maps = {}
    for i, layer in enumerate(layers):
        k, s, p = layer["kernel_size"], layer["stride"], layer["padding"]
        if layer["type"] == "conv":
            w, b = weights[f"cnn.layers.{i}.convolution.weight"].double(), weights[f"cnn.layers.{i}.convolution.bias"].double()
            windows = F.pad(x, (p, p, p, p)).unfold(1, k, s).unfold(2, k, s)  # [C, oh, ow, k, k]
            y = torch.einsum("chwij,ocij->ohw", windows, w) + b[:, None, None]
            x = torch.where(y > 0, y, torch.zeros_like(y))
        else:
            windows = F.pad(x, (p, p, p, p), value=-float("inf")).unfold(1, k, s).unfold(2, k, s)
            x = windows.amax(dim=(3, 4))
        maps[f"feature_maps.{i}"] = x
    pooled = x.mean(dim=(1, 2))
    logits = pooled @ weights["classifier.weight"].double().T + weights["classifier.bias"].double()
    return {**maps, "pooled": pooled, "logits": logits}


def forward32(model, x):
    with torch.no_grad():
        logits, maps = model(x[None], output_feature_maps=True)
        pooled = maps[-1].mean(dim=(2, 3))
    return {**{f"feature_maps.{i}": m[0] for i, m in enumerate(maps)}, "pooled": pooled[0], "logits": logits[0]}


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    torch.manual_seed(11)
    shutil.rmtree(OUT, ignore_errors=True)
    (OUT / "inputs").mkdir(parents=True)

    config = CnnConfig(image_size=IMAGE_SIZE, num_channels=3, layers=LAYERS, num_labels=len(LABELS))
    model = CnnForImageClassification(config).eval()
    with torch.no_grad():  # zero biases would hide a missing bias add
        for name, param in model.named_parameters():
            if name.endswith("bias"):
                param.uniform_(-0.2, 0.2)
    hf = hf_config(config)
    hf["id2label"] = {str(i): name for i, name in enumerate(LABELS)}
    hf["label2id"] = {name: i for i, name in enumerate(LABELS)}
    write_json(OUT / "config.json", hf)
    write_json(OUT / "preprocessor_config.json", {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True, "size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE}, "resample": 2,
        "do_rescale": True, "rescale_factor": 1 / 255,
        "do_normalize": True, "image_mean": [MEAN] * 3, "image_std": [STD] * 3,
    })
    write_safetensors(OUT / "model.safetensors", {k: v.numpy() for k, v in model.state_dict().items()})
    stored, _ = read_safetensors(OUT / "model.safetensors")
    weights = {k: torch.from_numpy(v.copy()) for k, v in stored.items()}
    model.load_state_dict(weights)

    g = torch.Generator().manual_seed(12)
    # 0: a PNG through the processor; 1: random pixel values; 2: another size (the network is convolutional).
    pixels = torch.randint(0, 256, (IMAGE_SIZE, IMAGE_SIZE, 3), generator=g, dtype=torch.uint8).numpy()
    Image.fromarray(pixels).save(OUT / "inputs" / "case0.png")
    inputs = [
        torch.from_numpy(vit_preprocess(np.array(Image.open(OUT / "inputs" / "case0.png")), {"image_size": IMAGE_SIZE}, MEAN, STD).copy()),
        torch.rand(3, IMAGE_SIZE, IMAGE_SIZE, generator=g) * 4 - 2,
        torch.rand(3, 33, 25, generator=g) * 4 - 2,
    ]
    cases, tensors = [], {}
    for i, x in enumerate(inputs):
        out = forward32(model, x)
        worst = assert_close(f"cnn-tiny/case{i}", out, forward64(weights, LAYERS, x))
        alive = [(out[f"feature_maps.{j}"] > 0).float().mean().item() for j in range(len(LAYERS))]
        if min(alive) < 0.05:  # a layer that is all zero would check nothing after it
            raise AssertionError(f"case{i}: a layer is almost all zero ({alive})")
        print(f"  cnn-tiny case{i}: {tuple(x.shape)}, f32 vs f64 max diff {worst:.2e}, "
              f"feature maps {[tuple(out[f'feature_maps.{j}'].shape) for j in range(len(LAYERS))]}")
        case = {"pixel_values_key": f"case{i}.pixel_values", "image_size": list(x.shape[1:])}
        if i == 0:
            case["image"] = "inputs/case0.png"
        cases.append(case)
        tensors.update({f"case{i}.{k}": v.numpy().astype(np.float32) for k, v in {"pixel_values": x, **out}.items()})
    write_safetensors(OUT / "expected.safetensors", tensors)
    write_json(OUT / "expected.json", {
        "generator": {"script": "scripts/reference/make_cnn_fixture.py", "model": "scripts/train/cnn/modeling_cnn.py",
                      "torch": torch.__version__, "numpy": np.__version__, "PIL": PIL.__version__},
        "cases": cases,
    })
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"cnn-tiny total: {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
