"""Measure the exported mini-BERT on the held-out split and write the test fixture.

Evaluates exactly what ships: the weights are read back from public/models/mini-bert/model.safetensors
(float16 storage widened to float32, as the app's loader does) and the text goes through the
BertTokenizer port. All samples are drawn with fixed seeds from held-out documents only.

  MLM top-1 / top-5  15% of the non-special tokens of held-out sequences replaced by [MASK]
                     (the app predicts at [MASK] tokens), accuracy over those positions; also per
                     source, since sources differ in how hard their text is to fill.
  NSP accuracy       held-out pairs, half true continuations, half random spans of other documents.
  pseudo-perplexity  exp of the mean negative log-likelihood of each token of a fixed sample of
                     held-out sentences when that token alone is masked (Salazar et al., 2020).
  cloze              scripts/train/bert/cloze.json (written before looking at any output): is the
                     expected word among the top 5 predictions for the [MASK]?

Writes work/eval.json (all figures, cloze top-5 lists) and tests/fixtures/mini-bert/heldout.json
(a small subset with inputs, labels, PyTorch's per-example predictions and figures).

Usage: /usr/bin/python3 -m scripts.train.bert.evaluate
"""

import argparse
import json
import math
import os
import random

import torch

from scripts.train.bert.modeling_bert import BertConfig, BertForPreTraining
from scripts.train.bert.pretrain import CLS, MASK, SEP, collate, load_documents, make_pair, multi_sentence_indices

HERE = os.path.dirname(os.path.abspath(__file__))
from scripts.reference.hf_bert_tokenizer import BertTokenizerRef
from scripts.reference.ref_safetensors import read_safetensors

ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
MODEL_DIR = os.path.join(ROOT, "public", "models", "mini-bert")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "mini-bert", "heldout.json")
WORK = os.path.join(HERE, "work")

N_FIXTURE = 64
MAX_LEN = 128
# Extra sentences for the hand check in the model card, beyond the cloze list.
HAND_CHECK = [
    "the [MASK] barked at the mailman.",
    "i would like a cup of [MASK], please.",
    "she opened the window to let in some fresh [MASK].",
    "paris is the capital of [MASK].",
    "he [MASK] the ball to his friend.",
    "it was raining, so we stayed [MASK].",
    "the [MASK] is shining and the birds are singing.",
    "my favorite color is [MASK].",
    "and god said, let there be [MASK].",
    "a dog is a kind of [MASK].",
    "the man went to the store to buy some [MASK].",
    "she is a very good [MASK] and her students love her.",
]


def load_model():
    with open(os.path.join(MODEL_DIR, "config.json")) as f:
        hf = json.load(f)
    config = BertConfig(**{k: hf[k] for k in BertConfig.__dataclass_fields__})
    model = BertForPreTraining(config)
    tensors, _ = read_safetensors(os.path.join(MODEL_DIR, "model.safetensors"))
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=False)
    # The decoder weight is tied to the word embeddings, so it is the only key the file may lack.
    assert missing == ["cls.predictions.decoder.weight"] and not unexpected, (missing, unexpected)
    return model.eval()


@torch.no_grad()
def forward(model, instances):
    """Full-vocabulary log-probs at each instance's positions, and NSP probabilities."""
    batch = collate(instances)
    mlm_logits, nsp_logits = model(batch["input_ids"], batch["token_type_ids"], batch["attention_mask"],
                                   batch["mlm_positions"] if len(batch["mlm_positions"]) else None)
    log_probs = mlm_logits.log_softmax(-1) if mlm_logits is not None else None
    return log_probs, nsp_logits.softmax(-1)


def instance(a, b, positions=(), labels=(), nsp=0):
    ids = [CLS] + a + [SEP] + (b + [SEP] if b is not None else [])
    types = [0] * (len(a) + 2) + ([1] * (len(b) + 1) if b is not None else [])
    return {"input_ids": ids, "token_type_ids": types, "positions": list(positions), "labels": list(labels), "nsp": nsp}


def masked_instances(documents, n, seed):
    """Held-out pairs with 15% of their ordinary tokens replaced by [MASK]."""
    rng = random.Random(seed)
    multi = multi_sentence_indices(documents)
    out = []
    for _ in range(n):
        a, b, not_next = make_pair(documents, multi, MAX_LEN, rng)
        x = instance(a, b, nsp=not_next)
        candidates = [i for i, t in enumerate(x["input_ids"]) if t not in (CLS, SEP)]
        positions = sorted(rng.sample(candidates, max(1, round(0.15 * len(candidates)))))
        x["labels"] = [x["input_ids"][p] for p in positions]
        x["positions"] = positions
        for p in positions:
            x["input_ids"][p] = MASK
        out.append(x)
    return out


def nsp_instances(documents, n, seed):
    rng = random.Random(seed)
    multi = multi_sentence_indices(documents)
    out = []
    for _ in range(n):
        a, b, not_next = make_pair(documents, multi, MAX_LEN, rng)
        out.append(instance(a, b, nsp=not_next))
    return out


def mlm_figures(model, instances, batch_size=64):
    top1_ids, label_log_probs, hits1, hits5 = [], [], 0, 0
    for i in range(0, len(instances), batch_size):
        chunk = instances[i : i + batch_size]
        log_probs, _ = forward(model, chunk)
        labels = torch.tensor([l for x in chunk for l in x["labels"]])
        top5 = log_probs.topk(5, -1).indices
        hits1 += int((top5[:, 0] == labels).sum())
        hits5 += int((top5 == labels[:, None]).any(-1).sum())
        top1_ids.extend(top5[:, 0].tolist())
        label_log_probs.extend(log_probs.gather(1, labels[:, None])[:, 0].tolist())
    n = len(top1_ids)
    return {"positions": n, "top1_accuracy": hits1 / n, "top5_accuracy": hits5 / n,
            "mean_label_log_prob": sum(label_log_probs) / n}, top1_ids, label_log_probs


def nsp_figures(model, instances, batch_size=64):
    is_next = []
    for i in range(0, len(instances), batch_size):
        _, probs = forward(model, instances[i : i + batch_size])
        is_next.extend(probs[:, 0].tolist())
    correct = sum((p > 0.5) == (x["nsp"] == 0) for p, x in zip(is_next, instances))
    return {"pairs": len(instances), "accuracy": correct / len(instances)}, is_next


def pseudo_perplexity(model, documents, n_sentences, seed):
    rng = random.Random(seed)
    sentences = [s for d in documents for s in d if 3 <= len(s) <= MAX_LEN - 2]
    sample = rng.sample(sentences, n_sentences)
    total, count = 0.0, 0
    for s in sample:
        variants = [instance(s[:i] + [MASK] + s[i + 1 :], None, positions=[i + 1], labels=[s[i]]) for i in range(len(s))]
        log_probs, _ = forward(model, variants)
        total += float(log_probs.gather(1, torch.tensor(s)[:, None]).sum())
        count += len(s)
    return {"sentences": n_sentences, "tokens": count, "pseudo_perplexity": math.exp(-total / count)}


def fill_mask(model, tokenizer, sentence):
    enc = tokenizer.encode(sentence, max_length=MAX_LEN)
    positions = [i for i, t in enumerate(enc["input_ids"]) if t == MASK]
    x = {"input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"], "positions": positions,
         "labels": [0] * len(positions), "nsp": 0}
    log_probs, _ = forward(model, [x])
    top = log_probs[0].topk(5)
    return enc, [tokenizer.ids_to_tokens[i] for i in top.indices.tolist()], top.indices.tolist(), top.values.exp().tolist()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mlm-sequences", type=int, default=2000)
    parser.add_argument("--nsp-pairs", type=int, default=2000)
    parser.add_argument("--pppl-sentences", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model = load_model()
    tokenizer = BertTokenizerRef(os.path.join(MODEL_DIR, "vocab.txt"))
    heldout, sources = load_documents("heldout", with_sources=True)

    masked = masked_instances(heldout, args.mlm_sequences, seed=7)
    mlm, mlm_top1, mlm_label_lp = mlm_figures(model, masked)
    mlm_by_source = {}
    for source in sorted(set(sources)):
        documents = [d for d, s in zip(heldout, sources) if s == source]
        mlm_by_source[source] = dict(mlm_figures(model, masked_instances(documents, 500, seed=7))[0], documents=len(documents))
    pairs = nsp_instances(heldout, args.nsp_pairs, seed=8)
    nsp, nsp_is_next = nsp_figures(model, pairs)
    pppl = pseudo_perplexity(model, heldout, args.pppl_sentences, seed=9)

    with open(os.path.join(HERE, "cloze.json")) as f:
        cloze_items = json.load(f)
    cloze = []
    for sentence, expected in cloze_items:
        enc, tokens, ids, probs = fill_mask(model, tokenizer, sentence)
        cloze.append({"sentence": sentence, "expected": expected, "expected_id": tokenizer.vocab[expected],
                      "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"],
                      "top5": tokens, "top5_ids": ids, "top5_probs": probs, "hit": expected in tokens})
    hand = []
    for sentence in HAND_CHECK:
        _, tokens, _, probs = fill_mask(model, tokenizer, sentence)
        hand.append({"sentence": sentence, "top5": tokens, "top5_probs": probs})
    cloze_hits = sum(c["hit"] for c in cloze)

    figures = {"mlm": mlm, "mlm_by_source": mlm_by_source, "nsp": nsp, "pseudo_perplexity": pppl,
               "cloze": {"sentences": len(cloze), "top5_hits": cloze_hits, "top5_rate": cloze_hits / len(cloze)}}
    with open(os.path.join(WORK, "eval.json"), "w") as f:
        json.dump({"figures": figures, "cloze": cloze, "hand_check": hand}, f, indent=1)
    print(json.dumps(figures, indent=1))
    for c in cloze + hand:
        print(f"{c['sentence']:55s} {c.get('expected', ''):>10s} -> {' '.join(c['top5'])}")

    # Fixture: the first N_FIXTURE masked sequences and NSP pairs, with PyTorch's answers on exactly them.
    sub_masked = masked[:N_FIXTURE]
    n_positions = sum(len(x["positions"]) for x in sub_masked)
    sub_mlm, _, _ = mlm_figures(model, sub_masked)
    sub_pairs = pairs[:N_FIXTURE]
    sub_nsp, _ = nsp_figures(model, sub_pairs)
    fixture = {
        "description": "Held-out subset for the mini-BERT bundle test; produced by scripts/train/bert/evaluate.py "
                       "from public/models/mini-bert with PyTorch (float16 weights widened to float32).",
        "mlm": [{"input_ids": x["input_ids"], "token_type_ids": x["token_type_ids"], "positions": x["positions"],
                 "labels": x["labels"]} for x in sub_masked],
        "mlm_top1_ids": mlm_top1[:n_positions],
        "mlm_label_log_probs": [round(v, 5) for v in mlm_label_lp[:n_positions]],
        "nsp": [{"input_ids": x["input_ids"], "token_type_ids": x["token_type_ids"], "label": x["nsp"]} for x in sub_pairs],
        "nsp_is_next": [round(v, 6) for v in nsp_is_next[:N_FIXTURE]],
        "cloze": [{k: c[k] for k in ("sentence", "expected", "expected_id", "input_ids", "token_type_ids", "top5_ids")} for c in cloze],
        "figures": {"mlm_top1_accuracy": sub_mlm["top1_accuracy"], "mlm_top5_accuracy": sub_mlm["top5_accuracy"],
                    "mlm_positions": sub_mlm["positions"], "nsp_accuracy": sub_nsp["accuracy"],
                    "cloze_top5_hits": cloze_hits},
    }
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"fixture: {len(sub_masked)} masked sequences ({n_positions} positions), {len(sub_pairs)} NSP pairs -> {FIXTURE}")


if __name__ == "__main__":
    main()
