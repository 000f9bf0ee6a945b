"""Learn an uncased WordPiece vocabulary from the training split, then encode the corpus with it.

Pre-tokenization (clean, CJK spacing, lower-case, strip accents, punctuation split) and the final
greedy longest-match-first encoding are those of scripts/reference/hf_bert_tokenizer.py, a port of
HF's BertTokenizer, so the training data is tokenized exactly as the app tokenizes user text.

The vocabulary itself is learned the way HF `tokenizers`' WordPieceTrainer does it: byte-pair style
merges of the most frequent adjacent pair, with "##" marking word-internal pieces. Ids 0-4 are
[PAD] [UNK] [CLS] [SEP] [MASK], then the single characters, then the merges in learned order.

Reads work/corpus/{train,heldout}.jsonl (build_corpus.py); writes work/vocab.txt and
work/encoded/{train,heldout}.pkl (per document: source, id, list of token-id lists per sentence).

Usage: /usr/bin/python3 -m scripts.train.bert.build_vocab [--vocab-size 8192]
"""

import argparse
import collections
import heapq
import json
import os
import pickle
import time

HERE = os.path.dirname(os.path.abspath(__file__))
from scripts.reference.hf_bert_tokenizer import BertTokenizerRef

WORK = os.path.join(HERE, "work")
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
# Characters seen fewer times than this (stray Greek, Hebrew, symbols) are left to [UNK] rather
# than spending vocabulary entries on them.
MIN_CHAR_COUNT = 20


def read_documents(split):
    with open(os.path.join(WORK, "corpus", f"{split}.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def count_words(documents, pre_tokenizer):
    counts = collections.Counter()
    specials = set(SPECIALS)
    for doc in documents:
        for sentence in doc["sentences"]:
            counts.update(pre_tokenizer.basic_tokenize(sentence, never_split=specials))
    return counts


def learn_wordpiece(word_counts, vocab_size):
    """Most-frequent-pair merges over words spelled as [c0, ##c1, ##c2, ...] until vocab_size."""
    char_counts = collections.Counter()
    for word, n in word_counts.items():
        for i, c in enumerate(word):
            char_counts[c if i == 0 else "##" + c] += n
    alphabet = sorted(s for s, n in char_counts.items() if n >= MIN_CHAR_COUNT)
    known = set(alphabet)
    words, freqs = [], []
    for word, n in word_counts.items():
        symbols = [c if i == 0 else "##" + c for i, c in enumerate(word)]
        if all(s in known for s in symbols):
            words.append(symbols)
            freqs.append(n)

    pair_counts = collections.Counter()
    pair_words = collections.defaultdict(set)
    for w, symbols in enumerate(words):
        for pair in zip(symbols, symbols[1:]):
            pair_counts[pair] += freqs[w]
            pair_words[pair].add(w)
    heap = [(-n, pair) for pair, n in pair_counts.items()]
    heapq.heapify(heap)

    vocab = SPECIALS + alphabet
    seen = set(vocab)
    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -neg:  # stale: every count change pushes a fresh entry
            continue
        a, b = pair
        merged = a + b[2:]
        if merged not in seen:
            vocab.append(merged)
            seen.add(merged)
        touched = set()
        for w in pair_words.pop(pair):
            symbols, n = words[w], freqs[w]
            for old in zip(symbols, symbols[1:]):
                pair_counts[old] -= n
                touched.add(old)
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            words[w] = out
            for new in zip(out, out[1:]):
                pair_counts[new] += n
                pair_words[new].add(w)
                touched.add(new)
        for p in touched:
            if pair_counts[p] > 0:
                heapq.heappush(heap, (-pair_counts[p], p))
            else:
                pair_counts.pop(p, None)
    return vocab


def encode(documents, tokenizer):
    out = []
    for doc in documents:
        sentences = [tokenizer.convert_tokens_to_ids(tokenizer.tokenize(s)) for s in doc["sentences"]]
        sentences = [s for s in sentences if s]
        if sentences:
            out.append({"source": doc["source"], "id": doc["id"], "sentences": sentences})
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vocab-size", type=int, default=8192)
    args = parser.parse_args()

    t0 = time.time()
    train, heldout = read_documents("train"), read_documents("heldout")
    specials_only = os.path.join(WORK, "specials.txt")
    with open(specials_only, "w", encoding="utf-8") as f:
        f.write("\n".join(SPECIALS) + "\n")
    word_counts = count_words(train, BertTokenizerRef(specials_only))
    print(f"{len(word_counts)} distinct pre-tokenized words, {sum(word_counts.values())} in all ({time.time() - t0:.0f}s)")

    vocab = learn_wordpiece(word_counts, args.vocab_size)
    vocab_path = os.path.join(WORK, "vocab.txt")
    with open(vocab_path, "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    print(f"vocab of {len(vocab)} written to {vocab_path} ({time.time() - t0:.0f}s)")

    tokenizer = BertTokenizerRef(vocab_path)
    os.makedirs(os.path.join(WORK, "encoded"), exist_ok=True)
    unk = tokenizer.vocab["[UNK]"]
    for split, documents in (("train", train), ("heldout", heldout)):
        encoded = encode(documents, tokenizer)
        with open(os.path.join(WORK, "encoded", f"{split}.pkl"), "wb") as f:
            pickle.dump(encoded, f)
        ids = [i for d in encoded for s in d["sentences"] for i in s]
        print(f"{split}: {len(encoded)} documents, {len(ids)} tokens, {100 * ids.count(unk) / len(ids):.3f}% [UNK] ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
