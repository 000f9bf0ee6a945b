"""A small lower-case WordPiece vocabulary and the BertTokenizer steps needed for the fixture texts.

Covers what HF's BertTokenizer does for ASCII-ish text: special tokens kept whole, lower-casing with accent
stripping, whitespace and punctuation splitting, greedy longest-match-first WordPiece, [UNK] for a word that
cannot be pieced together. It is not a general tokenizer (no CJK handling, no control-character cleanup).
"""

import string
import unicodedata

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

_WORDS = """
the of and to a in is it you that he was for on are with as i his they be at one have this from or had by
not word but what some we can out other were all there when up use your how said an each she which do their
time if will way about many then them write would like so these her long make thing see him two has look
more day could go come did number sound no most people my over know water than call first who may down side
been now find any new work part take get place made live where after back little only round man year came
show every good me give our under name very through just form sentence great think say help low line differ
turn cause much mean before move right boy old too same tell does set three want air well also play small
end put home read hand port large spell add even land here must big high such follow act why ask men change
went light kind off need house picture try us again animal point mother world near build self earth father
head stand own page should country found answer school grow study still learn plant cover food sun four
between state keep eye never last let thought city tree cross farm hard start might story saw far sea draw
left late run while press close night real life few north open seem together next white children begin got
walk example ease paper group always music those both mark often letter until mile river car feet care
second book carry took science eat room friend began idea fish mountain stop once base hear horse cut sure
watch color face wood main enough plain girl usual young ready above ever red list though feel talk bird
soon body dog family direct pose leave song measure door product black short numeral class wind question
happen complete ship area half rock order fire south problem piece told knew pass since top whole king space
heard best hour better true during hundred five remember step early hold west ground interest reach fast
verb sing listen six table travel less morning ten simple several vowel toward war lay against pattern slow
center love person money serve appear road map rain rule govern pull cold notice voice unit power town fine
certain fly fall lead cry dark machine note wait plan figure star box noun field rest correct able pound
done beauty drive stood contain front teach week final gave green oh quick develop ocean warm free minute
strong special mind behind clear tail produce fact street inch multiply nothing course stay wheel full force
blue object decide surface deep moon island foot system busy test record boat common gold possible plane
stead dry wonder laugh thousand ago ran check game shape equate hot miss brought heat snow tire bring yes
distant fill east paint language among cat mat sat fox brown lazy jumps sleeping
""".split()

_SUFFIXES = "s es ed ing ly er est ness ful less able tion ment y al ity ous ive ize".split()


def build_vocab() -> list:
    """Specials, punctuation, digits, letters, whole words, then `##` continuation pieces (no duplicates)."""
    tokens = list(SPECIAL_TOKENS)
    tokens += list(string.punctuation) + list(string.digits) + list(string.ascii_lowercase)
    tokens += _WORDS
    tokens += ["##" + s for s in _SUFFIXES] + ["##" + c for c in string.ascii_lowercase + string.digits]
    seen = set()
    unique = [t for t in tokens if not (t in seen or seen.add(t))]
    return unique


def _is_punctuation(ch: str) -> bool:
    # BertTokenizer treats every non-alphanumeric printable ASCII character as punctuation.
    return ch in string.punctuation or unicodedata.category(ch).startswith("P")


def _basic_tokenize(text: str) -> list:
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    words = []
    for chunk in text.split():
        current = ""
        for ch in chunk:
            if _is_punctuation(ch):
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


def _wordpiece(word: str, vocab: dict) -> list:
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def tokenize(text: str, vocab: dict) -> list:
    tokens = []
    # Special tokens written in the text stay whole (HF splits on them before basic tokenization).
    parts = [text]
    for special in SPECIAL_TOKENS:
        parts = [seg for part in parts for seg in _split_keep(part, special)]
    for part in parts:
        if part in SPECIAL_TOKENS:
            tokens.append(part)
        else:
            for word in _basic_tokenize(part):
                tokens += _wordpiece(word, vocab)
    return tokens


def _split_keep(text: str, sep: str) -> list:
    if text == sep or sep not in text:
        return [text]
    out = []
    for i, seg in enumerate(text.split(sep)):
        if i:
            out.append(sep)
        if seg:
            out.append(seg)
    return out


def encode(text_a: str, text_b: str | None, vocab: dict) -> dict:
    """`[CLS] A [SEP] (B [SEP])` with token_type 0 for the first segment and 1 for B."""
    a = tokenize(text_a, vocab)
    tokens = ["[CLS]"] + a + ["[SEP]"]
    token_type_ids = [0] * len(tokens)
    if text_b is not None:
        b = tokenize(text_b, vocab)
        tokens += b + ["[SEP]"]
        token_type_ids += [1] * (len(b) + 1)
    return {"tokens": tokens, "input_ids": [vocab[t] for t in tokens], "token_type_ids": token_type_ids}
