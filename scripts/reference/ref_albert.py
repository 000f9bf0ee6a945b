"""ALBERT reference: random AlbertForPreTraining weights and the forward pass of HF modeling_albert.py (eval mode).

Embeddings of size embedding_size are projected to hidden_size by encoder.embedding_hidden_mapping_in (hidden
state 0 is that projection); the layers of group g = i // (num_hidden_layers / num_hidden_groups) are applied at
depth i, so one group means one layer's weights at every depth. Heads: pooler -> sop_classifier (index 0 = the
sentences are in their original order), and predictions: dense (hidden -> embedding) -> hidden_act -> LayerNorm
-> decoder tied to the word embeddings + predictions.bias."""

import torch
import torch.nn.functional as F

from scripts.reference.ref_layers import ACT2FN, RandomWeights, layer_norm, linear, post_ln_layer


def albert_config(*, vocab_size: int) -> dict:
    return {
        "model_type": "albert",
        "architectures": ["AlbertForPreTraining"],
        "vocab_size": vocab_size,
        "embedding_size": 16,
        "hidden_size": 32,
        "num_hidden_layers": 3,
        "num_hidden_groups": 1,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "inner_group_num": 1,
        "hidden_act": "gelu_new",
        "hidden_dropout_prob": 0,
        "attention_probs_dropout_prob": 0,
        "max_position_embeddings": 40,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "classifier_dropout_prob": 0.1,
        "position_embedding_type": "absolute",
        "pad_token_id": 0,
        "bos_token_id": 2,
        "eos_token_id": 3,
    }


def init_albert_weights(config: dict, seed: int) -> dict:
    emb, hidden, inter, vocab = config["embedding_size"], config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    r = RandomWeights(seed, hidden)
    r.w["albert.embeddings.word_embeddings.weight"] = r.randn(vocab, emb, std=0.5)
    r.w["albert.embeddings.position_embeddings.weight"] = r.randn(config["max_position_embeddings"], emb, std=0.3)
    r.w["albert.embeddings.token_type_embeddings.weight"] = r.randn(config["type_vocab_size"], emb, std=0.3)
    r.norm("albert.embeddings.LayerNorm", emb)
    r.dense("albert.encoder.embedding_hidden_mapping_in", hidden, emb)
    for g in range(config["num_hidden_groups"]):
        p = f"albert.encoder.albert_layer_groups.{g}.albert_layers.0."
        for name in ("query", "key", "value", "dense"):
            r.dense(p + "attention." + name, hidden, hidden)
        r.norm(p + "attention.LayerNorm")
        r.dense(p + "ffn", inter, hidden)
        r.dense(p + "ffn_output", hidden, inter)
        r.norm(p + "full_layer_layer_norm")
    r.dense("albert.pooler", hidden, hidden)
    r.dense("predictions.dense", emb, hidden)
    r.norm("predictions.LayerNorm", emb)
    r.w["predictions.bias"] = r.randn(vocab, std=0.1)
    r.dense("sop_classifier.classifier", 2, hidden)
    return r.w


def albert_forward(w: dict, config: dict, input_ids: list, token_type_ids: list) -> dict:
    seq = len(input_ids)
    eps = config["layer_norm_eps"]
    act = ACT2FN[config["hidden_act"]]
    word = w["albert.embeddings.word_embeddings.weight"][torch.tensor(input_ids)]
    position = w["albert.embeddings.position_embeddings.weight"][:seq]
    token_type = w["albert.embeddings.token_type_embeddings.weight"][torch.tensor(token_type_ids)]
    e = layer_norm(word + token_type + position, w, "albert.embeddings.LayerNorm", eps)
    x = linear(e, w, "albert.encoder.embedding_hidden_mapping_in")
    out = {"embeddings.word": word, "embeddings.position": position, "embeddings.token_type": token_type,
           "hidden_states.0": x}
    layers, groups = config["num_hidden_layers"], config["num_hidden_groups"]
    for i in range(layers):
        p = f"albert.encoder.albert_layer_groups.{int(i / (layers / groups))}.albert_layers.0."
        names = {"attention": p + "attention.", "attention_output": p + "attention.dense",
                 "attention_norm": p + "attention.LayerNorm", "intermediate": p + "ffn", "output": p + "ffn_output",
                 "output_norm": p + "full_layer_layer_norm"}
        x, probs = post_ln_layer(x, w, names, config["num_attention_heads"], act, eps)
        out[f"attentions.{i}"] = probs
        out[f"hidden_states.{i + 1}"] = x
    pooled = torch.tanh(linear(x[0], w, "albert.pooler"))
    out["pooler_output"] = pooled
    t = layer_norm(act(linear(x, w, "predictions.dense")), w, "predictions.LayerNorm", eps)
    out["prediction_logits"] = F.linear(t, w["albert.embeddings.word_embeddings.weight"], w["predictions.bias"])
    out["sop_logits"] = linear(pooled, w, "sop_classifier.classifier")
    return out
