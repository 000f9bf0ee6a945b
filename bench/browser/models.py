"""Inputs of the browser benchmark (bench/browser/run.ts), build-time only; Debian's python3-torch.
Run from the repository root as a module: python3 -m bench.browser.models make

  make   writes bench/.models/ (gitignored, ~1.6 GB): random bert-base and vit-base checkpoints in
         Hugging Face layout, ONNX exports of them and of the bundled mini-bert / mini-vit, the input
         image and cases.json (the inputs, with the ids our Python port of HF's tokenizer gives).
         Existing files are kept unless their source is newer.
  time   times the same forwards in native PyTorch (median of --runs after --warmup) for each thread
         count and prints JSON: wall and CPU milliseconds.

The ONNX graphs are traced from the reference forwards of scripts/reference (HF semantics) and
return what the app reads back: the embedding parts, every hidden state and attention map, the
pooler, MLM logits at the [MASK] positions and NSP logits for BERT; hidden states, attentions,
the final LayerNorm and the logits for ViT.
"""

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from scripts.reference.hf_bert_tokenizer import BertTokenizerRef
from scripts.reference.ref_bert import bert_forward
from scripts.reference.ref_safetensors import read_safetensors, write_safetensors
from scripts.reference.ref_vit import vit_forward

ROOT = Path(__file__).resolve().parents[2]

OUT = ROOT / "bench" / ".models"
PUBLIC = ROOT / "public" / "models"

BERT_BASE = {
    "model_type": "bert", "architectures": ["BertForPreTraining"], "vocab_size": 30522, "hidden_size": 768,
    "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512,
    "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0,
    "position_embedding_type": "absolute",
}
VIT_BASE = {
    "model_type": "vit", "architectures": ["ViTForImageClassification"], "image_size": 224, "patch_size": 16,
    "num_channels": 3, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
    "intermediate_size": 3072, "hidden_act": "gelu", "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
    "initializer_range": 0.02, "layer_norm_eps": 1e-12, "qkv_bias": True, "encoder_stride": 16,
    "id2label": {str(i): f"class {i}" for i in range(1000)}, "label2id": {f"class {i}": i for i in range(1000)},
}
VIT_PREPROCESSOR = {
    "image_processor_type": "ViTImageProcessor", "do_resize": True, "size": {"height": 224, "width": 224},
    "resample": 2, "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
    "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
}


class Init:
    """Seeded HF-like initialisation (normal, std 0.02), with larger query/key weights so that attention is
    far from uniform and the numerical check between the engines means something."""

    def __init__(self, seed: int):
        self.g = torch.Generator().manual_seed(seed)
        self.w = {}

    def randn(self, *shape, std=0.02):
        return torch.randn(*shape, generator=self.g) * std

    def dense(self, prefix, n_out, n_in, std=0.02):
        self.w[prefix + ".weight"] = self.randn(n_out, n_in, std=std)
        self.w[prefix + ".bias"] = self.randn(n_out)

    def norm(self, prefix, size):
        self.w[prefix + ".weight"] = 1 + self.randn(size, std=0.1)
        self.w[prefix + ".bias"] = self.randn(size)

    def attention(self, prefix, hidden):
        self.dense(prefix + "query", hidden, hidden, std=0.06)
        self.dense(prefix + "key", hidden, hidden, std=0.06)
        self.dense(prefix + "value", hidden, hidden)


def bert_base_weights(cfg):
    h, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    r = Init(1)
    r.w["bert.embeddings.word_embeddings.weight"] = r.randn(v, h, std=0.5)
    r.w["bert.embeddings.position_embeddings.weight"] = r.randn(cfg["max_position_embeddings"], h, std=0.2)
    r.w["bert.embeddings.token_type_embeddings.weight"] = r.randn(cfg["type_vocab_size"], h, std=0.2)
    r.norm("bert.embeddings.LayerNorm", h)
    for layer in range(cfg["num_hidden_layers"]):
        p = f"bert.encoder.layer.{layer}."
        r.attention(p + "attention.self.", h)
        r.dense(p + "attention.output.dense", h, h)
        r.norm(p + "attention.output.LayerNorm", h)
        r.dense(p + "intermediate.dense", i, h)
        r.dense(p + "output.dense", h, i)
        r.norm(p + "output.LayerNorm", h)
    r.dense("bert.pooler.dense", h, h)
    r.dense("cls.predictions.transform.dense", h, h)
    r.norm("cls.predictions.transform.LayerNorm", h)
    r.w["cls.predictions.bias"] = r.randn(v)
    r.dense("cls.seq_relationship", 2, h)
    return r.w


def vit_base_weights(cfg):
    h, i, c, p = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_channels"], cfg["patch_size"]
    r = Init(2)
    r.w["vit.embeddings.cls_token"] = r.randn(1, 1, h, std=0.5)
    r.w["vit.embeddings.position_embeddings"] = r.randn(1, 1 + (cfg["image_size"] // p) ** 2, h, std=0.5)
    r.w["vit.embeddings.patch_embeddings.projection.weight"] = r.randn(h, c, p, p, std=0.05)
    r.w["vit.embeddings.patch_embeddings.projection.bias"] = r.randn(h)
    for layer in range(cfg["num_hidden_layers"]):
        q = f"vit.encoder.layer.{layer}."
        r.norm(q + "layernorm_before", h)
        r.attention(q + "attention.attention.", h)
        r.dense(q + "attention.output.dense", h, h)
        r.norm(q + "layernorm_after", h)
        r.dense(q + "intermediate.dense", i, h)
        r.dense(q + "output.dense", h, i)
    r.norm("vit.layernorm", h)
    r.dense("classifier", len(cfg["id2label"]), h)
    return r.w


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def stale(target: Path, *sources: Path) -> bool:
    return not target.exists() or any(s.stat().st_mtime > target.stat().st_mtime for s in sources)


def make_checkpoints() -> None:
    bert = OUT / "bert-base"
    if stale(bert / "model.safetensors"):
        print("writing bench/.models/bert-base (random weights, ~440 MB)")
        bert.mkdir(parents=True, exist_ok=True)
        write_json(bert / "config.json", BERT_BASE)
        # bert-base-uncased's layout of the special tokens; the rest are made-up whole words.
        vocab = ["[PAD]"] + [f"[unused{i}]" for i in range(99)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        vocab += [f"w{i}" for i in range(len(vocab), BERT_BASE["vocab_size"])]
        (bert / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
        write_safetensors(bert / "model.safetensors", {k: v.numpy() for k, v in bert_base_weights(BERT_BASE).items()})
    vit = OUT / "vit-base"
    if stale(vit / "model.safetensors"):
        print("writing bench/.models/vit-base (random weights, ~350 MB)")
        vit.mkdir(parents=True, exist_ok=True)
        write_json(vit / "config.json", VIT_BASE)
        write_json(vit / "preprocessor_config.json", VIT_PREPROCESSOR)
        write_safetensors(vit / "model.safetensors", {k: v.numpy() for k, v in vit_base_weights(VIT_BASE).items()})


def load(folder: Path):
    config = json.loads((folder / "config.json").read_text())
    arrays, _ = read_safetensors(folder / "model.safetensors")
    weights = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    if config["model_type"] == "bert" and not any(k.startswith("bert.") for k in weights):
        raise SystemExit(f"{folder}: expected BertForPreTraining keys (bert.*)")
    return config, weights


def bert_text(folder: Path, tokens: int, seed: int) -> dict:
    """A text of whole vocabulary words with one [MASK] that tokenizes to exactly `tokens` ids."""
    tokenizer = BertTokenizerRef(str(folder / "vocab.txt"))
    words = [t for t in tokenizer.vocab if t.isalnum() and tokenizer.tokenize(t) == [t]]
    rng = np.random.default_rng(seed)
    chosen = [words[i] for i in rng.integers(0, len(words), tokens - 2)]
    chosen[len(chosen) // 2] = "[MASK]"
    text = " ".join(chosen)
    enc = tokenizer.encode(text)
    if len(enc["input_ids"]) != tokens:
        raise AssertionError(f"{folder.name}: {len(enc['input_ids'])} tokens, wanted {tokens}")
    mask = [i for i, t in enumerate(enc["tokens"]) if t == "[MASK]"]
    return {"text": text, "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"], "mask_positions": mask}


def write_png(path: Path, size: int, seed: int) -> None:
    """A smooth random RGB image, so the processor's output is not noise-dominated."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (size // 8, size // 8, 3), dtype=np.uint8)
    Image.fromarray(small).resize((size, size), Image.BICUBIC).save(path)


def cases() -> list:
    """The benchmark cases; the browser runs them in this order."""
    bert_base, mini_bert = OUT / "bert-base", PUBLIC / "mini-bert"
    image = OUT / "vit-base-input.png"
    if not image.exists():
        write_png(image, 224, 3)
    return [
        {"name": "bert-base s128", "kind": "bert", "checkpoint": "/bench-models/bert-base/", "folder": str(bert_base),
         "onnx": "bert-base-s128.onnx", **bert_text(bert_base, 128, 4)},
        {"name": "vit-base 224", "kind": "vit", "checkpoint": "/bench-models/vit-base/", "folder": str(OUT / "vit-base"),
         "onnx": "vit-base.onnx", "image": "vit-base-input.png"},
        {"name": "mini-bert s20", "kind": "bert", "checkpoint": "/models/mini-bert/", "folder": str(mini_bert),
         "onnx": "mini-bert-s20.onnx", **bert_text(mini_bert, 20, 5)},
        {"name": "mini-bert s128", "kind": "bert", "checkpoint": "/models/mini-bert/", "folder": str(mini_bert),
         "onnx": "mini-bert-s128.onnx", **bert_text(mini_bert, 128, 6)},
        {"name": "mini-vit", "kind": "vit", "checkpoint": "/models/mini-vit/", "folder": str(PUBLIC / "mini-vit"),
         "onnx": "mini-vit.onnx", "image": "mini-vit-input.png", "sample": "fashion-0-ankle-boot.png"},
    ]


class BertGraph(torch.nn.Module):
    def __init__(self, config, weights):
        super().__init__()
        self.config, self.w = config, weights

    def forward(self, input_ids, token_type_ids, mask_positions):
        return tuple(bert_forward(self.w, self.config, input_ids, token_type_ids, mask_positions).values())


class VitGraph(torch.nn.Module):
    def __init__(self, config, weights):
        super().__init__()
        self.config, self.w = config, weights

    def forward(self, pixel_values):
        out = vit_forward(self.w, self.config, pixel_values, False)
        del out["pixel_values"]
        return tuple(out.values())


def forward_inputs(case: dict, config: dict):
    if case["kind"] == "bert":
        return tuple(torch.tensor(case[k], dtype=torch.int64) for k in ("input_ids", "token_type_ids", "mask_positions"))
    size = config["image_size"]
    # Shapes are what the trace needs; values are random (the browser checks the engines on the real image).
    return (torch.randn(config["num_channels"], size, size, generator=torch.Generator().manual_seed(7)),)


def graph(case: dict, config: dict, weights: dict) -> tuple[torch.nn.Module, list, list]:
    if case["kind"] == "bert":
        module = BertGraph(config, weights)
        names = ["input_ids", "token_type_ids", "mask_positions"]
    else:
        module = VitGraph(config, weights)
        names = ["pixel_values"]
    with torch.no_grad():
        reference = (bert_forward(weights, config, *forward_inputs(case, config)) if case["kind"] == "bert"
                     else vit_forward(weights, config, *forward_inputs(case, config), False))
    outputs = [k for k in reference if k != "pixel_values"]
    return module, names, outputs


def export(case: dict) -> None:
    target = OUT / case["onnx"]
    folder = Path(case["folder"])
    if not stale(target, folder / "model.safetensors"):
        return
    print(f"exporting {case['onnx']}")
    config, weights = load(folder)
    module, input_names, output_names = graph(case, config, weights)
    with torch.no_grad(), warnings.catch_warnings():
        # The trace fixes the sequence length and image size, which is what the warnings say.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        # TorchScript-based exporter (torch 1.13); the weights become initializers of a static-shape graph.
        torch.onnx.export(module, forward_inputs(case, config), str(target), opset_version=17,
                          input_names=input_names, output_names=output_names, do_constant_folding=True)


def make() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    make_checkpoints()
    all_cases = cases()
    for case in all_cases:
        if "sample" in case and not (OUT / case["image"]).exists():
            (OUT / case["image"]).write_bytes((ROOT / "public" / "samples" / case["sample"]).read_bytes())
        export(case)
    write_json(OUT / "cases.json", {"cases": [{k: v for k, v in c.items() if k != "folder"} for c in all_cases]})


def time_torch(threads: list, runs: int, warmup: int) -> None:
    """Median forward time (wall and process CPU) per case and thread count, in ms, as JSON on stdout."""
    spec = json.loads((OUT / "cases.json").read_text())["cases"]
    result = {}
    for case in cases():
        config, weights = load(Path(case["folder"]))
        inputs = forward_inputs(case, config)
        if case["kind"] == "bert":
            run = lambda: bert_forward(weights, config, *inputs)  # noqa: E731
        else:
            run = lambda: vit_forward(weights, config, *inputs, False)  # noqa: E731
        result[case["name"]] = {}
        for n in threads:
            torch.set_num_threads(n)
            wall, cpu = [], []
            with torch.no_grad():
                for i in range(warmup + runs):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    run()
                    if i >= warmup:
                        wall.append((time.perf_counter() - start) * 1000)
                        cpu.append((time.process_time() - start_cpu) * 1000)
            result[case["name"]][str(n)] = {"wall_ms": statistics.median(wall), "cpu_ms": statistics.median(cpu)}
    assert [c["name"] for c in spec] == list(result), "cases.json is out of date: run `make` first"
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["make", "time"])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    if args.command == "make":
        make()
    else:
        time_torch([int(t) for t in args.threads.split(",")], args.runs, args.warmup)


if __name__ == "__main__":
    main()
