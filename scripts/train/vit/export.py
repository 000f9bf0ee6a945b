"""Export a training checkpoint as a Hugging Face ViTForImageClassification folder and measure it.

Writes public/models/mini-vit/ (config.json, model.safetensors, preprocessor_config.json,
train_log.csv, training_curves.png, position_similarity.png, eval_results.json), test-set sample
PNGs in public/samples/, and the held-out fixture for tests/bundled/mini_vit.test.ts. Every number
is computed from the weights read back from the written model.safetensors, i.e. from what ships.

    /usr/bin/python3 -m scripts.train.vit.export --checkpoint scripts/train/vit/work/run/checkpoint.pt
"""

import json
import os

import torch
from PIL import Image

from scripts.train.common.export import (export_args, export_model, label_maps, training_record,
                           write_heldout_fixture, write_json)
from scripts.train.common.fashion_mnist import LABELS
from scripts.train.common.plots import similarity_grid
from scripts.train.vit.modeling_vit import ViTConfig, ViTForImageClassification
from scripts.train.vit.pos_structure import cosine_similarity_matrix, position_embedding_structure

SAMPLES_PER_CLASS = 2


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
        **label_maps(),
        "problem_type": "single_label_classification",
        "torch_dtype": "float32",
    }


def main():
    args = export_args(__doc__, "vit", "mini-vit",
                       lambda p: p.add_argument("--samples-dir", default="public/samples"))
    ckpt, config, model, test_x, test_y, logits, results = export_model(args, ViTConfig, ViTForImageClassification, hf_config)
    pred = logits.argmax(1)
    grid = config.image_size // config.patch_size
    pos = model.vit.embeddings.position_embeddings[0].detach().numpy()
    spearman = position_embedding_structure(pos, grid, grid)
    similarity_grid(cosine_similarity_matrix(pos[1:]), grid, grid).save(os.path.join(args.model_dir, "position_similarity.png"))
    results = {**results, "position_embedding_spearman": round(spearman, 4), **training_record(ckpt)}
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

    write_heldout_fixture(args.fixture, args.model_dir, test_x, test_y, logits, args.heldout,
                          {"position_embedding_spearman": spearman})
    print(json.dumps({k: v for k, v in results.items() if k != "train_args"}, indent=2))


if __name__ == "__main__":
    main()
