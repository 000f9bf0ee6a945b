"""Build the self-supervision lab's sample corpus, public/labs/sentences.json, from mini-BERT's held-out split.

The lab makes next-sentence-prediction pairs from a pool of documents: IsNext pairs take a sentence
and the one that really follows it, NotNext pairs a sentence of another document. So that the NSP
accuracy the lab shows is not measured on text the bundled model was trained on, every document here
comes from the held-out split that build_corpus.py sets aside (2 % of documents, chosen by a seeded
hash of (source, id); never seen in training or in the vocabulary).

From each held-out document the first run of consecutive sentences of MIN_WORDS..MAX_WORDS words is
kept (so the "next sentence" is still the real next one), up to MAX_SENTENCES sentences, if it has at
least two. Documents are then taken per source, in the order of a seeded hash, up to PER_SOURCE.

Usage (after build_corpus.py, which writes work/corpus/heldout.jsonl):
  /usr/bin/python3 -m scripts.train.bert.build_lab_sentences
"""

import json
import os

from scripts.train.bert.build_corpus import OUT_DIR, unit_hash

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.normpath(os.path.join(HERE, "..", "..", "..", "public", "labs", "sentences.json"))

MIN_WORDS = 4
MAX_WORDS = 40
MAX_SENTENCES = 6
# Everyday sources first; the archaic ones (KJV, Webster 1913) add variety, not bulk.
PER_SOURCE = {"wordnet": 90, "austen": 70, "fortunes": 60, "gcide": 60, "kjv": 13}


def first_run(sentences):
    """The first run of consecutive sentences of a usable length, at most MAX_SENTENCES long."""
    run = []
    for sentence in sentences:
        if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
            run.append(sentence)
            if len(run) == MAX_SENTENCES:
                return run
        elif len(run) >= 2:
            return run
        else:
            run = []
    return run


def main():
    with open(os.path.join(OUT_DIR, "heldout.jsonl"), encoding="utf-8") as f:
        documents = [json.loads(line) for line in f]
    chosen = []
    for source, limit in PER_SOURCE.items():
        candidates = []
        for doc in documents:
            if doc["source"] != source:
                continue
            run = first_run(doc["sentences"])
            if len(run) >= 2:
                candidates.append((unit_hash("lab", source, doc["id"]), doc["id"], run))
        candidates.sort()
        chosen += [{"source": source, "id": doc_id, "sentences": run} for _, doc_id, run in candidates[:limit]]
        print(f"{source:10s} {min(limit, len(candidates)):4d} of {len(candidates)} usable held-out documents")
    corpus = {
        "about": (
            "Held-out documents of the mini-BERT pretraining corpus (scripts/train/bert/build_corpus.py), "
            "never seen in training; made by scripts/train/bert/build_lab_sentences.py. Sources: WordNet 3.0, "
            "fortunes, Jane Austen's novels, the King James Bible, Webster 1913 (GCIDE)."
        ),
        "documents": chosen,
    }
    os.makedirs(os.path.dirname(TARGET), exist_ok=True)
    # One document per line, so a diff shows which documents changed.
    lines = [json.dumps(doc, ensure_ascii=False) for doc in chosen]
    with open(TARGET, "w", encoding="utf-8") as f:
        f.write('{"about": ' + json.dumps(corpus["about"]) + ',\n"documents": [\n' + ",\n".join(lines) + "\n]}\n")
    sentences = sum(len(d["sentences"]) for d in chosen)
    print(f"{len(chosen)} documents, {sentences} sentences -> {TARGET} ({os.path.getsize(TARGET)} bytes)")


if __name__ == "__main__":
    main()
