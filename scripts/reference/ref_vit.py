"""ViT reference: random ViTForImageClassification weights and the forward pass of HF modeling_vit.py (eval mode).

The forward also runs a distilled DeiT (modeling_deit.py, see ref_deit.py): weights under "deit." with a
distillation token after [CLS], whose position row comes before the grid too, and two heads."""

import torch
import torch.nn.functional as F

from scripts.reference.ref_layers import ACT2FN, RandomWeights, layer_norm, linear, self_attention


def vit_config(*, image_size: int, patch_size: int, num_channels: int, num_hidden_layers: int,
               hidden_act: str, labels: list) -> dict:
    return {
        "model_type": "vit",
        "architectures": ["ViTForImageClassification"],
        "image_size": image_size,
        "patch_size": patch_size,
        "num_channels": num_channels,
        "hidden_size": 32,
        "num_hidden_layers": num_hidden_layers,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "hidden_act": hidden_act,
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
        "layer_norm_eps": 1e-12,
        "initializer_range": 0.02,
        "qkv_bias": True,
        "encoder_stride": patch_size,
        "id2label": {str(i): name for i, name in enumerate(labels)},
        "label2id": {name: i for i, name in enumerate(labels)},
    }


def init_vit_weights(config: dict, seed: int) -> dict:
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    c, p = config["num_channels"], config["patch_size"]
    num_patches = (config["image_size"] // p) ** 2
    r = RandomWeights(seed, hidden)
    r.w["vit.embeddings.cls_token"] = r.randn(1, 1, hidden, std=0.5)
    r.w["vit.embeddings.position_embeddings"] = r.randn(1, 1 + num_patches, hidden, std=0.5)
    r.w["vit.embeddings.patch_embeddings.projection.weight"] = r.randn(hidden, c, p, p, std=0.2)
    r.w["vit.embeddings.patch_embeddings.projection.bias"] = r.randn(hidden, std=0.1)
    for i in range(config["num_hidden_layers"]):
        q = f"vit.encoder.layer.{i}."
        for name in ("query", "key", "value"):
            r.dense(q + "attention.attention." + name, hidden, hidden)
        r.dense(q + "attention.output.dense", hidden, hidden)
        r.dense(q + "intermediate.dense", inter, hidden)
        r.dense(q + "output.dense", hidden, inter)
        r.norm(q + "layernorm_before")
        r.norm(q + "layernorm_after")
    r.norm("vit.layernorm")
    r.dense("classifier", len(config["id2label"]), hidden)
    return r.w


def interpolate_pos_encoding(position_embeddings: torch.Tensor, num_patches: int, height: int, width: int,
                             patch_size: int, prefix: int = 1) -> torch.Tensor:
    """HF ViTEmbeddings.interpolate_pos_encoding: bicubic resize of the square trained grid to the input grid.
    The first `prefix` rows ([CLS], and DeiT's distillation token) are kept as they are."""
    num_positions = position_embeddings.shape[1] - prefix
    # HF returns the table untouched when the patch count matches and the image is square.
    if num_patches == num_positions and height == width:
        return position_embeddings
    dim = position_embeddings.shape[-1]
    side = int(num_positions**0.5)
    grid = position_embeddings[:, prefix:].reshape(1, side, side, dim).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(height // patch_size, width // patch_size), mode="bicubic", align_corners=False)
    grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim)
    return torch.cat((position_embeddings[:, :prefix], grid), dim=1)


def vit_forward(w: dict, config: dict, pixel_values: torch.Tensor, interpolate: bool, model: str = "vit") -> dict:
    """All intermediate outputs for one image pixel_values [C, H, W], named as in tests/fixtures/models/README.md."""
    channels, height, width = pixel_values.shape
    p = config["patch_size"]
    if channels != config["num_channels"]:
        raise ValueError(f"expected {config['num_channels']} channels, got {channels}")
    if not interpolate and (height, width) != (config["image_size"], config["image_size"]):
        raise ValueError(f"image {height}x{width} needs interpolate_pos_encoding")
    eps = config["layer_norm_eps"]
    heads = config["num_attention_heads"]
    act = ACT2FN[config["hidden_act"]]

    m = model + "."
    patches = F.conv2d(pixel_values[None], w[m + "embeddings.patch_embeddings.projection.weight"],
                       w[m + "embeddings.patch_embeddings.projection.bias"], stride=p)
    patches = patches.flatten(2).transpose(1, 2)  # [1, rows*cols, hidden], row-major over the grid
    tokens = [w[m + "embeddings.cls_token"]]
    if m + "embeddings.distillation_token" in w:
        tokens.append(w[m + "embeddings.distillation_token"])
    x = torch.cat((*tokens, patches), dim=1)
    position = w[m + "embeddings.position_embeddings"]
    if interpolate:
        position = interpolate_pos_encoding(position, patches.shape[1], height, width, p, len(tokens))
    x = (x + position)[0]
    out = {"pixel_values": pixel_values, "hidden_states.0": x}

    for i in range(config["num_hidden_layers"]):
        q = f"{m}encoder.layer.{i}."
        context, probs = self_attention(layer_norm(x, w, q + "layernorm_before", eps), w, q + "attention.attention.",
                                        heads)
        x = linear(context, w, q + "attention.output.dense") + x
        intermediate = act(linear(layer_norm(x, w, q + "layernorm_after", eps), w, q + "intermediate.dense"))
        x = linear(intermediate, w, q + "output.dense") + x
        out[f"attentions.{i}"] = probs
        out[f"hidden_states.{i + 1}"] = x

    last = layer_norm(x, w, m + "layernorm", eps)
    out["last_hidden_state"] = last
    if "classifier.weight" in w:
        out["logits"] = linear(last[0], w, "classifier")
    else:
        # DeiTForImageClassificationWithTeacher: a head on each token, and their mean as the model's logits.
        out["cls_logits"] = linear(last[0], w, "cls_classifier")
        out["distillation_logits"] = linear(last[1], w, "distillation_classifier")
        out["logits"] = (out["cls_logits"] + out["distillation_logits"]) / 2
    return out
