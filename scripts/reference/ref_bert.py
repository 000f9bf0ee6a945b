"""BERT reference: random BertForPreTraining weights and the forward pass of HF modeling_bert.py (eval mode).

Weights are keyed by BertForPreTraining state-dict names (`bert.*`, `cls.*`); a dict without the `cls.*`
keys is a bare BertModel and yields no head outputs.
"""

import torch

from scripts.reference.ref_layers import ACT2FN, RandomWeights, layer_norm, linear, self_attention


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


def init_bert_encoder(r: RandomWeights, prefix: str, config: dict) -> None:
    """The encoder layers under BERT's names (`<prefix>encoder.layer.N.…`), shared by RoBERTa and ELECTRA."""
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    for i in range(config["num_hidden_layers"]):
        p = f"{prefix}encoder.layer.{i}."
        for name in ("query", "key", "value"):
            r.dense(p + "attention.self." + name, hidden, hidden)
        r.dense(p + "attention.output.dense", hidden, hidden)
        r.norm(p + "attention.output.LayerNorm")
        r.dense(p + "intermediate.dense", inter, hidden)
        r.dense(p + "output.dense", hidden, inter)
        r.norm(p + "output.LayerNorm")


def bert_layer_names(p: str) -> dict:
    """ref_layers.post_ln_layer's names for a layer under BERT's names."""
    return {"attention": p + "attention.self.", "attention_output": p + "attention.output.dense",
            "attention_norm": p + "attention.output.LayerNorm", "intermediate": p + "intermediate.dense",
            "output": p + "output.dense", "output_norm": p + "output.LayerNorm"}


def init_bert_weights(config: dict, seed: int, *, heads: bool, tied_decoder: bool) -> dict:
    hidden, vocab = config["hidden_size"], config["vocab_size"]
    r = RandomWeights(seed, hidden)
    r.w["bert.embeddings.word_embeddings.weight"] = r.randn(vocab, hidden, std=0.5)
    r.w["bert.embeddings.position_embeddings.weight"] = r.randn(config["max_position_embeddings"], hidden, std=0.3)
    r.w["bert.embeddings.token_type_embeddings.weight"] = r.randn(config["type_vocab_size"], hidden, std=0.3)
    r.norm("bert.embeddings.LayerNorm")
    init_bert_encoder(r, "bert.", config)
    r.dense("bert.pooler.dense", hidden, hidden)
    if heads:
        r.dense("cls.predictions.transform.dense", hidden, hidden)
        r.norm("cls.predictions.transform.LayerNorm")
        r.w["cls.predictions.bias"] = r.randn(vocab, std=0.1)
        if not tied_decoder:
            r.w["cls.predictions.decoder.weight"] = r.randn(vocab, hidden, std=0.5)
        r.dense("cls.seq_relationship", 2, hidden)
    return r.w


def bert_forward(w: dict, config: dict, input_ids, token_type_ids, mlm_positions=None) -> dict:
    """All intermediate outputs for one unpadded sequence, named as in tests/fixtures/models/README.md.

    The ids may be lists or int64 tensors (tensors let torch.onnx.export trace them as graph inputs).
    MLM logits cover every position, or only `mlm_positions` (as the app computes them) when given.
    """
    seq = len(input_ids)
    if seq > config["max_position_embeddings"] or len(token_type_ids) != seq:
        raise ValueError(f"bad input: {seq} ids, {len(token_type_ids)} token types")
    eps = config["layer_norm_eps"]
    heads = config["num_attention_heads"]
    act = ACT2FN[config["hidden_act"]]

    word = w["bert.embeddings.word_embeddings.weight"][torch.as_tensor(input_ids)]
    position = w["bert.embeddings.position_embeddings.weight"][:seq]
    token_type = w["bert.embeddings.token_type_embeddings.weight"][torch.as_tensor(token_type_ids)]
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
        rows = x if mlm_positions is None else x[torch.as_tensor(mlm_positions)]
        t = act(linear(rows, w, "cls.predictions.transform.dense"))
        t = layer_norm(t, w, "cls.predictions.transform.LayerNorm", eps)
        tied = config.get("tie_word_embeddings", True)
        decoder = w["bert.embeddings.word_embeddings.weight"] if tied else w["cls.predictions.decoder.weight"]
        out["prediction_logits"] = torch.nn.functional.linear(t, decoder, w["cls.predictions.bias"])
    if "cls.seq_relationship.weight" in w:
        out["seq_relationship_logits"] = linear(pooled, w, "cls.seq_relationship")
    return out
