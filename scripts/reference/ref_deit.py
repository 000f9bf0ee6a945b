"""DeiT reference: random DeiTForImageClassificationWithTeacher weights and the forward pass of HF
modeling_deit.py (eval mode): ViT's pre-LN encoder over [CLS, distillation token, patches] + position embeddings
(ref_vit.vit_forward, which keeps both rows before the grid when it interpolates positions); cls_classifier reads
token 0 and distillation_classifier token 1 of the final LayerNorm's output; the model's logits are their average."""

import torch

from scripts.reference.ref_layers import RandomWeights
from scripts.reference.ref_vit import vit_config, vit_forward


def deit_config(**kwargs) -> dict:
    config = vit_config(**kwargs)
    config["model_type"] = "deit"
    config["architectures"] = ["DeiTForImageClassificationWithTeacher"]
    return config


def init_deit_weights(config: dict, seed: int) -> dict:
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    c, p = config["num_channels"], config["patch_size"]
    num_patches = (config["image_size"] // p) ** 2
    labels = len(config["id2label"])
    r = RandomWeights(seed, hidden)
    r.w["deit.embeddings.cls_token"] = r.randn(1, 1, hidden, std=0.5)
    r.w["deit.embeddings.distillation_token"] = r.randn(1, 1, hidden, std=0.5)
    r.w["deit.embeddings.position_embeddings"] = r.randn(1, 2 + num_patches, hidden, std=0.5)
    r.w["deit.embeddings.patch_embeddings.projection.weight"] = r.randn(hidden, c, p, p, std=0.2)
    r.w["deit.embeddings.patch_embeddings.projection.bias"] = r.randn(hidden, std=0.1)
    for i in range(config["num_hidden_layers"]):
        q = f"deit.encoder.layer.{i}."
        for name in ("query", "key", "value"):
            r.dense(q + "attention.attention." + name, hidden, hidden)
        r.dense(q + "attention.output.dense", hidden, hidden)
        r.dense(q + "intermediate.dense", inter, hidden)
        r.dense(q + "output.dense", hidden, inter)
        r.norm(q + "layernorm_before")
        r.norm(q + "layernorm_after")
    r.norm("deit.layernorm")
    r.dense("cls_classifier", labels, hidden)
    r.dense("distillation_classifier", labels, hidden)
    return r.w


def deit_forward(w: dict, config: dict, pixel_values: torch.Tensor, interpolate: bool) -> dict:
    return vit_forward(w, config, pixel_values, interpolate, "deit")
