"""Export a training checkpoint as a Hugging Face ViTForImageClassification folder and measure it.

Writes public/models/mini-vit/ (config.json, model.safetensors, preprocessor_config.json,
train_log.csv, training_curves.png, position_similarity.png, eval_results.json), test-set sample
PNGs in public/samples/, and the held-out fixture for tests/bundled/mini_vit.test.ts. Every number
is computed from the weights read back from the written model.safetensors, i.e. from what ships.

    /usr/bin/python3 scripts/train/vit/export.py --checkpoint scripts/train/vit/work/run/checkpoint.pt
"""

import argparse
import base64
import csv
import json
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from fashion_mnist import IMAGE_MEAN, IMAGE_STD, LABELS, NUM_CHANNELS, load_split, preprocess
from modeling_vit import ViTConfig, ViTForImageClassification
from plots import similarity_grid, training_curves
from pos_structure import cosine_similarity_matrix, position_embedding_structure

SAMPLES_PER_CLASS = 2


def write_safetensors(state_dict, path):
    """safetensors layout: u64 little-endian header length, JSON header, then the raw F32 tensors."""
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(state_dict):
        data = state_dict[name].detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(state_dict[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)  # keeps the tensor data 8-byte aligned
    with open(path, "wb") as f:
        f.write(len(header_bytes).to_bytes(8, "little"))
        f.write(header_bytes)
        for chunk in chunks:
            f.write(chunk)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    body = raw[8 + n:]
    return {name: torch.from_numpy(np.frombuffer(body[a:b], dtype="<f4").reshape(meta["shape"]).copy())
            for name, meta in header.items() for a, b in [meta["data_offsets"]]}


def hf_config(config: ViTConfig):
    return {
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "image_size": config.image_size,
        "patch_size": config.patch_size,
        "num_channels": config.num_channels,
        "hidden_size": config.hidden_size,
        "num_hidden_layers": config.num_hidden_layers,
        "num_attention_heads": config.num_attention_heads,
        "intermediate_size": config.intermediate_size,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "initializer_range": config.initializer_range,
        "layer_norm_eps": config.layer_norm_eps,
        "qkv_bias": config.qkv_bias,
        "encoder_stride": config.patch_size,
        "id2label": {str(i): name for i, name in enumerate(LABELS)},
        "label2id": {name: i for i, name in enumerate(LABELS)},
        "problem_type": "single_label_classification",
        "torch_dtype": "float32",
    }


def preprocessor_config():
    return {
        "image_processor_type": "ViTImageProcessor",
        "do_convert_rgb": True,
        "do_resize": True,
        "size": {"height": 28, "width": 28},
        "resample": 2,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [IMAGE_MEAN] * NUM_CHANNELS,
        "image_std": [IMAGE_STD] * NUM_CHANNELS,
    }


@torch.no_grad()
def predict(model, images, batch_size=500):
    return torch.cat([model(preprocess(images[i:i + batch_size])) for i in range(0, len(images), batch_size)])


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default="scripts/train/vit/work/run/checkpoint.pt")
    p.add_argument("--model-dir", default="public/models/mini-vit")
    p.add_argument("--samples-dir", default="public/samples")
    p.add_argument("--fixture", default="tests/fixtures/mini-vit/heldout.json")
    p.add_argument("--heldout", type=int, default=200, help="first N test images go into the fixture")
    args = p.parse_args()
    torch.set_num_threads(1)

    ckpt = torch.load(args.checkpoint)
    config = ViTConfig(**ckpt["config"])
    os.makedirs(args.model_dir, exist_ok=True)
    weights_path = os.path.join(args.model_dir, "model.safetensors")
    write_safetensors(ckpt["model"], weights_path)
    write_json(os.path.join(args.model_dir, "config.json"), hf_config(config))
    write_json(os.path.join(args.model_dir, "preprocessor_config.json"), preprocessor_config())

    model = ViTForImageClassification(config)
    model.load_state_dict(read_safetensors(weights_path))
    model.eval()

    test_x, test_y = load_split("t10k")
    logits = predict(model, test_x)
    pred = logits.argmax(1)
    accuracy = (pred == test_y).float().mean().item()
    per_class = {LABELS[c]: round((pred[test_y == c] == c).float().mean().item(), 4) for c in range(len(LABELS))}
    grid = config.image_size // config.patch_size
    pos = model.vit.embeddings.position_embeddings[0].detach().numpy()
    spearman = position_embedding_structure(pos, grid, grid)
    similarity_grid(cosine_similarity_matrix(pos[1:]), grid, grid).save(os.path.join(args.model_dir, "position_similarity.png"))

    state, train_args = ckpt["state"], ckpt["args"]
    log_path = os.path.join(os.path.dirname(args.checkpoint), "train_log.csv")
    shutil.copyfile(log_path, os.path.join(args.model_dir, "train_log.csv"))
    with open(log_path) as f:
        training_curves(list(csv.DictReader(f))).save(os.path.join(args.model_dir, "training_curves.png"))
    results = {
        "test_accuracy": round(accuracy, 4),
        "test_loss": round(F.cross_entropy(logits, test_y).item(), 4),
        "test_images": len(test_y),
        "per_class_accuracy": per_class,
        "position_embedding_spearman": round(spearman, 4),
        "train_steps": state["step"],
        "train_images_seen": state["images"],
        "train_epochs": round(state["images"] / 60000, 3),
        "train_minutes": round(state["elapsed"] / 60, 1),
        "train_args": train_args,
    }
    write_json(os.path.join(args.model_dir, "eval_results.json"), results)

    os.makedirs(args.samples_dir, exist_ok=True)
    samples = []
    for c, name in enumerate(LABELS):
        for index in torch.nonzero(test_y == c)[:SAMPLES_PER_CLASS, 0].tolist():
            file = f"fashion-{index}-{name.lower().replace('/', '-').replace(' ', '-')}.png"
            Image.fromarray(test_x[index].numpy(), mode="L").save(os.path.join(args.samples_dir, file))
            samples.append({"file": file, "label": name, "label_id": c, "test_index": index,
                            "predicted": LABELS[pred[index].item()]})
    write_json(os.path.join(args.samples_dir, "index.json"),
               {"dataset": "Fashion-MNIST test set (t10k)", "model": "mini-vit", "samples": samples})

    n = args.heldout
    os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
    write_json(args.fixture, {
        "description": f"First {n} Fashion-MNIST test images (28x28 grey, row-major uint8, base64) with the "
                       "logits PyTorch computes for public/models/mini-vit from the same preprocessing.",
        "test_indices": list(range(n)),
        "images_base64": [base64.b64encode(test_x[i].numpy().tobytes()).decode() for i in range(n)],
        "labels": test_y[:n].tolist(),
        "top1": pred[:n].tolist(),
        "logits": [[round(v, 6) for v in row] for row in logits[:n].tolist()],
        "subset_accuracy": (pred[:n] == test_y[:n]).sum().item() / n,
        "position_embedding_spearman": spearman,
    })
    print(json.dumps({k: v for k, v in results.items() if k != "train_args"}, indent=2))


if __name__ == "__main__":
    main()
