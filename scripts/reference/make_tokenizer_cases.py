"""Writes the tokenizer fixtures in tests/fixtures/tokenizer/:

  vocab_uncased.txt, vocab_cased.txt   two small BERT vocabularies (specials at BERT-like ids, common
                                       English words from WordNet, wordpieces, accented words, CJK,
                                       Hangul syllables and jamo, Greek, Cyrillic, digits, emoji)
  tokenizer_uncased.json,              the two vocabularies as `tokenizers` (fast) tokenizer.json files
  tokenizer_cased.json
  cases.json                           tricky texts x tokenizer settings, with the reference tokens,
                                       input_ids and token_type_ids of hf_bert_tokenizer.py

Run with Debian's Python (no third-party packages needed):
    /usr/bin/python3 -m scripts.reference.make_tokenizer_cases
"""

import json
import os
import unicodedata

from scripts.reference.hf_bert_tokenizer import BertTokenizerRef

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fixtures", "tokenizer")
WORDNET = "/usr/share/wordnet"

# BERT's layout: [PAD] first, unused slots, then [UNK] [CLS] [SEP] [MASK].
SPECIALS = ["[PAD]"] + [f"[unused{i}]" for i in range(5)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]

SUFFIXES = "s es ed ing ly er ers est ness ment tion tions able ible al ial ous ful less ity ize ise ist ism y ie"
SUFFIXES = SUFFIXES.split()
EXTRA_PIECES = ["##aff", "##able", "##ffa", "##bar", "##foo", "##ab", "##cd", "##ß"]
# Words the cases below rely on, beyond WordNet's commonest.
EXTRA_WORDS = (
    "hello world the un foo bar baz cafe naive resume strasse fiance elite uber zurich munchen "
    "istanbul ok don t it s we re co op e mail mask cls sep pad unk a b c x y z is of to in and how are "
    "you were was be am this that what for on with as at by from his her they"
).split()
ACCENTED = "café naïve résumé straße fiancé élite über zürich münchen istanbul ﬁ".split()
CASED_WORDS = "Hello World The Paris Berlin München Zürich Café İstanbul ΟΔΟΣ I US NASA".split()
GREEK = "α β γ δ ε ο σ ς ι ν ά έ ί ό οδος οδοσ ελλάδα αθήνα Σ Α Ο Δ".split()
CYRILLIC = "п р и в е т мир привет москва".split()
# Ext. B, and the first code points of Ext. E as Python (U+2B820) and Rust (U+2B920) each see it.
CJK = "中 国 人 日 本 语 文 字 我 你 好 的 是 学 生 大 小 山 水 火 豈 \U00020000 \U0002B820 \U0002B920".split()
HANGUL = "한 국 어 안 녕 하 세 요 한국어 안녕".split()
EMOJI = ["😀", "👍", "❤"]
ASTRAL = ["\U0001D538"]  # MATHEMATICAL DOUBLE-STRUCK CAPITAL A: 2 UTF-16 units, no case, no decomposition


def common_words(n):
    """The n WordNet lemmas (plain a-z, 2-10 letters) with the most tagged senses."""
    counts = {}
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WORDNET, f"index.{pos}"), encoding="utf-8") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                fields = line.split()
                lemma = fields[0]
                if not (lemma.isascii() and lemma.isalpha() and lemma.islower() and 2 <= len(lemma) <= 10):
                    continue
                p_cnt = int(fields[3])
                tagsense = int(fields[5 + p_cnt])
                counts[lemma] = counts.get(lemma, 0) + tagsense
    return sorted(counts, key=lambda w: (-counts[w], w))[:n]


def hangul_jamo():
    # What NFD makes of Hangul syllables: leading consonants, vowels and trailing consonants.
    jamo = [chr(c) for c in range(0x1100, 0x1113)] + [chr(c) for c in range(0x1161, 0x1176)]
    jamo += [chr(c) for c in range(0x11A8, 0x11C3)]
    return jamo + ["##" + j for j in jamo]


def build_vocab(cased):
    ascii_chars = [chr(c) for c in range(33, 127) if cased or not chr(c).isupper()]
    letters = [c for c in ascii_chars if c.isalnum()]
    words = common_words(2500) + EXTRA_WORDS
    tokens = list(SPECIALS) + ascii_chars + ["##" + c for c in letters]
    tokens += ["##" + s for s in SUFFIXES] + EXTRA_PIECES
    tokens += [str(n) for n in (10, 100, 2024, 42)]
    tokens += words + CJK + hangul_jamo() + HANGUL + EMOJI + ASTRAL + ["##" + a for a in ASTRAL]
    tokens += GREEK + CYRILLIC + ["##" + c for c in "σςοδ"]
    tokens += ["é", "ü", "ñ", "ç", "ß", "##é", "##ü", "##ß", "ı", "i̇"]
    tokens += ["¿", "¡", "«", "»", "—", "…", "·", "、", "。", "！"]
    tokens += ["ｈｅｌｌｏ", "ｈ", "##ｅ", "##ｌ", "##ｏ"]
    if cased:
        tokens += ACCENTED + CASED_WORDS + [w.capitalize() for w in words[:300]]
        tokens += ["É", "Ü", "Ö", "Ä", "İ", "I", "Σ", "ΟΔΟ", "##Σ", "ﬁ", "Ω", "Å", "e\u0301"]
    seen, vocab = set(), []
    for t in tokens:
        if t not in seen:
            seen.add(t)
            vocab.append(t)
    return vocab


def cases():
    """(name, text_a, text_b, max_length)."""
    singles = [
        ("plain", "Hello world!"),
        ("wordpieces", "unaffable"),
        ("wordpieces_suffix", "The walkers were walking quickly."),
        ("empty", ""),
        ("only_spaces", "   \t\n  "),
        ("accents", "Café naïve résumé fiancé élite"),
        ("accents_upper", "CAFÉ NAÏVE ÉLITE"),
        ("decomposed_accent", "cafe\u0301 e\u0301lite"),
        ("combining_only", "\u0301\u0301 x\u0308"),
        ("combining_order", "a\u0323\u0301 q\u0307\u0323"),
        # NFC reorders the trailing dot below across 40 acutes (beyond Unicode's stream-safe 30).
        ("combining_beyond_stream_safe", "x e" + "\u0301" * 40 + " a" + "\u0301" * 40 + "\u0323 y"),
        ("german_sharp_s", "Straße STRASSE straße ẞ"),
        ("german_umlaut", "München über Zürich"),
        ("greek_final_sigma", "ΟΔΟΣ οδος ΟΔΟΣ."),
        ("greek_sigma_alone", "Σ ΣΑ ΑΣ"),
        ("greek_tonos", "Ελλάδα ΑΘΗΝΑ αθήνα"),
        ("turkish_dotted_i", "İstanbul İ i̇ ı I"),
        ("cyrillic", "Привет, мир! МОСКВА"),
        ("cjk", "我是学生。中国人"),
        ("cjk_mixed", "hello中国world 日本语"),
        ("cjk_ext_b", "\U00020000\U00020001"),
        ("cjk_ext_e_start", "a\U0002B820b \U0002B920"),
        ("cjk_compat", "豈\uF900\uFA0E"),
        ("hangul", "한국어 안녕하세요"),
        ("hangul_jamo_seq", "\u1112\u1161\u11ab\u1100\u116e\u11a8"),
        ("japanese_kana", "ひらがな カタカナ ｶﾀｶﾅ"),
        ("emoji", "I ❤ BERT 😀👍"),
        ("emoji_zwj", "family 👨\u200d👩\u200d👧 done"),
        ("emoji_skin_tone", "👍🏽 ok"),
        ("emoji_vs16", "❤\ufe0f love"),
        ("punct_run", "Wait...what?!?"),
        ("punct_ascii_symbols", "$100 ^caret^ `tick` ~tilde~ a+b=c <x> |y|"),
        ("punct_unicode", "«quoted» ¿qué? ¡sí! — dash… ellipsis · dot"),
        ("cjk_punct", "你好！我是、学生。"),
        ("apostrophes", "don't it's we're I'm"),
        ("hyphen_email", "e-mail co-op foo@bar.baz"),
        ("digits", "2024 100 42 3.14 1,000,000"),
        ("mask_in_text", "Paris is the [MASK] of France."),
        ("mask_glued", "foo[MASK]bar"),
        ("mask_lowercase", "foo [mask] bar"),
        ("mask_mixed_case", "[Mask] [MASK][MASK]"),
        ("mask_partial", "[MASKED] [MAS K]"),
        ("specials_in_text", "[CLS] a [SEP] b [PAD] [UNK]"),
        ("special_split_by_zwsp", "[MA\u200bSK] x"),
        ("special_split_by_nul", "[CL\x00S] y"),
        ("control_chars", "a\x01b\x07c\x1bd\x7fe"),
        ("nul", "nul\x00here"),
        ("replacement_char", "bad\ufffdbyte"),
        ("zero_width_space", "zero\u200bwidth"),
        ("zero_width_joiner", "zw\u200dj zw\u200cnj"),
        ("soft_hyphen", "soft\u00adhyphen"),
        ("bom", "\ufeffbom start"),
        ("word_joiner", "word\u2060joiner"),
        ("bidi_marks", "left\u200eright\u200fmark \u202aembed\u202c"),
        ("tabs_newlines", "tab\there\nnew\r\nline\rcr"),
        ("vertical_tab_form_feed", "vt\x0bff\x0cend"),
        ("nel_line_sep", "nel\x85ls\u2028ps\u2029end"),
        ("nbsp_and_wide_spaces", "a\u00a0b\u2003c\u3000d\u202fe\u205ff"),
        ("ideographic_space", "中\u3000国"),
        ("ligature", "ﬁne ﬂow ﬃ"),
        ("fullwidth", "ｈｅｌｌｏ ＡＢＣ １２３！"),
        ("ohm_angstrom", "Ω Å Ω Å"),
        ("rtl_hebrew", "שלום עולם"),
        ("rtl_arabic", "مرحبا بالعالم، كيف حالك؟"),
        ("devanagari", "नमस्ते दुनिया"),
        ("thai", "สวัสดีครับ"),
        ("long_word_100", "a" * 100),
        ("long_word_101", "a" * 101),
        ("long_word_unk_pieces", "x" * 150 + " ok"),
        ("long_astral_60", "\U0001D538" * 60),
        ("long_astral_101", "\U0001D538" * 101),
        ("long_accented_101", "e\u0301" * 101),
        ("long_mixed", "hello " + "ab" * 60 + " world"),
        ("unknown_word", "qwxzv jjjj"),
        ("mixed_case_words", "HeLLo WoRLD tHe"),
        ("uppercase_sentence", "THE QUICK BROWN FOX"),
        ("math_symbols", "∑ x² ≤ ∞ ± √2"),
        ("currency", "€5 £3 ¥100 ₹20"),
        ("url", "https://example.com/path?q=1&x=2#frag"),
        ("code", "def f(x): return x**2  # comment"),
        ("quotes_curly", "\u201cquoted\u201d \u2018single\u2019"),
        ("repeated_spaces", "  many     spaces   here  "),
        ("surrogate_pair_punct", "a\U0001F600b"),
        ("private_use", "pua\ue000char"),
        ("variation_selector", "x\ufe00y"),
        ("enclosing_mark", "1\u20e3 keycap"),
    ]
    out = [(name, a, None, None) for name, a in singles]
    out += [
        ("pair_plain", "How old are you?", "I am six.", None),
        ("pair_empty_b", "Hello world", "", None),
        ("pair_empty_a", "", "Hello world", None),
        ("pair_mask", "The [MASK] sat.", "On the mat.", None),
        ("pair_cjk", "中国", "日本", None),
        ("trunc_single", "the quick brown fox jumps over the lazy dog", None, 6),
        ("trunc_single_exact", "hello world", None, 4),
        ("trunc_single_one_left", "hello world again", None, 3),
        ("trunc_single_no_cut", "hello", None, 10),
        ("trunc_pair_longest_a", "one two three four five six seven", "eight", 8),
        ("trunc_pair_longest_b", "one", "two three four five six seven eight", 8),
        ("trunc_pair_tie", "one two three", "four five six", 7),
        ("trunc_pair_both", "one two three four", "five six seven eight", 5),
        ("trunc_pair_to_empty", "one two", "three", 3),
        ("trunc_pair_wordpieces", "unaffable walkers", "quickly walking", 6),
    ]
    return out


CONFIGS = {
    "uncased": dict(vocab="vocab_uncased.txt", do_lower_case=True, strip_accents=None, tokenize_chinese_chars=True),
    "cased": dict(vocab="vocab_cased.txt", do_lower_case=False, strip_accents=None, tokenize_chinese_chars=True),
    "uncased_keep_accents": dict(
        vocab="vocab_cased.txt", do_lower_case=True, strip_accents=False, tokenize_chinese_chars=True
    ),
    "no_chinese_split": dict(
        vocab="vocab_uncased.txt", do_lower_case=True, strip_accents=None, tokenize_chinese_chars=False
    ),
    "uncased_fast": dict(
        vocab="vocab_uncased.txt", do_lower_case=True, strip_accents=None, tokenize_chinese_chars=True, fast=True
    ),
    "cased_fast": dict(
        vocab="vocab_cased.txt", do_lower_case=False, strip_accents=None, tokenize_chinese_chars=True, fast=True
    ),
}


def tokenizer_json(vocab, lowercase):
    """A vocabulary in the `tokenizers` serialization that bert-base-(un)cased ships."""
    specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
    ids = {t: i for i, t in enumerate(vocab)}
    special = lambda t: {"id": t, "type_id": 0}  # noqa: E731
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for t in vocab if t in specials
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": special("[CLS]")}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": special("[SEP]")}],
            "pair": [{"SpecialToken": special("[CLS]")}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": special("[SEP]")}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    vocabs = {"vocab_uncased.txt": build_vocab(cased=False), "vocab_cased.txt": build_vocab(cased=True)}
    for name, vocab in vocabs.items():
        with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(t + "\n" for t in vocab))
    for kind in ("uncased", "cased"):
        with open(os.path.join(OUT, f"tokenizer_{kind}.json"), "w", encoding="utf-8") as f:
            json.dump(tokenizer_json(vocabs[f"vocab_{kind}.txt"], lowercase=kind == "uncased"), f, ensure_ascii=False)

    tokenizers = {}
    for name, cfg in CONFIGS.items():
        kwargs = {k: v for k, v in cfg.items() if k != "vocab"}
        tokenizers[name] = BertTokenizerRef(os.path.join(OUT, cfg["vocab"]), **kwargs)
    records = []
    for name, a, b, max_length in cases():
        expected = {}
        for cfg_name, tok in tokenizers.items():
            enc = tok.encode(a, b, max_length=max_length)
            expected[cfg_name] = {k: enc[k] for k in ("tokens", "input_ids", "token_type_ids")}
        records.append({"name": name, "a": a, "b": b, "max_length": max_length, "expected": expected})
    names = [r["name"] for r in records]
    assert len(set(names)) == len(names), "case names must be unique"
    fixture = {
        "generator": "scripts/reference/make_tokenizer_cases.py",
        "unicode_version": unicodedata.unidata_version,
        "configs": CONFIGS,
        "cases": records,
    }
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=True, indent=1)
        f.write("\n")
    sizes = {k: len(v) for k, v in vocabs.items()}
    print(f"wrote {len(records)} cases x {len(CONFIGS)} configs, vocab sizes {sizes} to {OUT}")


if __name__ == "__main__":
    main()
