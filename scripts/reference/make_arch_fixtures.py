"""Regenerate the fixtures of the architectures beyond BERT and ViT: tiny random checkpoints in Hugging Face
layout (DistilBERT, RoBERTa, ALBERT, ELECTRA generator and discriminator, distilled DeiT), their PyTorch
reference outputs, and the byte-level BPE and Unigram tokenizer cases.

Run with Debian's Python (torch, python3-sentencepiece, python3-regex, python3-protobuf):
    /usr/bin/python3 -m scripts.reference.make_arch_fixtures
Everything is seeded, so a rerun reproduces the same bytes. See tests/fixtures/models/README.md.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import regex
import sentencepiece
import torch
from PIL import Image

from scripts.reference.make_fixtures import OUT, save_checkpoint, save_expected, bert_tokenizer_files, vit_preprocess, write_json
from scripts.reference.ref_albert import albert_config, albert_forward, init_albert_weights
from scripts.reference.ref_check import assert_attention_sane, assert_close
from scripts.reference.ref_deit import deit_config, deit_forward, init_deit_weights
from scripts.reference.ref_distilbert import distilbert_config, distilbert_forward, init_distilbert_weights
from scripts.reference.ref_electra import electra_config, electra_forward, init_electra_weights
from scripts.reference.ref_roberta import init_roberta_weights, roberta_config, roberta_forward
from scripts.reference.ref_subword import (bpe_encode, bpe_tokenizer_json, train_bpe, train_unigram, unigram_encode,
                         unigram_tokenizer_json)
from scripts.reference.ref_tokenize import _WORDS, build_vocab, encode

TOKENIZER_OUT = OUT.parent / "tokenizer"
NAMES = ["distilbert-tiny", "roberta-tiny", "albert-tiny", "electra-tiny-discriminator", "electra-tiny-generator",
         "deit-tiny-distilled"]

# The same three inputs for every text model, written with its own mask token.
TEXTS = [
    ("the quick brown fox jumps over the lazy dog.", None),
    ("where is the cat?", "the cat is sleeping on the mat."),
    ("the {mask} sat on the {mask} near the door.", None),
]

# Strings the subword tokenizers are checked on (Node and the fixture generator agree on each).
TOKENIZER_CASES = [
    "the quick brown fox jumps over the lazy dog.",
    "Hello, World! It's 2024 and we're testing.",
    "  leading and trailing spaces  ",
    "tabs\tand\nnew lines",
    "multiple   spaces between words",
    "the <mask> sat on the mat.",
    "a [MASK] in ALBERT",
    "café naïve résumé",
    "emoji 😀 and snow ☃",
    "CJK 中文 text",
    "numbers 3.14159 and 1,000",
    "quotes ``like this'' and \"that\"",
    "don't can't won't",
    "hyphen-ated and under_scored",
    "",
    "a",
    "UPPER lower MiXeD",
    "punctuation!!! ... ???",
]


def corpus() -> list:
    g = torch.Generator().manual_seed(7)
    words = _WORDS
    lines = []
    for _ in range(400):
        n = int(torch.randint(4, 12, (1,), generator=g))
        picks = [words[int(i)] for i in torch.randint(0, len(words), (n,), generator=g)]
        lines.append(" ".join(picks) + ".")
    return lines + [t.format(mask="") for pair in TEXTS for t in pair if t]


def check_f64(name: str, forward, weights: dict, *args) -> float:
    """The same forward in float64 must agree with the float32 one (guards against float32 blow-ups)."""
    out = forward(weights, *args)
    w64 = {k: v.double() for k, v in weights.items()}
    args64 = [a.double() if isinstance(a, torch.Tensor) else a for a in args]
    worst = assert_close(name, out, forward(w64, *args64))
    return out, worst


def text_cases(name: str, encode_case, forward, loaded: dict, config: dict, mask: str) -> None:
    cases, outputs = [], []
    for i, (text_a, text_b) in enumerate(TEXTS):
        text_a = text_a.format(mask=mask)
        case = {"text_a": text_a, "text_b": text_b, **encode_case(text_a, text_b)}
        args = [config, case["input_ids"]] + ([case["token_type_ids"]] if "token_type_ids" in case else [])
        out, worst = check_f64(f"{name}/case{i}", forward, loaded, *args)
        assert_attention_sane(f"{name}/case{i}", out, len([k for k in out if k.startswith("attentions.")]))
        print(f"  {name} case{i}: seq {len(case['input_ids'])}, f32 vs f64 max diff {worst:.2e}")
        cases.append(case)
        outputs.append(out)
    if sum(c["tokens"].count(mask) for c in cases) != 2:
        raise AssertionError(f"{name}: the masked case lost its {mask} tokens")
    save_expected(OUT / name, cases, outputs)


def wordpiece_case(index: dict, with_types: bool):
    def encode_case(a, b):
        enc = encode(a, b, index)
        return enc if with_types else {k: v for k, v in enc.items() if k != "token_type_ids"}
    return encode_case


def make_distilbert(vocab: list) -> None:
    name = "distilbert-tiny"
    config = distilbert_config(vocab_size=len(vocab))
    (OUT / name).mkdir(parents=True)
    write_json(OUT / name / "config.json", config)
    bert_tokenizer_files(OUT / name, vocab, config["max_position_embeddings"])
    loaded = save_checkpoint(OUT / name, init_distilbert_weights(config, 11), lambda n: n, "F32")
    index = {t: i for i, t in enumerate(vocab)}
    text_cases(name, wordpiece_case(index, False), distilbert_forward, loaded, config, "[MASK]")


def make_electras(vocab: list) -> None:
    index = {t: i for i, t in enumerate(vocab)}
    for name, generator, seed in (("electra-tiny-discriminator", False, 12), ("electra-tiny-generator", True, 13)):
        config = electra_config(vocab_size=len(vocab), generator=generator)
        (OUT / name).mkdir(parents=True)
        write_json(OUT / name / "config.json", config)
        bert_tokenizer_files(OUT / name, vocab, config["max_position_embeddings"])
        loaded = save_checkpoint(OUT / name, init_electra_weights(config, seed, generator=generator), lambda n: n, "F32")
        text_cases(name, wordpiece_case(index, True), electra_forward, loaded, config, "[MASK]")


def make_roberta(lines: list) -> None:
    name = "roberta-tiny"
    vocab, merges = train_bpe(lines, 300)
    config = roberta_config(vocab_size=len(vocab), hidden_act="gelu_new")
    folder = OUT / name
    folder.mkdir(parents=True)
    write_json(folder / "config.json", config)
    write_json(folder / "tokenizer.json", bpe_tokenizer_json(vocab, merges))
    write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "RobertaTokenizer", "model_max_length": config["max_position_embeddings"] - 2,
        "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>",
        "pad_token": "<pad>", "mask_token": {"content": "<mask>", "lstrip": True, "rstrip": False,
                                             "normalized": False, "single_word": False, "__type": "AddedToken"},
        "add_prefix_space": False, "errors": "replace", "trim_offsets": True,
    })
    loaded = save_checkpoint(folder, init_roberta_weights(config, 14), lambda n: n, "F32")
    index = {t: i for i, t in enumerate(vocab)}

    def encode_case(a, b):
        # <s> A </s> or <s> A </s></s> B </s>; RoBERTa has one token type.
        ta = bpe_encode(a, vocab, merges)
        tokens = ["<s>"] + ta["tokens"] + ["</s>"]
        if b is not None:
            tokens += ["</s>"] + bpe_encode(b, vocab, merges)["tokens"] + ["</s>"]
        return {"tokens": tokens, "input_ids": [index[t] for t in tokens]}

    text_cases(name, encode_case, roberta_forward, loaded, config, "<mask>")
    write_json(TOKENIZER_OUT / "bpe_cases.json", {
        "tokenizer": f"models/{name}/tokenizer.json",
        "cases": [{"text": t, **bpe_encode(t, vocab, merges)} for t in TOKENIZER_CASES],
    })


def make_albert(lines: list) -> None:
    name = "albert-tiny"
    folder = OUT / name
    folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        sp = train_unigram(lines, f"{tmp}/spm", 400)
        tokenizer = unigram_tokenizer_json(sp, f"{tmp}/spm.model")
    config = albert_config(vocab_size=sp.get_piece_size())
    write_json(folder / "config.json", config)
    write_json(folder / "tokenizer.json", tokenizer)
    write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "AlbertTokenizer", "model_max_length": config["max_position_embeddings"],
        "do_lower_case": True, "remove_space": True, "keep_accents": False,
        "bos_token": "[CLS]", "eos_token": "[SEP]", "unk_token": "<unk>", "sep_token": "[SEP]",
        "pad_token": "<pad>", "cls_token": "[CLS]",
        "mask_token": {"content": "[MASK]", "lstrip": True, "rstrip": False, "normalized": False,
                       "single_word": False, "__type": "AddedToken"},
    })
    loaded = save_checkpoint(folder, init_albert_weights(config, 15), lambda n: n, "F32")

    def encode_case(a, b):
        ta = unigram_encode(a, sp)
        tokens = ["[CLS]"] + ta["tokens"] + ["[SEP]"]
        types = [0] * len(tokens)
        if b is not None:
            tb = unigram_encode(b, sp)["tokens"] + ["[SEP]"]
            tokens += tb
            types += [1] * len(tb)
        return {"tokens": tokens, "input_ids": [sp.piece_to_id(t) for t in tokens], "token_type_ids": types}

    text_cases(name, encode_case, albert_forward, loaded, config, "[MASK]")
    write_json(TOKENIZER_OUT / "unigram_cases.json", {
        "tokenizer": f"models/{name}/tokenizer.json",
        "sentencepiece": sentencepiece.__version__,
        "cases": [{"text": t, **unigram_encode(t, sp)} for t in TOKENIZER_CASES],
    })


def make_deit() -> None:
    name = "deit-tiny-distilled"
    config = deit_config(image_size=16, patch_size=4, num_channels=3, num_hidden_layers=3, hidden_act="gelu",
                         labels=["airplane", "automobile", "bird", "cat", "deer"])
    folder = OUT / name
    (folder / "inputs").mkdir(parents=True)
    write_json(folder / "config.json", config)
    write_json(folder / "preprocessor_config.json", {
        "image_processor_type": "DeiTImageProcessor",
        "do_resize": True, "size": {"height": 16, "width": 16}, "resample": 2,
        "do_center_crop": False, "do_rescale": True, "rescale_factor": 1 / 255,
        "do_normalize": True, "image_mean": [0.5] * 3, "image_std": [0.5] * 3,
    })
    loaded = save_checkpoint(folder, init_deit_weights(config, 16), lambda n: n, "F32")
    g = torch.Generator().manual_seed(60)
    cases, outputs = [], []
    for i, (kind, height, width) in enumerate([("png", 16, 16), ("pixels", 16, 16), ("pixels", 24, 20)]):
        case = {"pixel_values_key": f"case{i}.pixel_values"}
        if kind == "png":
            pixels = torch.randint(0, 256, (height, width, 3), generator=g, dtype=torch.uint8).numpy()
            Image.fromarray(pixels).save(folder / "inputs" / f"case{i}.png")
            case["image"] = f"inputs/case{i}.png"
            pixel_values = torch.from_numpy(vit_preprocess(pixels, config, 0.5, 0.5).copy())
        else:
            pixel_values = torch.rand(3, height, width, generator=g) * 2 - 1
        interpolate = (height, width) != (16, 16)
        case.update({"image_size": [height, width], "interpolate_pos_encoding": interpolate,
                     "grid": [height // 4, width // 4]})
        out, worst = check_f64(f"{name}/case{i}", deit_forward, loaded, config, pixel_values, interpolate)
        assert_attention_sane(f"{name}/case{i}", out, config["num_hidden_layers"])
        print(f"  {name} case{i}: {height}x{width}, f32 vs f64 max diff {worst:.2e}")
        cases.append(case)
        outputs.append(out)
    save_expected(folder, cases, outputs)


def main() -> None:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    for name in NAMES:
        shutil.rmtree(OUT / name, ignore_errors=True)
    vocab = build_vocab()
    lines = corpus()
    make_distilbert(vocab)
    make_roberta(lines)
    make_albert(lines)
    make_electras(vocab)
    make_deit()
    write_json(OUT / "arch_versions.json", {"torch": torch.__version__, "numpy": np.__version__,
                                            "sentencepiece": sentencepiece.__version__, "regex": regex.__version__,
                                            "python": sys.version.split()[0]})
    total = sum(f.stat().st_size for n in NAMES for f in (OUT / n).rglob("*") if f.is_file())
    print(f"new fixtures total: {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
