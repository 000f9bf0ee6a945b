"""Export a mini-CNN training checkpoint as a model folder the app loads, and measure it.

Writes public/models/mini-cnn/ (config.json, model.safetensors, preprocessor_config.json identical
to mini-ViT's, train_log.csv, training_curves.png, eval_results.json) and the held-out fixture for
tests/bundled/mini_cnn.test.ts. Every number is computed from the weights read back from the
written model.safetensors.

    /usr/bin/python3 -m scripts.train.cnn.export --checkpoint scripts/train/cnn/work/run/checkpoint.pt
"""

import json
import os

from scripts.train.common.export import (export_args, export_model, label_maps, training_record,
                           write_heldout_fixture, write_json)
from scripts.train.cnn.modeling_cnn import CnnConfig, CnnForImageClassification


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
    args = export_args(__doc__, "cnn", "mini-cnn")
    ckpt, config, model, test_x, test_y, logits, results = export_model(args, CnnConfig, CnnForImageClassification, hf_config)
    results = {**results, "parameters": sum(p.numel() for p in model.parameters()), **training_record(ckpt)}
    write_json(os.path.join(args.model_dir, "eval_results.json"), results)
    write_heldout_fixture(args.fixture, args.model_dir, test_x, test_y, logits, args.heldout)
    print(json.dumps({k: v for k, v in results.items() if k != "train_args"}, indent=2))


if __name__ == "__main__":
    main()
