"""Build the mini-BERT pretraining corpus from Debian text packages, reproducibly.

Output: scripts/train/bert/work/corpus/{train,heldout}.jsonl, one document per line:
{"source": ..., "id": ..., "sentences": [...]}. Documents are runs of consecutive sentences so
that next-sentence prediction has real "next" sentences to learn from.

Sources (Debian packages wordnet-base, fortunes, bible-kjv, dict-gcide, r-cran-janeaustenr):
  wordnet  glosses and example sentences, synsets grouped in lexicographer-file order
           (neighbouring synsets share a topic, e.g. foods or body parts). Modern, everyday.
  fortunes one fortune cookie per document. Modern, conversational.
  austen   Jane Austen's six novels, runs of AUSTEN_SENTENCES_PER_DOC consecutive sentences of a
           chapter. Narrative prose about daily life (meals, letters, rooms, walks, weather): the
           words that the dictionary sources define but rarely use in a story. Pretraining draws a
           document, not a token, so short documents keep long chapters from being under-sampled.
  kjv      one chapter per document; archaic, so only KJV_KEEP of the chapters are kept.
  gcide    Webster 1913 definitions and quotations, one entry per document; archaic and
           encyclopedic, so only GCIDE_KEEP of the entries are kept.
The held-out split is a fixed HELDOUT_FRACTION of documents chosen by a seeded hash of
(source, id), so it never depends on file order or on which other documents exist.

Usage: /usr/bin/python3 -m scripts.train.bert.build_corpus
"""

import gzip
import hashlib
import json
import os
import re
import subprocess
import unicodedata
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "work", "corpus")

SEED = "mini-bert-2026"
HELDOUT_FRACTION = 0.02
KJV_KEEP = 0.5
GCIDE_KEEP = 0.35
WORDNET_SENTENCES_PER_DOC = 8
AUSTEN_SENTENCES_PER_DOC = 8

WORDNET_DIR = "/usr/share/wordnet"
FORTUNE_DIR = "/usr/share/games/fortunes"
GCIDE_PATH = "/usr/share/dictd/gcide.dict.dz"
R_LIBRARY = "/usr/lib/R/site-library"


def unit_hash(*parts):
    """Deterministic number in [0, 1) for a key; the same on every machine and Python run."""
    digest = hashlib.sha256("\x1f".join((SEED,) + parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# A full stop after a title ("Mr. Knightley") does not end a sentence.
SENTENCE_END = re.compile(r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\bSt\.)(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]*[A-Z0-9])")


def split_sentences(text):
    text = re.sub(r"\s+", " ", text).strip()
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def finish(sentence):
    """WordNet examples and glosses carry no final stop; give them one like ordinary prose."""
    sentence = sentence.strip()
    return sentence if sentence[-1:] in ".!?" else sentence + "."


def clean(text):
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()


def wordnet_documents():
    for pos in ("noun", "verb", "adj", "adv"):
        current, current_lexfile, count = [], None, 0
        with open(os.path.join(WORDNET_DIR, "data." + pos), encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  "):  # licence header
                    continue
                fields, _, gloss = line.partition(" | ")
                parts = fields.split()
                lexfile = parts[1]
                lemma = parts[4].replace("_", " ")
                lemma = re.sub(r"\([a-z]+\)$", "", lemma)  # adjective markers like (a), (p)
                definitions, examples = [], []
                for piece in gloss.strip().split("; "):
                    piece = piece.strip()
                    if not piece:
                        continue
                    if piece.startswith('"'):
                        examples.extend(re.findall(r'"([^"]+)"', piece))
                    else:
                        definitions.append(piece)
                sentences = []
                if definitions:
                    sentences.append(finish(f"{lemma}: {'; '.join(definitions)}"))
                sentences.extend(finish(clean(e)) for e in examples if len(e.split()) >= 3)
                if lexfile != current_lexfile or len(current) >= WORDNET_SENTENCES_PER_DOC:
                    if current:
                        yield "wordnet", f"{pos}-{count}", current
                        count += 1
                    current, current_lexfile = [], lexfile
                current.extend(sentences)
            if current:
                yield "wordnet", f"{pos}-{count}", current


def fortune_documents():
    names = sorted(
        n for n in os.listdir(FORTUNE_DIR)
        if "." not in n and os.path.isfile(os.path.join(FORTUNE_DIR, n)) and n != "ascii-art"
    )
    for name in names:
        with open(os.path.join(FORTUNE_DIR, name), encoding="utf-8", errors="replace") as f:
            fortunes = re.split(r"^%\s*$", f.read(), flags=re.M)
        for i, fortune in enumerate(fortunes):
            # Drop attribution lines ("-- Mark Twain") and ASCII-art-like lines.
            lines = [
                l for l in fortune.splitlines()
                if not l.strip().startswith("--") and sum(c.isalpha() for c in l) >= 0.5 * len(l.strip())
            ]
            sentences = split_sentences(" ".join(lines))
            if sentences:
                yield "fortunes", f"{name}-{i}", sentences


def kjv_documents():
    text = subprocess.run(
        ["bible", "-l100000", "gen1:1-rev22:21"], check=True, capture_output=True, text=True
    ).stdout
    chapter, verses = None, []
    for line in text.splitlines():
        verse = re.match(r"^\s+\d+ (.*)$", line)
        if verse:
            verses.append(clean(verse.group(1)))
        elif line.strip():
            if verses:
                yield "kjv", chapter, verses
            chapter, verses = line.strip(), []
    if verses:
        yield "kjv", chapter, verses


def gcide_documents():
    with gzip.open(GCIDE_PATH, "rt", encoding="utf-8", errors="replace") as f:
        entries = re.split(r"\n\n(?=\S)", f.read())
    for i, entry in enumerate(entries):
        head, _, body = entry.partition("\n")
        headword = re.match(r"^([A-Za-z][A-Za-z '-]*?) \\", head)
        if not headword:
            continue
        body = body.replace("[1913 Webster]", "\n\n").replace("[PJC]", "\n\n")
        sentences = []
        for para in re.split(r"\n\s*\n", body):
            para = clean(para)
            para = re.sub(r"--\s?[A-Z][^.]*\.\s*$", "", para)  # quotation source, e.g. "--Bacon."
            para = re.sub(r"\[[^\]]*\]", "", para)  # etymology, [Obs.]
            para = re.sub(r"\([A-Z][a-z]+\.\)", "", para)  # field labels like (Anat.)
            para = re.sub(r"^\d+\.\s*", "", para)
            para = para.replace("{", "").replace("}", "").replace("*", "").replace("`", "")
            para = clean(para)
            if len(para.split()) < 5 or "Syn." in para or "\\" in para:
                continue
            sentences.extend(split_sentences(para))
        if sentences:
            yield "gcide", f"{headword.group(1)}-{i}", sentences


def r_package_data(package):
    """The data sets of an installed R package, read without R. R keeps them in a lazy-load
    database: Rdata.rdx (gzip) is the index of (offset, length) entries in Rdata.rdb, each a 4-byte
    length and a zlib stream. python3-rdata parses the serialized R objects."""
    import rdata

    def parse(serialized):
        # An entry is a bare XDR serialization; the RDX3 file magic routes it to rdata's parser.
        return rdata.conversion.convert(rdata.parser.parse_data(b"RDX3\n" + serialized))

    folder = os.path.join(R_LIBRARY, package, "data")
    with gzip.open(os.path.join(folder, "Rdata.rdx")) as f:
        index = parse(f.read())
    if not all(index["compressed"]):
        raise ValueError(f"{package}: expected a zlib-compressed lazy-load database")
    with open(os.path.join(folder, "Rdata.rdb"), "rb") as f:
        database = f.read()
    return {
        name: parse(zlib.decompress(database[int(offset) + 4 : int(offset) + int(length)]))
        for name, (offset, length) in index["variables"].items()
    }


def austen_documents():
    heading = re.compile(r"^(VOLUME|CHAPTER) +[0-9IVXL]+$", re.I)
    the_end = re.compile(r"^(THE END|FINIS|A NOTE ON THE TEXT)$", re.I)
    for novel, lines in sorted(r_package_data("janeaustenr").items()):
        chapters, paragraphs, current, place, volume = [], [], [], None, ""
        for line in lines + [""]:
            line = line.strip()
            if heading.match(line) or the_end.match(line):
                if current:
                    paragraphs.append(" ".join(current))
                if place and paragraphs:
                    chapters.append((place, paragraphs))
                paragraphs, current = [], []
                if the_end.match(line):
                    break
                if line.upper().startswith("VOLUME"):
                    volume, place = line.split()[1] + "-", None
                else:
                    place = volume + line.split()[1]
            elif not line:
                if current:
                    paragraphs.append(" ".join(current))
                current = []
            elif place:  # the title page and prefaces come before the first chapter
                current.append(line)
        for place, paragraphs in chapters:
            # Underscores mark italics; a double hyphen is the period's dash.
            sentences = [s for p in paragraphs for s in split_sentences(p.replace("_", "").replace("--", " - "))]
            for k in range(0, len(sentences), AUSTEN_SENTENCES_PER_DOC):
                yield "austen", f"{novel}-{place}-{k // AUSTEN_SENTENCES_PER_DOC}", sentences[k : k + AUSTEN_SENTENCES_PER_DOC]


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    keep = {"kjv": KJV_KEEP, "gcide": GCIDE_KEEP}
    stats = {}
    with open(os.path.join(OUT_DIR, "train.jsonl"), "w", encoding="utf-8") as train, open(
        os.path.join(OUT_DIR, "heldout.jsonl"), "w", encoding="utf-8"
    ) as heldout:
        for generator in (wordnet_documents, fortune_documents, kjv_documents, gcide_documents, austen_documents):
            for source, doc_id, sentences in generator():
                if unit_hash("keep", source, doc_id) >= keep.get(source, 1.0):
                    continue
                split = "heldout" if unit_hash("split", source, doc_id) < HELDOUT_FRACTION else "train"
                line = json.dumps({"source": source, "id": doc_id, "sentences": sentences}, ensure_ascii=False)
                (heldout if split == "heldout" else train).write(line + "\n")
                s = stats.setdefault(f"{source}/{split}", [0, 0, 0])
                s[0] += 1
                s[1] += len(sentences)
                s[2] += sum(len(x.split()) for x in sentences)
    with open(os.path.join(OUT_DIR, "stats.json"), "w") as f:
        json.dump({k: dict(zip(("documents", "sentences", "words"), v)) for k, v in sorted(stats.items())}, f, indent=1)
    for k, v in sorted(stats.items()):
        print(f"{k:20s} docs={v[0]:7d} sentences={v[1]:8d} words={v[2]:9d}")


if __name__ == "__main__":
    main()
