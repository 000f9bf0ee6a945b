"""Export a mini-CNN training checkpoint as a model folder the app loads, and measure it.

Writes public/models/mini-cnn/ (config.json, model.safetensors, preprocessor_config.json identical
to mini-ViT's, train_log.csv, training_curves.png, eval_results.json) and the held-out fixture for
tests/bundled/mini_cnn.test.ts. Every number is computed from the weights read back from the
written model.safetensors.

    /usr/bin/python3 scripts/train/cnn/export.py --checkpoint scripts/train/cnn/work/run/checkpoint.pt
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common.export import (copy_log_and_curves, label_maps, test_results, training_record,  # noqa: E402
                           write_heldout_fixture, write_json, write_model_folder)
from modeling_cnn import CnnConfig, CnnForImageClassification  # noqa: E402


def hf_config(config: CnnConfig):
    """config.json: the layer list is the architecture; a ReLU follows every "conv" entry."""
    return {
        "architectures": ["CnnForImageClassification"],
        "model_type": "mini_cnn",
        "image_size": config.image_size,
        "num_channels": config.num_channels,
        "layers": config.layers,
        "hidden_act": "relu",
        "pooling": "mean",
        **label_maps(),
        "problem_type": "single_label_classification",
        "torch_dtype": "float32",
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default="scripts/train/cnn/work/run/checkpoint.pt")
    p.add_argument("--model-dir", default="public/models/mini-cnn")
    p.add_argument("--fixture", default="tests/fixtures/mini-cnn/heldout.json")
    p.add_argument("--heldout", type=int, default=200, help="first N test images go into the fixture")
    args = p.parse_args()
    torch.set_num_threads(1)

    ckpt = torch.load(args.checkpoint)
    config = CnnConfig(**ckpt["config"])
    model = write_model_folder(args.model_dir, ckpt["model"], hf_config(config), CnnForImageClassification(config))
    test_x, test_y, logits, results = test_results(model)
    copy_log_and_curves(args.checkpoint, args.model_dir)
    results = {**results, "parameters": sum(p.numel() for p in model.parameters()), **training_record(ckpt)}
    write_json(os.path.join(args.model_dir, "eval_results.json"), results)
    write_heldout_fixture(args.fixture, args.model_dir, test_x, test_y, logits, args.heldout)
    print(json.dumps({k: v for k, v in results.items() if k != "train_args"}, indent=2))


if __name__ == "__main__":
    main()
