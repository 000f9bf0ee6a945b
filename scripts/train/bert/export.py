"""Export the latest pretraining checkpoint to public/models/mini-bert/ in Hugging Face format.

Writes config.json (BertForPreTraining), model.safetensors (HF key names, float16 storage to keep the
bundle small; the tied decoder weight is omitted as HF omits it), vocab.txt, tokenizer_config.json
and special_tokens_map.json. Can be run while training is still going: checkpoints are replaced
atomically.

Usage: /usr/bin/python3 -m scripts.train.bert.export [--checkpoint work/run/checkpoint.pt]
"""

import argparse
import json
import os
import shutil

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
from scripts.reference.ref_safetensors import write_safetensors

WORK = os.path.join(HERE, "work")
OUT = os.path.join(HERE, "..", "..", "..", "public", "models", "mini-bert")
TIED = ("cls.predictions.decoder.weight",)


def hf_config(c):
    return {
        "architectures": ["BertForPreTraining"],
        "model_type": "bert",
        "vocab_size": c["vocab_size"],
        "hidden_size": c["hidden_size"],
        "num_hidden_layers": c["num_hidden_layers"],
        "num_attention_heads": c["num_attention_heads"],
        "intermediate_size": c["intermediate_size"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": c["hidden_dropout_prob"],
        "attention_probs_dropout_prob": c["attention_probs_dropout_prob"],
        "max_position_embeddings": c["max_position_embeddings"],
        "type_vocab_size": c["type_vocab_size"],
        "initializer_range": c["initializer_range"],
        "layer_norm_eps": c["layer_norm_eps"],
        "pad_token_id": c["pad_token_id"],
        "position_embedding_type": "absolute",
        "tie_word_embeddings": True,
        "torch_dtype": "float16",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", default=os.path.join(WORK, "run", "checkpoint.pt"))
    args = parser.parse_args()

    checkpoint = torch.load(args.checkpoint, map_location="cpu")
    config = checkpoint["config"]
    tensors = {k: v.float().numpy() for k, v in checkpoint["model"].items() if k not in TIED}
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, "model.safetensors"), tensors, {k: "F16" for k in tensors})
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(hf_config(config), f, indent=2)
        f.write("\n")
    shutil.copyfile(os.path.join(WORK, "vocab.txt"), os.path.join(OUT, "vocab.txt"))
    with open(os.path.join(OUT, "tokenizer_config.json"), "w") as f:
        json.dump(
            {
                "tokenizer_class": "BertTokenizer",
                "do_lower_case": True,
                "strip_accents": None,
                "tokenize_chinese_chars": True,
                "model_max_length": config["max_position_embeddings"],
                "unk_token": "[UNK]",
                "sep_token": "[SEP]",
                "pad_token": "[PAD]",
                "cls_token": "[CLS]",
                "mask_token": "[MASK]",
            },
            f,
            indent=2,
        )
        f.write("\n")
    with open(os.path.join(OUT, "special_tokens_map.json"), "w") as f:
        json.dump({"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"}, f, indent=2)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"exported step {checkpoint['step']} ({checkpoint['elapsed_s'] / 60:.1f} min) to {os.path.normpath(OUT)}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
