"""Regenerate tests/fixtures/models/**: tiny random HF-format checkpoints and their PyTorch reference outputs.

Run with Debian's Python (it has torch):  /usr/bin/python3 -m scripts.reference.make_fixtures
Everything is seeded, so a rerun reproduces the same bytes. See tests/fixtures/models/README.md.
"""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from scripts.reference.ref_bert import bert_config, bert_forward, init_bert_weights
from scripts.reference.ref_check import assert_attention_sane, assert_close, bert_forward64, vit_forward64
from scripts.reference.ref_safetensors import read_safetensors, round_to_storage, write_safetensors
from scripts.reference.ref_tokenize import build_vocab, encode
from scripts.reference.ref_vit import init_vit_weights, vit_config, vit_forward

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "models"

BERT_TEXTS = [
    ("the quick brown fox jumps over the lazy dog.", None),
    ("where is the cat?", "the cat is sleeping on the mat."),
    ("the [MASK] sat on the [MASK] near the door.", None),
    # Exactly max_position_embeddings (40) tokens, with '##' pieces, punctuation, accents and an [UNK].
    ("After school, the young children walked home together singing songs; nobody ☃ noticed how quickly "
     "the dark Night came over the old café.", None),
]


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def save_checkpoint(folder: Path, weights: dict, stored_name, dtype: str) -> dict:
    """Write model.safetensors under HF names `stored_name(name)` in `dtype`; return what a loader reads back.

    The returned weights are the stored values (rounded to `dtype`) under the canonical names, so the
    reference forward sees exactly what is in the file.
    """
    arrays = {stored_name(k): v.numpy() for k, v in weights.items()}
    write_safetensors(folder / "model.safetensors", arrays, {k: dtype for k in arrays})
    stored, dtypes = read_safetensors(folder / "model.safetensors")
    if set(dtypes.values()) != {dtype}:
        raise AssertionError(f"{folder.name}: stored dtypes {set(dtypes.values())}, wanted {dtype}")
    loaded = {}
    for name, value in weights.items():
        back = stored[stored_name(name)]
        if not np.array_equal(back, round_to_storage(value.numpy(), dtype)):
            raise AssertionError(f"{folder.name}: {name} did not round-trip")
        loaded[name] = torch.from_numpy(back.copy())
    return loaded


def save_expected(folder: Path, cases: list, outputs: list) -> None:
    tensors = {f"case{i}.{k}": v.detach().numpy().astype(np.float32) for i, out in enumerate(outputs)
               for k, v in out.items()}
    write_safetensors(folder / "expected.safetensors", tensors)
    # One case per line keeps the token lists readable.
    lines = ",\n".join("    " + json.dumps(case, ensure_ascii=False) for case in cases)
    (folder / "expected.json").write_text('{\n  "cases": [\n' + lines + "\n  ]\n}\n", encoding="utf-8")


def bert_tokenizer_files(folder: Path, vocab: list, max_len: int) -> None:
    (folder / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
    write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "tokenize_chinese_chars": True,
        "strip_accents": None,
        "model_max_length": max_len,
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]",
    })


def make_bert(name: str, config: dict, weights: dict, stored_name, dtype: str, vocab: list) -> dict:
    folder = OUT / name
    folder.mkdir(parents=True)
    write_json(folder / "config.json", config)
    bert_tokenizer_files(folder, vocab, config["max_position_embeddings"])
    loaded = save_checkpoint(folder, weights, stored_name, dtype)

    index = {t: i for i, t in enumerate(vocab)}
    cases, outputs = [], []
    for i, (text_a, text_b) in enumerate(BERT_TEXTS):
        enc = encode(text_a, text_b, index)
        cases.append({"text_a": text_a, "text_b": text_b, **enc})
        out = bert_forward(loaded, config, enc["input_ids"], enc["token_type_ids"])
        worst = assert_close(f"{name}/case{i}", out,
                             bert_forward64(loaded, config, enc["input_ids"], enc["token_type_ids"]))
        assert_attention_sane(f"{name}/case{i}", out, config["num_hidden_layers"])
        print(f"  {name} case{i}: seq {len(enc['input_ids'])}, f32 vs f64 max diff {worst:.2e}")
        outputs.append(out)
    if len(cases[3]["input_ids"]) != config["max_position_embeddings"]:
        raise AssertionError(f"long case has {len(cases[3]['input_ids'])} tokens")
    if sum(c["tokens"].count("[MASK]") for c in cases) != 2 or "[UNK]" not in cases[3]["tokens"]:
        raise AssertionError("mask/unk cases lost their special tokens")
    save_expected(folder, cases, outputs)
    return loaded


def legacy_name(name: str) -> str:
    # Pre-2019 checkpoints named LayerNorm parameters as in TF: gamma/beta.
    if ".LayerNorm." in name:
        return name.replace(".LayerNorm.weight", ".LayerNorm.gamma").replace(".LayerNorm.bias", ".LayerNorm.beta")
    return name


def make_berts() -> None:
    vocab = build_vocab()

    config = bert_config(vocab_size=len(vocab), hidden_act="gelu", architectures=["BertForPreTraining"])
    make_bert("bert-tiny", config, init_bert_weights(config, 1, heads=True, tied_decoder=True),
              lambda n: n, "F32", vocab)

    # Legacy: F16 storage, gamma/beta names, tanh GELU, an untied decoder (tie_word_embeddings false, so HF
    # uses cls.predictions.decoder.weight) and the redundant decoder.bias old checkpoints carry.
    config = bert_config(vocab_size=len(vocab), hidden_act="gelu_new", architectures=["BertForPreTraining"],
                         tie_word_embeddings=False, torch_dtype="float16")
    weights = init_bert_weights(config, 2, heads=True, tied_decoder=False)
    weights_with_bias = {**weights, "cls.predictions.decoder.bias": weights["cls.predictions.bias"]}
    loaded = make_bert("bert-tiny-legacy-f16", config, weights_with_bias, legacy_name, "F16", vocab)
    assert_discriminates(loaded, config)

    config = bert_config(vocab_size=len(vocab), hidden_act="relu", architectures=["BertModel"])
    make_bert("bert-tiny-base-only", config, init_bert_weights(config, 3, heads=False, tied_decoder=True),
              lambda n: n.removeprefix("bert."), "F32", vocab)


def assert_discriminates(weights: dict, config: dict) -> None:
    """The legacy fixture must fail an implementation that ignores its GELU variant or its untied decoder."""
    enc = encode(*BERT_TEXTS[2], {t: i for i, t in enumerate(build_vocab())})
    ref = bert_forward(weights, config, enc["input_ids"], enc["token_type_ids"])
    for wrong in ({**config, "hidden_act": "gelu"}, {**config, "tie_word_embeddings": True}):
        other = bert_forward(weights, wrong, enc["input_ids"], enc["token_type_ids"])
        diff = (other["prediction_logits"] - ref["prediction_logits"]).abs().max().item()
        print(f"  legacy with {({k: wrong[k] for k in wrong if wrong[k] != config[k]})}: logits differ by {diff:.3g}")
        if diff < 1e-3:
            raise AssertionError("legacy fixture does not tell the variants apart")


def vit_preprocess(image: np.ndarray, config: dict, mean: float, std: float) -> np.ndarray:
    """ViTImageProcessor on a uint8 HWC image: PIL bilinear resize, rescale by 1/255 in float64, normalize in f32."""
    size = config["image_size"]
    if image.shape[:2] != (size, size):
        pil = Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image)
        image = np.array(pil.resize((size, size), resample=Image.BILINEAR, reducing_gap=None)).reshape(size, size, -1)
    x = (image.astype(np.float64) * (1 / 255)).astype(np.float32)
    x = (x - np.float32(mean)) / np.float32(std)
    return x.transpose(2, 0, 1)


def make_vit(name: str, config: dict, weights: dict, dtype: str, inputs: list, seed: int) -> None:
    """inputs: ("png", height, width) images run through the processor, or ("pixels", height, width) tensors."""
    folder = OUT / name
    (folder / "inputs").mkdir(parents=True)
    write_json(folder / "config.json", config)
    c = config["num_channels"]
    write_json(folder / "preprocessor_config.json", {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True, "size": {"height": config["image_size"], "width": config["image_size"]}, "resample": 2,
        "do_rescale": True, "rescale_factor": 1 / 255,
        "do_normalize": True, "image_mean": [0.5] * c, "image_std": [0.5] * c,
    })
    loaded = save_checkpoint(folder, weights, lambda n: n, dtype)

    g = torch.Generator().manual_seed(seed)
    cases, outputs = [], []
    for i, (kind, height, width) in enumerate(inputs):
        case = {"pixel_values_key": f"case{i}.pixel_values"}
        if kind == "png":
            pixels = torch.randint(0, 256, (height, width, c), generator=g, dtype=torch.uint8).numpy()
            path = folder / "inputs" / f"case{i}.png"
            Image.fromarray(pixels.squeeze(-1) if c == 1 else pixels).save(path)
            pixels = np.array(Image.open(path)).reshape(height, width, c)
            case["image"] = f"inputs/case{i}.png"
            pixel_values = torch.from_numpy(vit_preprocess(pixels, config, 0.5, 0.5).copy())
        else:
            pixel_values = torch.rand(c, height, width, generator=g) * 2 - 1
        h, w = pixel_values.shape[1:]
        p = config["patch_size"]
        interpolate = (h, w) != (config["image_size"], config["image_size"])
        case.update({"image_size": [h, w], "interpolate_pos_encoding": interpolate, "grid": [h // p, w // p]})
        out = vit_forward(loaded, config, pixel_values, interpolate)
        worst = assert_close(f"{name}/case{i}", out, vit_forward64(loaded, config, pixel_values, interpolate))
        assert_attention_sane(f"{name}/case{i}", out, config["num_hidden_layers"])
        print(f"  {name} case{i}: {h}x{w} grid {h // p}x{w // p}, f32 vs f64 max diff {worst:.2e}")
        cases.append(case)
        outputs.append(out)
    save_expected(folder, cases, outputs)

    # HF leaves the table alone for a native square image even with interpolation on; check ours does too.
    native = outputs[[j for j, c_ in enumerate(cases) if not c_["interpolate_pos_encoding"]][0]]
    again = vit_forward(loaded, config, native["pixel_values"], True)
    if not torch.equal(again["logits"], native["logits"]):
        raise AssertionError(f"{name}: interpolation changed a native-size result")


def make_vits() -> None:
    config = vit_config(image_size=16, patch_size=4, num_channels=3, num_hidden_layers=3, hidden_act="gelu",
                        labels=["airplane", "automobile", "bird", "cat", "deer"])
    make_vit("vit-tiny", config, init_vit_weights(config, 4), "F32",
             [("png", 16, 16), ("png", 23, 19), ("pixels", 16, 16), ("pixels", 24, 20), ("pixels", 18, 23)], 40)

    config = vit_config(image_size=28, patch_size=7, num_channels=1, num_hidden_layers=2, hidden_act="gelu_new",
                        labels=["circle", "square", "triangle"])
    config["torch_dtype"] = "bfloat16"
    weights = init_vit_weights(config, 5)
    # Our RNE rounding must agree with PyTorch's own f32 -> bf16 conversion.
    for k, v in weights.items():
        if not np.array_equal(round_to_storage(v.numpy(), "BF16"), v.to(torch.bfloat16).float().numpy()):
            raise AssertionError(f"bf16 rounding of {k} disagrees with torch")
    make_vit("vit-tiny-grey-bf16", config, weights, "BF16", [("png", 28, 28), ("pixels", 28, 28), ("pixels", 35, 21)], 50)


def main() -> None:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    names = ("bert-tiny", "bert-tiny-legacy-f16", "bert-tiny-base-only", "vit-tiny", "vit-tiny-grey-bf16")
    for name in names:
        shutil.rmtree(OUT / name, ignore_errors=True)
    make_berts()
    make_vits()
    # The committed fixtures predate this file: a rerun here reproduces them only to ~4e-6 (BLAS
    # summation order), so they were kept, and the versions are written from the next run on.
    write_json(OUT / "versions.json", {"torch": torch.__version__, "numpy": np.__version__,
                                       "Pillow": Image.__version__, "python": sys.version.split()[0]})
    total = sum(f.stat().st_size for name in names for f in (OUT / name).rglob("*") if f.is_file())
    print(f"fixtures total: {total / 1024:.1f} KiB")
    if total > 3 * 1024 * 1024:
        sys.exit("fixtures exceed 3 MB")


if __name__ == "__main__":
    main()
