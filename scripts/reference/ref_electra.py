"""ELECTRA reference: random ElectraForPreTraining (discriminator) and ElectraForMaskedLM (generator) weights and
the forward pass of HF modeling_electra.py (eval mode).

Embeddings of size embedding_size, projected to hidden_size by electra.embeddings_project when the two differ
(hidden state 0 is after the projection); BERT's encoder; no pooler. Discriminator: discriminator_predictions
dense -> hidden_act -> dense_prediction, one logit per token (sigmoid = probability the token was replaced).
Generator: generator_predictions dense (hidden -> embedding) -> exact GELU (fixed) -> LayerNorm ->
generator_lm_head tied to the word embeddings."""

import torch
import torch.nn.functional as F

from scripts.reference.ref_layers import ACT2FN, RandomWeights, layer_norm, linear, post_ln_layer
from scripts.reference.ref_bert import bert_layer_names, init_bert_encoder


def electra_config(*, vocab_size: int, generator: bool) -> dict:
    return {
        "model_type": "electra",
        "architectures": ["ElectraForMaskedLM" if generator else "ElectraForPreTraining"],
        "vocab_size": vocab_size,
        "embedding_size": 16,
        "hidden_size": 32,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 40,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "summary_type": "first",
        "summary_use_proj": True,
        "summary_activation": "gelu",
        "summary_last_dropout": 0.1,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    }


def init_electra_weights(config: dict, seed: int, *, generator: bool) -> dict:
    emb, hidden, vocab = config["embedding_size"], config["hidden_size"], config["vocab_size"]
    r = RandomWeights(seed, hidden)
    r.w["electra.embeddings.word_embeddings.weight"] = r.randn(vocab, emb, std=0.5)
    r.w["electra.embeddings.position_embeddings.weight"] = r.randn(config["max_position_embeddings"], emb, std=0.3)
    r.w["electra.embeddings.token_type_embeddings.weight"] = r.randn(config["type_vocab_size"], emb, std=0.3)
    r.norm("electra.embeddings.LayerNorm", emb)
    r.dense("electra.embeddings_project", hidden, emb)
    init_bert_encoder(r, "electra.", config)
    if generator:
        r.dense("generator_predictions.dense", emb, hidden)
        r.norm("generator_predictions.LayerNorm", emb)
        r.w["generator_lm_head.bias"] = r.randn(vocab, std=0.1)
    else:
        r.dense("discriminator_predictions.dense", hidden, hidden)
        r.dense("discriminator_predictions.dense_prediction", 1, hidden)
    return r.w


def electra_forward(w: dict, config: dict, input_ids: list, token_type_ids: list) -> dict:
    seq = len(input_ids)
    eps = config["layer_norm_eps"]
    act = ACT2FN[config["hidden_act"]]
    word = w["electra.embeddings.word_embeddings.weight"][torch.tensor(input_ids)]
    token_type = w["electra.embeddings.token_type_embeddings.weight"][torch.tensor(token_type_ids)]
    position = w["electra.embeddings.position_embeddings.weight"][:seq]
    e = layer_norm(word + token_type + position, w, "electra.embeddings.LayerNorm", eps)
    x = linear(e, w, "electra.embeddings_project") if "electra.embeddings_project.weight" in w else e
    out = {"embeddings.word": word, "embeddings.position": position, "embeddings.token_type": token_type,
           "hidden_states.0": x}
    for i in range(config["num_hidden_layers"]):
        x, probs = post_ln_layer(x, w, bert_layer_names(f"electra.encoder.layer.{i}."),
                                 config["num_attention_heads"], act, eps)
        out[f"attentions.{i}"] = probs
        out[f"hidden_states.{i + 1}"] = x
    if "generator_lm_head.bias" in w:
        t = layer_norm(F.gelu(linear(x, w, "generator_predictions.dense")), w, "generator_predictions.LayerNorm", eps)
        out["prediction_logits"] = F.linear(t, w["electra.embeddings.word_embeddings.weight"], w["generator_lm_head.bias"])
    if "discriminator_predictions.dense.weight" in w:
        h = act(linear(x, w, "discriminator_predictions.dense"))
        out["rtd_logits"] = linear(h, w, "discriminator_predictions.dense_prediction").squeeze(-1)
    return out
