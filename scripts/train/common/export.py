"""What the two exporters (scripts/train/vit/export.py, scripts/train/cnn/export.py) write alike:
the preprocessor config, labels, test-set evaluation, curves, eval_results.json and the held-out
fixture the TypeScript bundled-model tests reproduce. Every number is computed from the weights
read back from the written model.safetensors, i.e. from what ships."""

import argparse
import base64
import csv
import json
import os
import shutil

import torch
import torch.nn.functional as F

from scripts.train.common.fashion_mnist import IMAGE_MEAN, IMAGE_STD, LABELS, NUM_CHANNELS, load_split, preprocess
from scripts.train.common.plots import training_curves
from scripts.train.common.safetensors_io import read_safetensors, write_safetensors


def label_maps():
    return {"id2label": {str(i): name for i, name in enumerate(LABELS)},
            "label2id": {name: i for i, name in enumerate(LABELS)}}


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


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def export_args(doc, arch, name, add_args=None):
    """An exporter's command line: which checkpoint, which model folder, which held-out fixture."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=f"scripts/train/{arch}/work/run/checkpoint.pt")
    p.add_argument("--model-dir", default=f"public/models/{name}")
    p.add_argument("--fixture", default=f"tests/fixtures/{name}/heldout.json")
    p.add_argument("--heldout", type=int, default=200, help="first N test images go into the fixture")
    if add_args:
        add_args(p)
    return p.parse_args()


def export_model(args, config_class, model_class, hf_config):
    """Writes config.json, model.safetensors, preprocessor_config.json, the log and its curves; then loads
    the written weights back and evaluates them on the test set.

    Returns the checkpoint, the model config, the model (eval mode), and test_results' four values.
    """
    torch.set_num_threads(1)
    ckpt = torch.load(args.checkpoint)
    config = config_class(**ckpt["config"])
    os.makedirs(args.model_dir, exist_ok=True)
    weights_path = os.path.join(args.model_dir, "model.safetensors")
    write_safetensors(ckpt["model"], weights_path)
    write_json(os.path.join(args.model_dir, "config.json"), hf_config(config))
    write_json(os.path.join(args.model_dir, "preprocessor_config.json"), preprocessor_config())
    copy_log_and_curves(args.checkpoint, args.model_dir)
    model = model_class(config)
    model.load_state_dict(read_safetensors(weights_path))
    model.eval()
    return (ckpt, config, model, *test_results(model))


@torch.no_grad()
def predict(model, images, batch_size=500):
    return torch.cat([model(preprocess(images[i:i + batch_size])) for i in range(0, len(images), batch_size)])


def test_results(model):
    """Test images and labels, the model's logits and predictions on them, and the headline numbers."""
    test_x, test_y = load_split("t10k")
    logits = predict(model, test_x)
    pred = logits.argmax(1)
    results = {
        "test_accuracy": round((pred == test_y).float().mean().item(), 4),
        "test_loss": round(F.cross_entropy(logits, test_y).item(), 4),
        "test_images": len(test_y),
        "per_class_accuracy": {LABELS[c]: round((pred[test_y == c] == c).float().mean().item(), 4)
                               for c in range(len(LABELS))},
    }
    return test_x, test_y, logits, results


def training_record(ckpt):
    """How the checkpoint was trained, for eval_results.json."""
    state = ckpt["state"]
    return {"train_steps": state["step"], "train_images_seen": state["images"],
            "train_epochs": round(state["images"] / 60000, 3), "train_minutes": round(state["elapsed"] / 60, 1),
            "train_args": ckpt["args"]}


def copy_log_and_curves(checkpoint_path, model_dir):
    """train_log.csv next to the checkpoint goes into the model folder, with its curves as training_curves.png."""
    log_path = os.path.join(os.path.dirname(checkpoint_path), "train_log.csv")
    shutil.copyfile(log_path, os.path.join(model_dir, "train_log.csv"))
    with open(log_path) as f:
        training_curves(list(csv.DictReader(f))).save(os.path.join(model_dir, "training_curves.png"))


def write_heldout_fixture(path, model_dir, test_x, test_y, logits, n, extra=None):
    """The first n test images with PyTorch's logits, for tests/bundled/*.test.ts."""
    pred = logits.argmax(1)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_json(path, {
        "description": f"First {n} Fashion-MNIST test images (28x28 grey, row-major uint8, base64) with the "
                       f"logits PyTorch computes for {model_dir} from the same preprocessing.",
        "test_indices": list(range(n)),
        "images_base64": [base64.b64encode(test_x[i].numpy().tobytes()).decode() for i in range(n)],
        "labels": test_y[:n].tolist(),
        "top1": pred[:n].tolist(),
        "logits": [[round(v, 6) for v in row] for row in logits[:n].tolist()],
        "subset_accuracy": (pred[:n] == test_y[:n]).sum().item() / n,
        **(extra or {}),
    })
