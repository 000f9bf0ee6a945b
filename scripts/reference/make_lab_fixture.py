"""Reference numbers for the self-supervision lab on the bundled mini-BERT: tests/fixtures/mini-bert/lab.json.

The lab draws its training examples in TypeScript (src/analysis/random.ts, src/analysis/pretraining.ts).
This script ports that drawing to Python, line for line (Mulberry32, the MurmurHash3 finaliser that
splits a seed into streams, the Fisher-Yates shuffle, the 15 % / 80-10-10 masking, the NSP batch), so:

  * tests/bundled/mini_bert_lab.test.ts checks that TypeScript draws exactly the same examples from the
    same seeds (the same seed gives the same example in any language, not only in Node and the browser);
  * the mini-BERT forward here (PyTorch, scripts/train/bert/modeling_bert.py on the shipped weights, as
    evaluate.py runs it) gives the log-probability of every label at every chosen position (including
    positions replaced by a random token or left unchanged), the NSP probabilities, and the figures the
    lab shows: each example's mean MLM loss, and the batch's NSP accuracy, mean NSP loss, mean MLM loss
    and their sum. The TypeScript model must reproduce them (unit test and Chromium e2e test).

Text goes through the BertTokenizer port (scripts/reference/hf_bert_tokenizer.py); whole words are the
"##" continuation groups, which for this text are the tokenizer's words.

Usage: /usr/bin/python3 -m scripts.reference.make_lab_fixture
"""

import json
import math
import os
import re

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
from scripts.train.bert.evaluate import MODEL_DIR, forward, load_model
from scripts.reference.hf_bert_tokenizer import BertTokenizerRef

OUT = os.path.join(ROOT, "tests", "fixtures", "mini-bert", "lab.json")
# LAB_DEFAULT_TEXT in src/stores/labStore.ts.
TEXT = "the man went to the store. he bought a gallon of milk. it was raining, so he walked home quickly. his dog was waiting at the door."
MASK_SEEDS = range(8)
WHOLE_WORD_SEEDS = range(4)
BATCH_SEEDS = (0, 1, 2)
BATCH_SIZE = 16
M = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M


def mulberry32(seed):
    state = seed & M

    def draw():
        nonlocal state
        state = (state + 0x6D2B79F5) & M
        t = imul(state ^ (state >> 15), state | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M
        return ((t ^ (t >> 14)) & M) / 2**32

    return draw


def fmix32(h):
    h = imul(h ^ (h >> 16), 0x85EBCA6B)
    h = imul(h ^ (h >> 13), 0xC2B2AE35)
    return (h ^ (h >> 16)) & M


def mix_seed(seed, stream):
    return fmix32((seed & M) ^ fmix32((stream + 0x9E3779B9) & M))


def random_int(random, n):
    return math.floor(random() * n)


def shuffle(random, items):
    for i in range(len(items) - 1, 0, -1):
        j = random_int(random, i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def random_token_id(random, size, specials):
    specials = sorted({s for s in specials if 0 <= s < size})
    token = random_int(random, size - len(specials))
    for special in specials:
        if special <= token:
            token += 1
    return token


def make_mlm_example(encoding, specials, mask_id, vocab_size, seed, whole_word):
    random = mulberry32(seed)
    groups = []
    for p, (token, token_id, segment) in enumerate(zip(encoding["tokens"], encoding["input_ids"], encoding["segment"])):
        if segment < 0 or token_id in specials:
            continue
        joins = whole_word and groups and groups[-1][-1] == p - 1 and token.startswith("##")
        if joins:
            groups[-1].append(p)
        else:
            groups.append([p])
    candidates = sum(len(g) for g in groups)
    num_to_predict = max(1, round(candidates * 0.15))
    chosen = []
    for group in shuffle(random, groups):
        if len(chosen) >= num_to_predict:
            break
        if len(chosen) + len(group) > num_to_predict:
            continue
        chosen.extend(group)
    positions = sorted(chosen)
    input_ids = list(encoding["input_ids"])
    corruption = []
    for p in positions:
        u = random()
        if u < 0.8:
            input_ids[p] = mask_id
            corruption.append("mask")
        elif u < 0.9:
            input_ids[p] = random_token_id(random, vocab_size, specials)
            corruption.append("random")
        else:
            corruption.append("keep")
    return {
        "seed": seed,
        "whole_word": whole_word,
        "input_ids": input_ids,
        "token_type_ids": list(encoding["token_type_ids"]),
        "positions": positions,
        "labels": [encoding["input_ids"][p] for p in positions],
        "corruption": corruption,
    }


def split_sentences(text):
    # splitSentences allows any run of closing quotes or brackets after the stop; Python's look-behind
    # must have a fixed width, so one is allowed here, which covers the fixture's text.
    parts = re.split(r"\n+|(?<=[.!?])\s+|(?<=[.!?][\"')\]])\s+", text)
    return [re.sub(r"\s+", " ", s).strip() for s in parts if s and s.strip()]


def make_nsp_batch(own, corpus, seed, size):
    random = mulberry32(mix_seed(seed, 1))
    pool = ([{"source": "your text", "sentences": own}] if own else []) + corpus
    first_corpus = len(pool) - len(corpus)
    corpus_starts = [first_corpus + i for i, d in enumerate(corpus) if len(d["sentences"]) >= 2]
    own_starts = shuffle(random, list(range(max(0, len(own) - 1))))
    starts = [(0, i) for i in own_starts[: size // 2]]
    while len(starts) < size:
        doc = corpus_starts[random_int(random, len(corpus_starts))]
        starts.append((doc, random_int(random, len(pool[doc]["sentences"]) - 1)))
    labels = shuffle(random, [k < size // 2 for k in range(size)])
    pairs = []
    for k, (doc, i) in enumerate(starts):
        a = pool[doc]["sentences"][i]
        if labels[k]:
            pairs.append({"a": a, "b": pool[doc]["sentences"][i + 1], "is_next": True, "source": pool[doc]["source"]})
            continue
        other = doc
        while other == doc or len(pool[other]["sentences"]) == 0:
            other = random_int(random, len(pool))
        sentences = pool[other]["sentences"]
        pairs.append({"a": a, "b": sentences[random_int(random, len(sentences))], "is_next": False, "source": pool[doc]["source"]})
    return pairs


def encode(tokenizer, a, b):
    """The app's encoding: ids, token types, and segment -1 at [CLS] and at the [SEP] closing each segment."""
    enc = tokenizer.encode(a, b, max_length=128)
    types = enc["token_type_ids"]
    ends = {i for i in range(len(types)) if i == len(types) - 1 or types[i + 1] != types[i]}
    enc["segment"] = [-1 if i == 0 or i in ends else t for i, t in enumerate(types)]
    return enc


def run(model, example):
    instance = {
        "input_ids": example["input_ids"],
        "token_type_ids": example["token_type_ids"],
        "positions": example["positions"],
        "labels": example["labels"],
        "nsp": 0,
    }
    log_probs, nsp = forward(model, [instance])
    label_log_probs = [float(log_probs[i, label]) for i, label in enumerate(example["labels"])]
    top1 = [int(log_probs[i].argmax()) for i in range(len(example["labels"]))]
    return label_log_probs, top1, float(nsp[0, 0])


def main():
    torch.set_num_threads(1)
    tokenizer = BertTokenizerRef(os.path.join(MODEL_DIR, "vocab.txt"))
    specials = {tokenizer.vocab[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")}
    mask_id = tokenizer.vocab["[MASK]"]
    vocab_size = len(tokenizer.vocab)
    model = load_model()

    sentences = split_sentences(TEXT)
    cut = math.ceil(len(sentences) / 2)
    segment_a, segment_b = " ".join(sentences[:cut]), " ".join(sentences[cut:]) or None
    encoding = encode(tokenizer, segment_a, segment_b)
    examples = []
    for whole_word, seeds in ((False, MASK_SEEDS), (True, WHOLE_WORD_SEEDS)):
        for seed in seeds:
            example = make_mlm_example(encoding, specials, mask_id, vocab_size, seed, whole_word)
            example["label_log_probs"], example["top1_ids"], _ = run(model, example)
            example["mean_loss"] = -sum(example["label_log_probs"]) / len(example["labels"])
            examples.append(example)

    with open(os.path.join(ROOT, "public", "labs", "sentences.json"), encoding="utf-8") as f:
        corpus = json.load(f)["documents"]
    batches = []
    for seed in BATCH_SEEDS:
        pairs = make_nsp_batch(sentences, corpus, seed, BATCH_SIZE)
        losses_mlm, losses_nsp, correct = [], [], 0
        for k, pair in enumerate(pairs):
            enc = encode(tokenizer, pair["a"], pair["b"])
            example = make_mlm_example(enc, specials, mask_id, vocab_size, mix_seed(seed, 2 + k), False)
            label_log_probs, _, is_next = run(model, example)
            pair.update({key: example[key] for key in ("input_ids", "positions", "corruption")})
            pair["label_log_probs"] = label_log_probs
            pair["nsp_is_next"] = is_next
            losses_mlm += [-x for x in label_log_probs]
            losses_nsp.append(-math.log(is_next if pair["is_next"] else 1 - is_next))
            correct += (is_next > 0.5) == pair["is_next"]
        mlm_loss, nsp_loss = sum(losses_mlm) / len(losses_mlm), sum(losses_nsp) / len(losses_nsp)
        batches.append({
            "seed": seed,
            "pairs": pairs,
            "figures": {
                "nsp_accuracy": correct / len(pairs),
                "nsp_loss": nsp_loss,
                "mlm_loss": mlm_loss,
                "mlm_positions": len(losses_mlm),
                "total_loss": mlm_loss + nsp_loss,
            },
        })

    fixture = {
        "about": "Made by scripts/reference/make_lab_fixture.py: lab examples drawn by a Python port of src/analysis/pretraining.ts and scored by the PyTorch mini-BERT.",
        "text": TEXT,
        "encoding": {"input_ids": encoding["input_ids"], "token_type_ids": encoding["token_type_ids"]},
        "examples": examples,
        "batches": batches,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False)
        f.write("\n")
    for e in examples:
        print(f"seed {e['seed']} whole_word={e['whole_word']}: {''.join(c[0] for c in e['corruption'])} mean MLM loss {e['mean_loss']:.4f}")
    for b in batches:
        print(f"batch seed {b['seed']}: {b['figures']}")


if __name__ == "__main__":
    main()
