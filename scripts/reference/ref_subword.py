"""Byte-level BPE (RoBERTa) and SentencePiece Unigram (ALBERT) tokenizers for the fixtures: each is trained on a
small corpus, written as a Hugging Face tokenizer.json, and has an independent Python encoder that gives the
expected tokens, ids and character offsets.

- BPE: GPT-2's algorithm (bytes mapped to printable characters, the GPT-2 split regex, merges applied by rank),
  written here from the algorithm's description; trained by repeatedly merging the most frequent pair.
- Unigram: trained and encoded by SentencePiece itself (Debian's python3-sentencepiece), after ALBERT's
  preprocessing (AlbertTokenizer: collapse whitespace, `` and '' -> ", NFKD without combining marks, lower case).
  The tokenizer.json is what transformers' AlbertConverter writes for such a model.

Special tokens in the text are split off first, as HF does; RoBERTa's <mask> and ALBERT's [MASK] swallow the
spaces before them (lstrip).
"""

import base64
import unicodedata
from collections import Counter

import regex
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2

GPT2_SPLIT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bytes_to_unicode() -> dict:
    """GPT-2's reversible map from the 256 byte values to printable characters (space -> 'Ġ')."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    mapping, extra = {}, 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


BYTE_CHARS = bytes_to_unicode()


def added_token(content: str, token_id: int, lstrip: bool = False) -> dict:
    return {"id": token_id, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
            "normalized": False, "special": True}


def split_specials(text: str, specials: list, lstrip: set) -> list:
    """[(segment, is_special, start)]: the longest special token wins at each position; lstrip ones take the
    whitespace before them."""
    out, i, start = [], 0, 0
    ordered = sorted(specials, key=len, reverse=True)
    while i < len(text):
        hit = next((s for s in ordered if text.startswith(s, i)), None)
        if hit is None:
            i += 1
            continue
        end_text = i
        if hit in lstrip:
            while end_text > start and text[end_text - 1].isspace():
                end_text -= 1
        if end_text > start:
            out.append((text[start:end_text], False, start))
        out.append((hit, True, i))
        i += len(hit)
        start = i
    if start < len(text):
        out.append((text[start:], False, start))
    return out


# ---------------------------------------------------------------- byte-level BPE

ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


def _bpe_words(corpus: list) -> Counter:
    words = Counter()
    for line in corpus:
        for piece in GPT2_SPLIT.findall(line):
            words[tuple(BYTE_CHARS[b] for b in piece.encode("utf-8"))] += 1
    return words


def train_bpe(corpus: list, num_merges: int) -> tuple[list, list]:
    """(vocab in id order, merges in rank order)."""
    words = _bpe_words(corpus)
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for word, n in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += n
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        merged = Counter()
        for word, n in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += n
        words = merged
    vocab = ROBERTA_SPECIALS + [BYTE_CHARS[b] for b in range(256)] + [a + b for a, b in merges] + ["<mask>"]
    return vocab, merges


def bpe_tokenizer_json(vocab: list, merges: list) -> dict:
    index = {t: i for i, t in enumerate(vocab)}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(t, index[t]) for t in ROBERTA_SPECIALS] + [added_token("<mask>", index["<mask>"], lstrip=True)],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", index["</s>"]], "cls": ["<s>", index["<s>"]],
                           "trim_offsets": True, "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": index, "merges": [f"{a} {b}" for a, b in merges]},
    }


def _bpe_word(chars: list, ranks: dict) -> list:
    word = list(chars)
    while len(word) > 1:
        pairs = [(ranks.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(word, word[1:]))]
        rank, i = min(pairs)
        if rank == float("inf"):
            break
        first, second = word[i], word[i + 1]
        out, j = [], 0
        while j < len(word):
            if j + 1 < len(word) and word[j] == first and word[j + 1] == second:
                out.append(first + second)
                j += 2
            else:
                out.append(word[j])
                j += 1
        word = out
    return word


def bpe_encode(text: str, vocab: list, merges: list) -> dict:
    """Tokens, ids, character offsets (with RoBERTa's trim_offsets: leading/trailing spaces left out) and word
    indices (one per GPT-2 split piece or special token) of one text, without <s>/</s>."""
    index = {t: i for i, t in enumerate(vocab)}
    ranks = {m: r for r, m in enumerate(merges)}
    out = {"tokens": [], "ids": [], "offsets": [], "word_ids": []}
    word_id = 0
    for segment, special, seg_start in split_specials(text, ROBERTA_SPECIALS + ["<mask>"], {"<mask>"}):
        if special:
            out["tokens"].append(segment)
            out["ids"].append(index[segment])
            out["offsets"].append([seg_start, seg_start + len(segment)])
            out["word_ids"].append(word_id)
            word_id += 1
            continue
        for m in GPT2_SPLIT.finditer(segment):
            piece = m.group()
            # Character index of every byte of the piece, to turn byte spans into character spans.
            char_of_byte = [k for k, ch in enumerate(piece) for _ in ch.encode("utf-8")]
            byte_at = 0
            for token in _bpe_word([BYTE_CHARS[b] for b in piece.encode("utf-8")], ranks):
                first, last = byte_at, byte_at + len(token)
                byte_at = last
                lead = len(token) - len(token.lstrip("Ġ"))
                trail = len(token) - len(token.rstrip("Ġ"))
                if lead < len(token):
                    first, last = first + lead, last - trail
                start = seg_start + m.start() + char_of_byte[first]
                end = seg_start + m.start() + char_of_byte[last - 1] + 1
                out["tokens"].append(token)
                out["ids"].append(index[token])
                out["offsets"].append([start, end])
                out["word_ids"].append(word_id)
            word_id += 1
    return out


# ---------------------------------------------------------------- SentencePiece Unigram

ALBERT_SPECIALS = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]


def train_unigram(corpus: list, prefix: str, vocab_size: int) -> spm.SentencePieceProcessor:
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(albert_preprocess(line) for line in corpus), model_prefix=prefix,
        model_type="unigram", vocab_size=vocab_size, character_coverage=1.0, normalization_rule_name="nmt_nfkc",
        pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, control_symbols=["[CLS]", "[SEP]", "[MASK]"],
        num_threads=1, seed_sentencepiece_size=2000, shuffle_input_sentence=False, minloglevel=2)
    return spm.SentencePieceProcessor(model_file=prefix + ".model")


def albert_preprocess(text: str) -> str:
    """AlbertTokenizer.preprocess_text with its defaults (remove_space, keep_accents False, do_lower_case)."""
    out = " ".join(text.strip().split()).replace("``", '"').replace("''", '"')
    out = "".join(c for c in unicodedata.normalize("NFKD", out) if not unicodedata.combining(c))
    return out.lower()


def unigram_tokenizer_json(sp: spm.SentencePieceProcessor, model_file: str) -> dict:
    proto = sentencepiece_model_pb2.ModelProto()
    with open(model_file, "rb") as f:
        proto.ParseFromString(f.read())
    charsmap = base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode("ascii")
    ids = {t: sp.piece_to_id(t) for t in ALBERT_SPECIALS}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(t, ids[t], lstrip=t == "[MASK]") for t in ALBERT_SPECIALS],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Replace", "pattern": {"String": "``"}, "content": '"'},
            {"type": "Replace", "pattern": {"String": "''"}, "content": '"'},
            {"type": "NFKD"},
            {"type": "StripAccents"},
            {"type": "Lowercase"},
            {"type": "Precompiled", "precompiled_charsmap": charsmap},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        ]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"},
            {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        ]},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": ids["<unk>"], "byte_fallback": False,
                  "vocab": [[sp.id_to_piece(i), sp.get_score(i)] for i in range(sp.get_piece_size())]},
    }


def unigram_encode(text: str, sp: spm.SentencePieceProcessor) -> dict:
    """Tokens and ids of one text, without [CLS]/[SEP] (offsets are not compared for Unigram)."""
    out = {"tokens": [], "ids": []}
    for segment, special, _ in split_specials(text, ALBERT_SPECIALS, {"[MASK]"}):
        pieces = [segment] if special else sp.encode(albert_preprocess(segment), out_type=str)
        out["tokens"] += pieces
        out["ids"] += [sp.piece_to_id(p) for p in pieces]
    return out
