"""RoBERTa reference: random RobertaForMaskedLM weights and the forward pass of HF modeling_roberta.py (eval mode).

BERT's encoder under `roberta.`; position ids start at padding_idx + 1 (pad_token_id 1, so 2, 3, ...); one token
type; no pooler (RobertaForMaskedLM builds the model without one); the LM head is dense -> exact GELU (fixed, not
hidden_act) -> layer_norm -> decoder tied to the word embeddings + lm_head.bias."""

import torch
import torch.nn.functional as F

from scripts.reference.ref_bert import bert_layer_names, init_bert_encoder
from scripts.reference.ref_layers import ACT2FN, RandomWeights, layer_norm, linear, post_ln_layer


def roberta_config(*, vocab_size: int, hidden_act: str) -> dict:
    return {
        "model_type": "roberta",
        "architectures": ["RobertaForMaskedLM"],
        "vocab_size": vocab_size,
        "hidden_size": 32,
        "num_hidden_layers": 3,
        "num_attention_heads": 4,
        "intermediate_size": 64,
        "hidden_act": hidden_act,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        # Room for 40 tokens after the padding_idx + 1 offset, as roberta-base's 514 = 512 + 2.
        "max_position_embeddings": 42,
        "type_vocab_size": 1,
        "layer_norm_eps": 1e-5,
        "initializer_range": 0.02,
        "pad_token_id": 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "position_embedding_type": "absolute",
    }


def init_roberta_weights(config: dict, seed: int) -> dict:
    hidden, vocab = config["hidden_size"], config["vocab_size"]
    r = RandomWeights(seed, hidden)
    r.w["roberta.embeddings.word_embeddings.weight"] = r.randn(vocab, hidden, std=0.5)
    r.w["roberta.embeddings.position_embeddings.weight"] = r.randn(config["max_position_embeddings"], hidden, std=0.3)
    r.w["roberta.embeddings.token_type_embeddings.weight"] = r.randn(config["type_vocab_size"], hidden, std=0.3)
    r.norm("roberta.embeddings.LayerNorm")
    init_bert_encoder(r, "roberta.", config)
    r.dense("lm_head.dense", hidden, hidden)
    r.norm("lm_head.layer_norm")
    r.w["lm_head.bias"] = r.randn(vocab, std=0.1)
    return r.w


def roberta_forward(w: dict, config: dict, input_ids: list) -> dict:
    seq = len(input_ids)
    eps = config["layer_norm_eps"]
    act = ACT2FN[config["hidden_act"]]
    # create_position_ids_from_input_ids without padding: padding_idx + 1 ... padding_idx + seq.
    first = config["pad_token_id"] + 1
    if first + seq > config["max_position_embeddings"]:
        raise ValueError("sequence too long")
    word = w["roberta.embeddings.word_embeddings.weight"][torch.tensor(input_ids)]
    token_type = w["roberta.embeddings.token_type_embeddings.weight"][torch.zeros(seq, dtype=torch.long)]
    position = w["roberta.embeddings.position_embeddings.weight"][first:first + seq]
    x = layer_norm(word + token_type + position, w, "roberta.embeddings.LayerNorm", eps)
    out = {"embeddings.word": word, "embeddings.position": position, "embeddings.token_type": token_type,
           "hidden_states.0": x}
    for i in range(config["num_hidden_layers"]):
        x, probs = post_ln_layer(x, w, bert_layer_names(f"roberta.encoder.layer.{i}."),
                                 config["num_attention_heads"], act, eps)
        out[f"attentions.{i}"] = probs
        out[f"hidden_states.{i + 1}"] = x
    t = layer_norm(F.gelu(linear(x, w, "lm_head.dense")), w, "lm_head.layer_norm", eps)
    out["prediction_logits"] = F.linear(t, w["roberta.embeddings.word_embeddings.weight"], w["lm_head.bias"])
    return out
