"""Self-contained port of Hugging Face's slow `BertTokenizer` (transformers v4.x), build-time only.

Reproduces, without needing `transformers`:
  * PreTrainedTokenizer.tokenize: with do_lower_case, every character outside the special tokens is
    lower-cased on its own (HF does it with `re.sub(r"(specials)|(.+?)")`, one character per match, so
    Python's context rule for a final capital sigma never fires); then the text is split on the special
    tokens, which are kept whole (case-sensitive, leftmost then longest match, like HF's Trie).
  * BasicTokenizer: clean text, space around CJK ideographs, NFC, whitespace split, lower-case and strip
    accents (NFD, drop Mn) per word, split on punctuation.
  * WordpieceTokenizer: greedy longest-match-first with "##", words over 100 code points -> [UNK].
  * encode: [CLS] A [SEP] (B [SEP]), token types 0/1, `longest_first` truncation to max_length.

`fast=True` gives the fast tokenizer's (tokenizer.json, Rust `tokenizers`) behaviour instead, which for
BERT differs in three places only: no NFC; no never_split words (a "[MASK]" that only appears once
control characters are removed is split on its brackets); and its CJK table starts Extension E at
U+2B920 instead of U+2B820.

Usage as a module:
    tok = BertTokenizerRef("vocab.txt", do_lower_case=True)
    tok.tokenize("Hello [MASK]!")            # ['hello', '[MASK]', '!']
    tok.encode("a", "b", max_length=16)     # {'input_ids': ..., 'token_type_ids': ..., 'tokens': ...}
or from the shell:  /usr/bin/python3 hf_bert_tokenizer.py vocab.txt "some text" ["text b"]
"""

import re
import sys
import unicodedata

SPECIAL_TOKEN_NAMES = ("unk_token", "sep_token", "pad_token", "cls_token", "mask_token")


def load_vocab(vocab_file):
    """One token per line; the line number is the id (HF keeps the last id of a repeated token)."""
    vocab = {}
    with open(vocab_file, "r", encoding="utf-8") as f:
        for index, line in enumerate(f.readlines()):
            vocab[line.rstrip("\n")] = index
    return vocab


def is_whitespace(char):
    # \t \n \r are control characters in Unicode, but BERT treats them as spaces.
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def is_control(char):
    # Any C* category (Cc, Cf, Cn, Co, Cs): zero-width joiners, soft hyphens etc. are dropped.
    if char in "\t\n\r":
        return False
    return unicodedata.category(char).startswith("C")


def is_punctuation(char):
    # All non-alphanumeric printable ASCII counts ("$", "^", "`" are not Unicode P*), plus Unicode P*.
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def is_chinese_char(cp, fast=False):
    # CJK Unified Ideographs blocks only; Hangul, Hiragana and Katakana are written with spaces.
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or (0x2B920 if fast else 0x2B820) <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def whitespace_split(text):
    # Python's str.split(): also splits on U+2028/U+2029 and other non-Zs whitespace.
    return text.split()


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def split_on_punctuation(word):
    pieces = []
    start_new = True
    for char in word:
        if is_punctuation(char):
            pieces.append(char)
            start_new = True
        else:
            if start_new:
                pieces.append("")
            start_new = False
            pieces[-1] += char
    return pieces


class BertTokenizerRef:
    def __init__(
        self,
        vocab_file,
        do_lower_case=True,
        strip_accents=None,
        tokenize_chinese_chars=True,
        never_split=None,
        unk_token="[UNK]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        mask_token="[MASK]",
        max_input_chars_per_word=100,
        fast=False,
    ):
        self.vocab = load_vocab(vocab_file)
        self.ids_to_tokens = {i: t for t, i in self.vocab.items()}
        self.do_lower_case = do_lower_case
        self.strip_accents = strip_accents
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.never_split = set(never_split or [])
        self.unk_token = unk_token
        self.sep_token = sep_token
        self.pad_token = pad_token
        self.cls_token = cls_token
        self.mask_token = mask_token
        self.max_input_chars_per_word = max_input_chars_per_word
        self.fast = fast
        self.special_tokens = [getattr(self, name) for name in SPECIAL_TOKEN_NAMES]
        # A special token missing from vocab.txt would get a fresh id past the vocabulary in HF.
        self.added_ids = {}
        for token in self.special_tokens:
            if token not in self.vocab and token not in self.added_ids:
                self.added_ids[token] = len(self.vocab) + len(self.added_ids)

    # ---- PreTrainedTokenizer.tokenize -------------------------------------------------------------
    def tokenize(self, text):
        escaped = "|".join(re.escape(t) for t in self.special_tokens)
        if self.do_lower_case:
            text = re.sub("(" + escaped + ")|(.+?)", lambda m: m.group(1) or m.group(2).lower(), text)
        tokens = []
        for piece in self.split_on_special_tokens(text):
            if piece in self.special_tokens:
                tokens.append(piece)
            else:
                tokens.extend(self._tokenize(piece))
        return tokens

    def split_on_special_tokens(self, text):
        # At each position try the longest special token first; equivalent to HF's Trie for BERT's
        # specials, none of which is a prefix of another.
        by_length = sorted(self.special_tokens, key=len, reverse=True)
        pieces, start, i = [], 0, 0
        while i < len(text):
            match = next((t for t in by_length if text.startswith(t, i)), None)
            if match is None:
                i += 1
                continue
            if i > start:
                pieces.append(text[start:i])
            pieces.append(match)
            i += len(match)
            start = i
        if start < len(text):
            pieces.append(text[start:])
        return pieces

    # ---- BertTokenizer._tokenize ------------------------------------------------------------------
    def _tokenize(self, text):
        out = []
        never_split = set() if self.fast else self.never_split | set(self.special_tokens)
        for word in self.basic_tokenize(text, never_split):
            if word in self.never_split:
                out.append(word)
            else:
                out.extend(self.wordpiece(word))
        return out

    # ---- BasicTokenizer ---------------------------------------------------------------------------
    def basic_tokenize(self, text, never_split):
        text = self.clean_text(text)
        if self.tokenize_chinese_chars:
            text = "".join(f" {c} " if is_chinese_char(ord(c), self.fast) else c for c in text)
        if not self.fast:
            text = unicodedata.normalize("NFC", text)
        split = []
        for word in whitespace_split(text):
            if word not in never_split:
                if self.do_lower_case:
                    word = word.lower()
                    if self.strip_accents is not False:
                        word = strip_accents(word)
                elif self.strip_accents:
                    word = strip_accents(word)
            split.extend([word] if word in never_split else split_on_punctuation(word))
        return whitespace_split(" ".join(split))

    @staticmethod
    def clean_text(text):
        out = []
        for char in text:
            if ord(char) in (0, 0xFFFD) or is_control(char):
                continue
            out.append(" " if is_whitespace(char) else char)
        return "".join(out)

    # ---- WordpieceTokenizer -----------------------------------------------------------------------
    def wordpiece(self, text):
        out = []
        for word in whitespace_split(text):
            if len(word) > self.max_input_chars_per_word:
                out.append(self.unk_token)
                continue
            pieces, start = [], 0
            while start < len(word):
                end = len(word)
                piece = None
                while start < end:
                    candidate = ("##" if start > 0 else "") + word[start:end]
                    if candidate in self.vocab:
                        piece = candidate
                        break
                    end -= 1
                if piece is None:
                    pieces = [self.unk_token]
                    break
                pieces.append(piece)
                start = end
            out.extend(pieces)
        return out

    # ---- ids and model inputs ---------------------------------------------------------------------
    def convert_tokens_to_ids(self, tokens):
        unk = self.vocab.get(self.unk_token, self.added_ids.get(self.unk_token))
        return [self.added_ids[t] if t in self.added_ids else self.vocab.get(t, unk) for t in tokens]

    def encode(self, text_a, text_b=None, max_length=None):
        """HF `tokenizer(text_a, text_b, truncation=True, max_length=max_length)` (longest_first)."""
        a = self.tokenize(text_a)
        b = self.tokenize(text_b) if text_b is not None else None
        if max_length is not None:
            a, b = truncate_longest_first(a, b, max_length)
        tokens = [self.cls_token] + a + [self.sep_token]
        token_type_ids = [0] * len(tokens)
        if b is not None:
            tokens += b + [self.sep_token]
            token_type_ids += [1] * (len(b) + 1)
        return {"input_ids": self.convert_tokens_to_ids(tokens), "token_type_ids": token_type_ids, "tokens": tokens}


def truncate_longest_first(a, b, max_length):
    """HF truncate_sequences: a single sequence loses its tail only if something of it remains (else HF
    logs an error and leaves it whole); a pair loses one token at a time from the longer one, B on ties."""
    specials = 2 if b is None else 3
    to_remove = len(a) + (len(b) if b is not None else 0) + specials - max_length
    if to_remove <= 0:
        return a, b
    if b is None:
        return (a[:-to_remove], b) if len(a) > to_remove else (a, b)
    a, b = list(a), list(b)
    for _ in range(to_remove):
        if len(a) > len(b):
            a.pop()
        elif b:
            b.pop()
    return a, b


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: hf_bert_tokenizer.py VOCAB_TXT TEXT_A [TEXT_B]")
    tok = BertTokenizerRef(sys.argv[1])
    print(tok.encode(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
