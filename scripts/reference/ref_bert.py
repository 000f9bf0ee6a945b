"""BERT reference: random BertForPreTraining weights and the forward pass of HF modeling_bert.py (eval mode).

Weights are keyed by BertForPreTraining state-dict names (`bert.*`, `cls.*`); a dict without the `cls.*`
keys is a bare BertModel and yields no head outputs.
"""

import torch

from ref_layers import ACT2FN, layer_norm, linear, self_attention


def bert_config(*, vocab_size: int, hidden_act: str, architectures: list, **overrides) -> dict:
    config = {
        "model_type": "bert",
        "architectures": architectures,
        "hidden_size": 32,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "hidden_act": hidden_act,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 40,
        "type_vocab_size": 2,
        "vocab_size": vocab_size,
        "layer_norm_eps": 1e-12,
        "initializer_range": 0.02,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    }
    config.update(overrides)
    return config


def init_bert_weights(config: dict, seed: int, *, heads: bool, tied_decoder: bool) -> dict:
    """Random weights, deliberately larger than HF's init (std 0.02) so attention and outputs are far from uniform."""
    g = torch.Generator().manual_seed(seed)

    def randn(*shape, std):
        return torch.randn(*shape, generator=g) * std

    hidden, inter = config["hidden_size"], config["intermediate_size"]
    w = {}

    def dense(prefix, n_out, n_in):
        w[prefix + ".weight"] = randn(n_out, n_in, std=0.2)
        w[prefix + ".bias"] = randn(n_out, std=0.1)

    def norm(prefix):
        w[prefix + ".weight"] = 1.0 + randn(hidden, std=0.2)
        w[prefix + ".bias"] = randn(hidden, std=0.1)

    w["bert.embeddings.word_embeddings.weight"] = randn(config["vocab_size"], hidden, std=0.5)
    w["bert.embeddings.position_embeddings.weight"] = randn(config["max_position_embeddings"], hidden, std=0.3)
    w["bert.embeddings.token_type_embeddings.weight"] = randn(config["type_vocab_size"], hidden, std=0.3)
    norm("bert.embeddings.LayerNorm")
    for i in range(config["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        for name in ("query", "key", "value"):
            dense(p + "attention.self." + name, hidden, hidden)
        dense(p + "attention.output.dense", hidden, hidden)
        norm(p + "attention.output.LayerNorm")
        dense(p + "intermediate.dense", inter, hidden)
        dense(p + "output.dense", hidden, inter)
        norm(p + "output.LayerNorm")
    dense("bert.pooler.dense", hidden, hidden)
    if heads:
        dense("cls.predictions.transform.dense", hidden, hidden)
        norm("cls.predictions.transform.LayerNorm")
        w["cls.predictions.bias"] = randn(config["vocab_size"], std=0.1)
        if not tied_decoder:
            w["cls.predictions.decoder.weight"] = randn(config["vocab_size"], hidden, std=0.5)
        dense("cls.seq_relationship", 2, hidden)
    return w


def bert_forward(w: dict, config: dict, input_ids: list, token_type_ids: list) -> dict:
    """All intermediate outputs for one unpadded sequence, named as in tests/fixtures/models/README.md."""
    seq = len(input_ids)
    if seq > config["max_position_embeddings"] or len(token_type_ids) != seq:
        raise ValueError(f"bad input: {seq} ids, {len(token_type_ids)} token types")
    eps = config["layer_norm_eps"]
    heads = config["num_attention_heads"]
    act = ACT2FN[config["hidden_act"]]

    word = w["bert.embeddings.word_embeddings.weight"][torch.tensor(input_ids)]
    position = w["bert.embeddings.position_embeddings.weight"][:seq]
    token_type = w["bert.embeddings.token_type_embeddings.weight"][torch.tensor(token_type_ids)]
    # Same summation order as HF: (word + token_type) + position.
    x = layer_norm(word + token_type + position, w, "bert.embeddings.LayerNorm", eps)
    out = {"embeddings.word": word, "embeddings.position": position, "embeddings.token_type": token_type}
    out["hidden_states.0"] = x

    for i in range(config["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        context, probs = self_attention(x, w, p + "attention.self.", heads)
        x = layer_norm(linear(context, w, p + "attention.output.dense") + x, w, p + "attention.output.LayerNorm", eps)
        intermediate = act(linear(x, w, p + "intermediate.dense"))
        x = layer_norm(linear(intermediate, w, p + "output.dense") + x, w, p + "output.LayerNorm", eps)
        out[f"attentions.{i}"] = probs
        out[f"hidden_states.{i + 1}"] = x

    pooled = torch.tanh(linear(x[0], w, "bert.pooler.dense"))
    out["pooler_output"] = pooled

    if "cls.predictions.bias" in w:
        t = act(linear(x, w, "cls.predictions.transform.dense"))
        t = layer_norm(t, w, "cls.predictions.transform.LayerNorm", eps)
        tied = config.get("tie_word_embeddings", True)
        decoder = w["bert.embeddings.word_embeddings.weight"] if tied else w["cls.predictions.decoder.weight"]
        out["prediction_logits"] = torch.nn.functional.linear(t, decoder, w["cls.predictions.bias"])
    if "cls.seq_relationship.weight" in w:
        out["seq_relationship_logits"] = linear(pooled, w, "cls.seq_relationship")
    return out
