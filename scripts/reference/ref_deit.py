"""DeiT reference: random DeiTForImageClassificationWithTeacher weights and the forward pass of HF
modeling_deit.py (eval mode): ViT's pre-LN encoder over [CLS, distillation token, patches] + position embeddings;
cls_classifier reads token 0 and distillation_classifier token 1 of the final LayerNorm's output; the model's
logits are their average."""

import torch
import torch.nn.functional as F

from ref_layers import ACT2FN, RandomWeights, layer_norm, linear, self_attention
from ref_vit import vit_config


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


def interpolate_pos_encoding(position_embeddings: torch.Tensor, num_patches: int, height: int, width: int,
                             patch_size: int) -> torch.Tensor:
    """HF DeiTEmbeddings.interpolate_pos_encoding: the [CLS] and distillation rows stay, the grid is resized bicubically."""
    num_positions = position_embeddings.shape[1] - 2
    if num_patches == num_positions and height == width:
        return position_embeddings
    dim = position_embeddings.shape[-1]
    side = int(num_positions**0.5)
    grid = position_embeddings[:, 2:].reshape(1, side, side, dim).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(height // patch_size, width // patch_size), mode="bicubic", align_corners=False)
    grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat((position_embeddings[:, :2], grid), dim=1)


def deit_forward(w: dict, config: dict, pixel_values: torch.Tensor, interpolate: bool) -> dict:
    channels, height, width = pixel_values.shape
    p = config["patch_size"]
    if not interpolate and (height, width) != (config["image_size"], config["image_size"]):
        raise ValueError(f"image {height}x{width} needs interpolate_pos_encoding")
    eps = config["layer_norm_eps"]
    heads = config["num_attention_heads"]
    act = ACT2FN[config["hidden_act"]]
    patches = F.conv2d(pixel_values[None], w["deit.embeddings.patch_embeddings.projection.weight"],
                       w["deit.embeddings.patch_embeddings.projection.bias"], stride=p)
    patches = patches.flatten(2).transpose(1, 2)
    x = torch.cat((w["deit.embeddings.cls_token"], w["deit.embeddings.distillation_token"], patches), dim=1)
    position = w["deit.embeddings.position_embeddings"]
    if interpolate:
        position = interpolate_pos_encoding(position, patches.shape[1], height, width, p)
    x = (x + position)[0]
    out = {"pixel_values": pixel_values, "hidden_states.0": x}
    for i in range(config["num_hidden_layers"]):
        q = f"deit.encoder.layer.{i}."
        context, probs = self_attention(layer_norm(x, w, q + "layernorm_before", eps), w, q + "attention.attention.", heads)
        x = linear(context, w, q + "attention.output.dense") + x
        x = linear(act(linear(layer_norm(x, w, q + "layernorm_after", eps), w, q + "intermediate.dense")), w,
                   q + "output.dense") + x
        out[f"attentions.{i}"] = probs
        out[f"hidden_states.{i + 1}"] = x
    last = layer_norm(x, w, "deit.layernorm", eps)
    out["last_hidden_state"] = last
    out["cls_logits"] = linear(last[0], w, "cls_classifier")
    out["distillation_logits"] = linear(last[1], w, "distillation_classifier")
    out["logits"] = (out["cls_logits"] + out["distillation_logits"]) / 2
    return out
