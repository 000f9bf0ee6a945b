"""DistilBERT reference: random DistilBertForMaskedLM weights and the forward pass of HF modeling_distilbert.py
(eval mode). No token types, no pooler; the MLM head is vocab_transform -> act -> vocab_layer_norm -> vocab_projector
(tied to the word embeddings). LayerNorm eps is fixed at 1e-12 in HF."""

import torch

from scripts.reference.ref_layers import ACT2FN, RandomWeights, layer_norm, linear, post_ln_layer

EPS = 1e-12


def distilbert_config(*, vocab_size: int) -> dict:
    return {
        "model_type": "distilbert",
        "architectures": ["DistilBertForMaskedLM"],
        "vocab_size": vocab_size,
        "max_position_embeddings": 40,
        "sinusoidal_pos_embds": False,
        "n_layers": 3,
        "n_heads": 4,
        "dim": 32,
        "hidden_dim": 64,
        "dropout": 0.1,
        "attention_dropout": 0.1,
        "activation": "gelu",
        "initializer_range": 0.02,
        "qa_dropout": 0.1,
        "seq_classif_dropout": 0.2,
        "pad_token_id": 0,
        "tie_weights_": True,
    }


def init_distilbert_weights(config: dict, seed: int) -> dict:
    dim, hidden_dim, vocab = config["dim"], config["hidden_dim"], config["vocab_size"]
    r = RandomWeights(seed, dim)
    r.w["distilbert.embeddings.word_embeddings.weight"] = r.randn(vocab, dim, std=0.5)
    r.w["distilbert.embeddings.position_embeddings.weight"] = r.randn(config["max_position_embeddings"], dim, std=0.3)
    r.norm("distilbert.embeddings.LayerNorm")
    for i in range(config["n_layers"]):
        p = f"distilbert.transformer.layer.{i}."
        for name in ("q_lin", "k_lin", "v_lin", "out_lin"):
            r.dense(p + "attention." + name, dim, dim)
        r.norm(p + "sa_layer_norm")
        r.dense(p + "ffn.lin1", hidden_dim, dim)
        r.dense(p + "ffn.lin2", dim, hidden_dim)
        r.norm(p + "output_layer_norm")
    r.dense("vocab_transform", dim, dim)
    r.norm("vocab_layer_norm")
    r.w["vocab_projector.bias"] = r.randn(vocab, std=0.1)
    return r.w


def distilbert_forward(w: dict, config: dict, input_ids: list) -> dict:
    seq = len(input_ids)
    act = ACT2FN[config["activation"]]
    word = w["distilbert.embeddings.word_embeddings.weight"][torch.tensor(input_ids)]
    position = w["distilbert.embeddings.position_embeddings.weight"][:seq]
    x = layer_norm(word + position, w, "distilbert.embeddings.LayerNorm", EPS)
    out = {"embeddings.word": word, "embeddings.position": position, "hidden_states.0": x}
    for i in range(config["n_layers"]):
        p = f"distilbert.transformer.layer.{i}."
        names = {"attention": p + "attention.", "qkv": ("q_lin", "k_lin", "v_lin"),
                 "attention_output": p + "attention.out_lin", "attention_norm": p + "sa_layer_norm",
                 "intermediate": p + "ffn.lin1", "output": p + "ffn.lin2", "output_norm": p + "output_layer_norm"}
        x, probs = post_ln_layer(x, w, names, config["n_heads"], act, EPS, scale_query_first=True)
        out[f"attentions.{i}"] = probs
        out[f"hidden_states.{i + 1}"] = x
    t = layer_norm(act(linear(x, w, "vocab_transform")), w, "vocab_layer_norm", EPS)
    out["prediction_logits"] = torch.nn.functional.linear(t, w["distilbert.embeddings.word_embeddings.weight"],
                                                          w["vocab_projector.bias"])
    return out
