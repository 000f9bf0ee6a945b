"""Check our reference fixtures against the real Hugging Face `transformers` (one-shot, offline).

Why: every fixture in tests/fixtures/ was produced by our own Python port of HF (hf_bert_tokenizer.py,
ref_bert.py, ref_vit.py, the training scripts), because the build machine has no `transformers`. This
script replays the same inputs through real `transformers` / `tokenizers` and reports every difference:

  tokenizer   tests/fixtures/tokenizer/cases.json: tokens, input_ids, token_type_ids per case x setting,
              for every BERT tokenizer class found (Rust-backed and pure-Python) and the tokenizer.json files
  models      tests/fixtures/models/*: all hidden states, attentions, pooler, MLM/NSP logits, ViT outputs
              (with interpolate_pos_encoding), load warnings, image-processor pixel values, tokenizer ids
  mini_bert   public/models/mini-bert against tests/fixtures/mini-bert/heldout.json, plus fill-mask top-5
  mini_vit    public/models/mini-vit against tests/fixtures/mini-vit/heldout.json, and with --fmnist-dir
              the accuracy on all 10,000 Fashion-MNIST test images given as plain mode-"L" PIL images

It must survive a single unattended run: every section (and every model/class inside one) is guarded,
tracebacks go into the report, the report is rewritten after each section, and everything runs on CPU.
Fixture parsing happens before `transformers` is imported, so without it each section still exercises
its input handling and then records the ImportError.

Usage, from the repo root:
    python3 -m scripts.reference.check_with_transformers --out REPORT.json [--fmnist-dir DIR]
"""

import argparse
import base64
import contextlib
import gzip
import importlib
import inspect
import io
import json
import logging
import os
import re
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

# No network on the check machine: never let a hub lookup hang; progress bars would pollute captured logs.
os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
ATOL, RTOL = 1e-5, 1e-4  # pass if |got - want| <= ATOL + RTOL * |want|
FIELDS = ("tokens", "input_ids", "token_type_ids")
ERRORS = []
# Newer v5 releases make ViTImageProcessor the torchvision backend and call the PIL one ViTImageProcessorPil.
IMAGE_PROCESSORS = ("AutoImageProcessor", "ViTImageProcessor", "ViTImageProcessorPil", "ViTImageProcessorFast")


@contextlib.contextmanager
def guard(where):
    """Record a traceback under `where` and carry on with the next part."""
    try:
        yield
    except Exception:
        ERRORS.append({"where": where, "traceback": traceback.format_exc()})


@contextlib.contextmanager
def capture():
    """Collect transformers' log records, Python warnings and stray prints (load problems show up there)."""
    lines, out = [], io.StringIO()
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda r: lines.append(f"{r.levelname} {r.name}: {r.getMessage()}")
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    failed = True
    try:
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            warnings.simplefilter("always")
            try:
                yield lines
                failed = False
            finally:
                lines += [f"{w.category.__name__}: {w.message}" for w in caught if w.category is not ResourceWarning]
    finally:
        logger.removeHandler(handler)
        lines += [line for line in out.getvalue().splitlines() if line.strip()]
        if failed:  # the traceback alone may not say why a load failed; keep what was logged before it
            ERRORS.append({"where": "logs captured before the next error", "logs": lines[:30]})


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_tensors(path):
    try:  # the real package when present; our numpy reader otherwise (both give float32 arrays)
        from safetensors.numpy import load_file
        return dict(load_file(str(path)))
    except ImportError:
        from scripts.reference.ref_safetensors import read_safetensors
        return read_safetensors(path)[0]


def np32(x):
    return x.detach().float().cpu().numpy() if hasattr(x, "detach") else np.asarray(x, np.float32)


def close(got, want):
    got, want = np.asarray(np32(got), np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape:
        return {"max_abs": None, "ok": False, "shapes": [list(got.shape), list(want.shape)]}
    d = np.abs(got - want)
    return {"max_abs": float(d.max()) if d.size else 0.0, "ok": bool(np.all(d <= ATOL + RTOL * np.abs(want)))}


def merge(kinds, kind, result):
    """Fold one comparison into the per-kind summary (worst diff, all ok, count)."""
    k = kinds.setdefault(kind, {"max_abs": 0.0, "ok": True, "n": 0})
    k["n"] += 1
    k["ok"] = k["ok"] and result["ok"]
    k["max_abs"] = None if result["max_abs"] is None or k["max_abs"] is None else max(k["max_abs"], result["max_abs"])
    if "shapes" in result:
        k["shapes"] = result["shapes"]


def load_model(cls, folder, torch):
    """from_pretrained in float32 with eager attention; returns (model, load info incl. captured warnings)."""
    with capture() as logs:
        kwargs = dict(attn_implementation="eager", output_loading_info=True)
        try:
            loaded = cls.from_pretrained(str(folder), dtype=torch.float32, **kwargs)
        except TypeError:  # transformers before `dtype` existed
            loaded = cls.from_pretrained(str(folder), torch_dtype=torch.float32, **kwargs)
    model, info = loaded if isinstance(loaded, tuple) else (loaded, {"note": "no loading info returned"})
    loaded_dtype = str(next(model.parameters()).dtype)
    model = model.float().to("cpu").eval()  # a config torch_dtype must never make us compare in f16
    info = {k: sorted(map(str, v)) if isinstance(v, (list, set, tuple)) else str(v) for k, v in info.items()}
    bad_keys = any(info.get(k) for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"))
    return model, {"class": type(model).__name__, "loaded_dtype": loaded_dtype, "loading_info": info,
                   "logs": logs[:30], "keys_clean": not bad_keys}


# ---- 1. tokenizer -----------------------------------------------------------------------------------
def encode_hf(tok, a, b, max_length):
    kw = dict(truncation=True, max_length=max_length) if max_length else {}
    # transformers 5's Python-backed BertTokenizerLegacy leaves token_type_ids out unless asked.
    kw["return_token_type_ids"] = True
    enc = tok(a, b, **kw) if b is not None else tok(a, **kw)
    ids, types = list(enc["input_ids"]), list(enc.get("token_type_ids") or [])
    return {"tokens": tok.convert_ids_to_tokens(ids), "input_ids": ids, "token_type_ids": types}


def compare_cases(encode, cases, cfg_name):
    bad, examples, per_field = [], [], {k: 0 for k in FIELDS}
    for c in cases:
        want = c["expected"][cfg_name]
        try:
            got = encode(c["a"], c["b"], c["max_length"])
        except Exception as e:
            got = {"error": f"{type(e).__name__}: {e}"[:300]}
        diff = [k for k in FIELDS if got.get(k) != want[k]]
        for k in diff:
            per_field[k] += 1
        if diff:
            bad.append(c["name"])
            if len(examples) < 10:
                examples.append({"case": c["name"], "fields": diff, "a": c["a"], "b": c["b"], "got": got.get("tokens"),
                                 "want": want["tokens"], **({"error": got["error"]} if "error" in got else {})})
    return {"cases": len(cases), "mismatches": len(bad), "mismatches_per_field": per_field,
            "mismatched_cases": bad, "examples": examples}


def build_tokenizer(cls, vocab_path, opts):
    """v5 BertTokenizer takes vocab=(dict); v4 / legacy / python classes take vocab_file; else from_pretrained."""
    params = inspect.signature(cls.__init__).parameters
    try:
        if "vocab" in params:
            vocab = {}
            for i, line in enumerate(vocab_path.read_text(encoding="utf-8").split("\n")[:-1]):
                vocab[line] = i  # as HF's load_vocab: one token a line, the last id wins
            return cls(vocab=vocab, **opts), "vocab=dict"
        return cls(vocab_file=str(vocab_path), **opts), "vocab_file"
    except Exception as e:
        first = f"{type(e).__name__}: {e}"[:200]
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "vocab.txt").write_bytes(vocab_path.read_bytes())
        (Path(d) / "tokenizer_config.json").write_text(json.dumps(opts))
        return cls.from_pretrained(d), f"from_pretrained (direct failed: {first})"


def tokenizer_classes(transformers):
    found = []
    for label in ("BertTokenizer", "BertTokenizerFast", "BertTokenizerLegacy"):
        cls = getattr(transformers, label, None)
        if cls is None and label == "BertTokenizerLegacy":
            with contextlib.suppress(Exception):
                cls = importlib.import_module("transformers.models.bert.tokenization_bert_legacy").BertTokenizerLegacy
        if cls is not None and all(cls is not c for _, c in found):  # in v5 BertTokenizerFast is BertTokenizer
            found.append((label, cls))
    return found


def section_tokenizer(out):
    d = FIX / "tokenizer"
    fixture = load_json(d / "cases.json")
    configs, cases = fixture["configs"], fixture["cases"]
    out.update(cases=len(cases), configs=list(configs), fixture_unicode_version=fixture.get("unicode_version"))
    import unicodedata
    out["python_unicode_version"] = unicodedata.unidata_version
    import transformers
    out["classes"] = {}
    for label, cls in tokenizer_classes(transformers):
        res = out["classes"][label] = {"class": f"{cls.__module__}.{cls.__qualname__}",
                                       "mro": [c.__name__ for c in cls.__mro__][:6]}
        for cfg_name, cfg in configs.items():
            with guard(f"tokenizer/{label}/{cfg_name}"):
                opts = {k: cfg[k] for k in ("do_lower_case", "strip_accents", "tokenize_chinese_chars")}
                tok, how = build_tokenizer(cls, d / cfg["vocab"], opts)
                res["is_fast"] = bool(getattr(tok, "is_fast", False))
                stats = compare_cases(lambda a, b, m: encode_hf(tok, a, b, m), cases, cfg_name)
                # The fixture has slow-tokenizer settings and `*_fast` ones: a class should match its own flavour.
                res[cfg_name] = {"built_with": how, "same_flavour": res["is_fast"] == bool(cfg.get("fast")), **stats}
        own = [v for v in res.values() if isinstance(v, dict) and v.get("same_flavour")]
        res["pass"] = bool(own) and all(v["mismatches"] == 0 for v in own)
    out["tokenizer_json"] = {}
    for file, cfg_name in (("tokenizer_uncased.json", "uncased_fast"), ("tokenizer_cased.json", "cased_fast")):
        with guard(f"tokenizer/raw/{file}"):
            import tokenizers
            raw = tokenizers.Tokenizer.from_file(str(d / file))

            def enc_raw(a, b, m):
                if m:
                    raw.enable_truncation(m)  # default strategy: longest_first
                else:
                    raw.no_truncation()
                e = raw.encode(a, b) if b is not None else raw.encode(a)
                return {"tokens": e.tokens, "input_ids": e.ids, "token_type_ids": e.type_ids}
            out["tokenizer_json"][f"tokenizers.Tokenizer:{file}"] = compare_cases(enc_raw, cases, cfg_name)
        with guard(f"tokenizer/PreTrainedTokenizerFast/{file}"):
            wrapper = getattr(transformers, "PreTrainedTokenizerFast", None) or transformers.TokenizersBackend
            wrapped = wrapper(tokenizer_file=str(d / file))
            out["tokenizer_json"][f"{type(wrapped).__name__}:{file}"] = compare_cases(
                lambda a, b, m: encode_hf(wrapped, a, b, m), cases, cfg_name)


# ---- 2. model fixtures --------------------------------------------------------------------------------
def run_bert(model, case, torch):
    ids, tt = torch.tensor([case["input_ids"]]), torch.tensor([case["token_type_ids"]])
    base = getattr(model, "bert", model)
    o = base(input_ids=ids, token_type_ids=tt, output_hidden_states=True, output_attentions=True)
    got = {f"hidden_states.{i}": h[0] for i, h in enumerate(o.hidden_states)}
    got.update({f"attentions.{i}": a[0] for i, a in enumerate(o.attentions)})
    if getattr(o, "pooler_output", None) is not None:
        got["pooler_output"] = o.pooler_output[0]
    e = base.embeddings  # the rows as loaded: checks F16 widening and legacy gamma/beta renaming directly
    got.update({"embeddings.word": e.word_embeddings.weight[ids[0]],
                "embeddings.token_type": e.token_type_embeddings.weight[tt[0]],
                "embeddings.position": e.position_embeddings.weight[: ids.shape[1]]})
    if model is not base:
        full = model(input_ids=ids, token_type_ids=tt, output_hidden_states=True, output_attentions=True)
        got.update(prediction_logits=full.prediction_logits[0], seq_relationship_logits=full.seq_relationship_logits[0])
    return got


def run_vit(model, case, expected, torch):
    px = torch.from_numpy(expected[case["pixel_values_key"]].copy())[None]
    interp = bool(case["interpolate_pos_encoding"])
    base = next((getattr(model, n) for n in ("vit", "deit") if hasattr(model, n)), model)
    o = base(pixel_values=px, output_hidden_states=True, output_attentions=True, interpolate_pos_encoding=interp)
    got = {f"hidden_states.{i}": h[0] for i, h in enumerate(o.hidden_states)}
    got.update({f"attentions.{i}": a[0] for i, a in enumerate(o.attentions)}, last_hidden_state=o.last_hidden_state[0])
    if model is not base:
        got["logits"] = model(pixel_values=px, interpolate_pos_encoding=interp).logits[0]
        if not interp:  # HF leaves the table alone at the native size even with interpolation on
            got["logits@interpolate_on_native"] = model(pixel_values=px, interpolate_pos_encoding=True).logits[0]
    return got


def section_models(out):
    fixtures = {}
    for folder in sorted(p for p in (FIX / "models").iterdir() if (p / "config.json").exists()):
        with guard(f"models/{folder.name}/fixture"):
            cases = load_json(folder / "expected.json")["cases"]
            expected = read_tensors(folder / "expected.safetensors")
            fixtures[folder.name] = (load_json(folder / "config.json"), cases, expected)
            out[folder.name] = {"cases": len(cases), "expected_tensors": len(expected)}
    import torch
    import transformers
    for name, (config, cases, expected) in fixtures.items():
        res, folder = out[name], FIX / "models" / name
        res["pass"] = False  # until every comparison below has run
        with guard(f"models/{name}"):
            model, res["load"] = load_model(getattr(transformers, config["architectures"][0]), folder, torch)
            kinds, missing = {}, []
            with torch.no_grad():
                for i, case in enumerate(cases):
                    is_bert = config["model_type"] == "bert"
                    got = run_bert(model, case, torch) if is_bert else run_vit(model, case, expected, torch)
                    for key, value in got.items():
                        want = expected.get(f"case{i}.{key.split('@')[0]}")
                        if want is not None:
                            merge(kinds, re.sub(r"\.\d+$", "", key), close(value, want))
                    missing += [k for k in expected if k.startswith(f"case{i}.") and k.split(".", 1)[1] not in got
                                and not k.endswith("pixel_values")]
            res.update(kinds=kinds, expected_not_produced=missing, pass_outputs=all(k["ok"] for k in kinds.values()))
            res["pass"] = res["pass_outputs"] and res["load"]["keys_clean"] and not missing
        if config["model_type"] == "bert":
            with guard(f"models/{name}/tokenizer"):
                tok = transformers.AutoTokenizer.from_pretrained(str(folder))
                bad = [i for i, c in enumerate(cases)
                       if encode_hf(tok, c["text_a"], c["text_b"], None)["input_ids"] != c["input_ids"]]
                res["tokenizer"] = {"class": type(tok).__name__, "ids_mismatch": bad}
        for case in (c for c in cases if "image" in c):
            want = expected[case["pixel_values_key"]]
            for label in (p for p in IMAGE_PROCESSORS if hasattr(transformers, p)):
                with guard(f"models/{name}/processor/{label}/{case['image']}"):
                    proc = getattr(transformers, label).from_pretrained(str(folder))
                    pv = proc(images=Image.open(folder / case["image"]), return_tensors="pt")["pixel_values"][0]
                    res.setdefault("processor", {})[f"{type(proc).__name__}:{case['image']}"] = close(pv, want)


# ---- 3. bundled mini-BERT -------------------------------------------------------------------------------
def section_mini_bert(out):
    folder = ROOT / "public" / "models" / "mini-bert"
    held = load_json(FIX / "mini-bert" / "heldout.json")
    cloze_extra = [s for s, _ in load_json(ROOT / "scripts" / "train" / "bert" / "cloze.json")[:5]]
    mask_id = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n").index("[MASK]")
    out["fixture"] = {"mlm_sequences": len(held["mlm"]), "mlm_positions": len(held["mlm_top1_ids"]), "mask_id": mask_id,
                      "nsp_pairs": len(held["nsp"]), "cloze": len(held["cloze"]), "figures": held["figures"]}
    import torch
    import transformers
    model, out["load"] = load_model(transformers.BertForPreTraining, folder, torch)

    def forward(x):
        return model(input_ids=torch.tensor([x["input_ids"]]), token_type_ids=torch.tensor([x["token_type_ids"]]))
    with torch.no_grad():
        top1, label_lp, hits = [], [], 0
        for x in held["mlm"]:  # one sequence at a time: no padding, so no attention-mask semantics involved
            lp = forward(x).prediction_logits[0, x["positions"]].log_softmax(-1)
            top1 += lp.argmax(-1).tolist()
            label_lp += lp[torch.arange(len(x["labels"])), x["labels"]].tolist()
            hits += sum(int(p == l) for p, l in zip(lp.argmax(-1).tolist(), x["labels"]))
        out["mlm"] = {"top1_same": sum(a == b for a, b in zip(top1, held["mlm_top1_ids"])), "positions": len(top1),
                      "label_log_prob": close(label_lp, held["mlm_label_log_probs"]), "top1_accuracy": hits / len(top1),
                      "fixture_top1_accuracy": held["figures"]["mlm_top1_accuracy"]}
        is_next = [float(forward(x).seq_relationship_logits[0].softmax(-1)[0]) for x in held["nsp"]]
        right = sum((p > 0.5) == (x["label"] == 0) for p, x in zip(is_next, held["nsp"]))
        out["nsp"] = {"is_next_prob": close(is_next, held["nsp_is_next"]), "accuracy": right / len(is_next),
                      "fixture_accuracy": held["figures"]["nsp_accuracy"]}
        top5_same = [forward(c).prediction_logits[0, c["input_ids"].index(mask_id)].topk(5).indices.tolist()
                     == c["top5_ids"] for c in held["cloze"]]
        out["cloze_model"] = {"top5_ids_same": sum(top5_same), "of": len(top5_same)}
    out["tokenizers"] = {}
    for label, cls in [("AutoTokenizer", transformers.AutoTokenizer)] + tokenizer_classes(transformers):
        with guard(f"mini_bert/tokenizer/{label}"):
            tok = cls.from_pretrained(str(folder))
            bad = [c["sentence"] for c in held["cloze"]
                   if encode_hf(tok, c["sentence"], None, None)["input_ids"] != c["input_ids"]]
            res = out["tokenizers"][label] = {"class": type(tok).__name__, "cloze_ids_mismatch": bad,
                                              "mask_id": tok.mask_token_id}
            with torch.no_grad():  # fill-mask by hand (BertForPreTraining is not a fill-mask pipeline model)
                for s in cloze_extra:
                    enc = tok(s, return_tensors="pt")
                    pos = enc["input_ids"][0].tolist().index(tok.mask_token_id)
                    top = model(**enc).prediction_logits[0, pos].softmax(-1).topk(5)
                    words = tok.convert_ids_to_tokens(top.indices.tolist())
                    res.setdefault("fill_mask", {})[s] = [[t, round(p, 4)] for t, p in zip(words, top.values.tolist())]
    with guard("mini_bert/pipeline"):  # the user's path: BertForMaskedLM from the same checkpoint + pipeline
        with capture() as logs:
            mlm = transformers.BertForMaskedLM.from_pretrained(str(folder), dtype=torch.float32).eval()
            tok = transformers.AutoTokenizer.from_pretrained(str(folder))
            fill = transformers.pipeline("fill-mask", model=mlm, tokenizer=tok, device="cpu")
            out["pipeline_fill_mask"] = {s: [r["token_str"] for r in fill(s, top_k=5)] for s in cloze_extra}
        out["pipeline_logs"] = logs[:20]


# ---- 4. bundled mini-ViT ----------------------------------------------------------------------------------
def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def section_mini_vit(out, fmnist_dir):
    folder = ROOT / "public" / "models" / "mini-vit"
    held = load_json(FIX / "mini-vit" / "heldout.json")
    grey = np.stack([np.frombuffer(base64.b64decode(s), np.uint8).reshape(28, 28) for s in held["images_base64"]])
    pil = [Image.fromarray(g) for g in grey]  # 2-D uint8 -> mode "L", what a user hands in
    pre = load_json(folder / "preprocessor_config.json")
    # Our preprocessing (scripts/train/common/fashion_mnist.py): rescale, normalize, grey replicated to 3 channels.
    ours = (grey.astype(np.float32) * (1 / 255) - pre["image_mean"][0]) / pre["image_std"][0]
    ours = np.repeat(ours[:, None], 3, axis=1)
    claimed = load_json(folder / "eval_results.json").get("test_accuracy")
    out["fixture"] = {"images": len(pil), "modes": sorted({p.mode for p in pil}), "claimed_test_accuracy": claimed,
                      "fixture_subset_accuracy": held["subset_accuracy"]}
    test, started = None, time.time()
    if fmnist_dir:
        with guard("mini_vit/fmnist_decode"):
            images = read_idx(Path(fmnist_dir) / "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
            labels = read_idx(Path(fmnist_dir) / "t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
            test = ([Image.fromarray(a) for a in images], labels)
            out["fmnist"] = {"images": len(labels), "first_200_match_fixture": bool(np.array_equal(images[:200], grey))}
    import torch
    import transformers
    model, out["load"] = load_model(transformers.ViTForImageClassification, folder, torch)
    procs = {}
    for label in IMAGE_PROCESSORS:
        with guard(f"mini_vit/processor/{label}"):
            if getattr(transformers, label, None) is None:
                out.setdefault("absent", []).append(label)
                continue
            with capture() as logs:
                proc = getattr(transformers, label).from_pretrained(str(folder))
            procs.setdefault(type(proc).__name__, proc)
            out.setdefault("processor_logs", {})[label] = logs[:10]
    out["processors"] = {}
    for name, proc in procs.items():
        with guard(f"mini_vit/heldout/{name}"), torch.no_grad():
            pv = proc(images=pil, return_tensors="pt")["pixel_values"]
            logits = model(pixel_values=pv.float()).logits
            top1 = logits.argmax(-1).tolist()
            res = out["processors"][name] = {
                "pixel_values_shape": list(pv.shape), "pixel_values_vs_ours": close(pv, ours),
                "logits": close(logits, held["logits"]), "top1_same": sum(a == b for a, b in zip(top1, held["top1"])),
                "subset_accuracy": sum(a == b for a, b in zip(top1, held["labels"])) / len(top1)}
        # The first processor always gets the 10k run; further ones only while the section stays quick.
        if test is not None and name in out["processors"] and (name == next(iter(procs)) or time.time() - started < 25):
            with guard(f"mini_vit/fmnist/{name}"), torch.no_grad():
                t0, preds = time.time(), []
                for i in range(0, len(test[0]), 1000):
                    pv = proc(images=test[0][i : i + 1000], return_tensors="pt")["pixel_values"]
                    preds += model(pixel_values=pv.float()).logits.argmax(-1).tolist()
                acc = float(np.mean(np.array(preds) == test[1]))
                res["fmnist_test"] = {"accuracy": acc, "claimed": claimed, "seconds": round(time.time() - t0, 2),
                                      "abs_diff_vs_claim": None if claimed is None else abs(acc - claimed)}


# ---- driver ------------------------------------------------------------------------------------------------
def versions():
    v = {"python": sys.version.split()[0]}
    for mod in ("torch", "transformers", "tokenizers", "safetensors", "numpy", "PIL", "torchvision"):
        try:
            v[mod] = importlib.import_module(mod).__version__
        except Exception as e:
            v[mod] = f"unavailable ({type(e).__name__}: {e})"[:120]
    return v


def summary(res, path=""):
    """Headline flags and numbers of a section, plus every failed comparison, one `path=value` each."""
    items = []
    for k, v in res.items():
        p = f"{path}.{k}" if path else k
        if isinstance(v, dict) and "ok" in v and "max_abs" in v:
            items += [] if v["ok"] else [f"{p}=FAIL(max_abs {v['max_abs']}, {v.get('shapes', '')})"]
        elif isinstance(v, dict) and k not in ("fixture", "loading_info", "fill_mask", "pipeline_fill_mask"):
            items += summary(v, p)
        elif k in ("pass", "keys_clean", "mismatches", "top1_same", "accuracy", "subset_accuracy", "ids_mismatch",
                   "top5_ids_same", "cloze_ids_mismatch"):
            items.append(f"{p}={v}")
    return items


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fmnist-dir")
    args = ap.parse_args()
    started = time.time()
    report = {"versions": versions(), "tolerance": {"atol": ATOL, "rtol": RTOL}, "sections": {}, "errors": ERRORS}
    with guard("setup"):
        import torch
        torch.set_num_threads(8)
        import transformers
        transformers.logging.set_verbosity_warning()
        transformers.utils.logging.disable_progress_bar()
    sections = [("tokenizer", section_tokenizer), ("models", section_models), ("mini_bert", section_mini_bert),
                ("mini_vit", lambda out: section_mini_vit(out, args.fmnist_dir))]
    for name, fn in sections:
        t0, res = time.time(), {}
        report["sections"][name] = res
        with guard(name):
            fn(res)
        res["elapsed_s"] = round(time.time() - t0, 2)
        report["elapsed_s"] = round(time.time() - started, 2)
        with open(args.out, "w", encoding="utf-8") as f:  # rewritten after each section: a kill keeps the rest
            json.dump(report, f, indent=1, ensure_ascii=False, default=str)
        with guard(f"{name}/summary"):
            print(f"[{name}] {res['elapsed_s']} s: " + "; ".join(summary(res)), flush=True)
    print(f"{len(ERRORS)} errors: " + ", ".join(e["where"] for e in ERRORS))
    print(f"report: {args.out} ({report['elapsed_s']} s)")


if __name__ == "__main__":
    main()
