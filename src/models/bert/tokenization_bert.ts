// BERT WordPiece tokenization, token for token what Hugging Face produces for the same files, with the
// span of the original text behind every token.
//
// From vocab.txt (+ tokenizer_config.json) it reproduces the slow `BertTokenizer` of transformers v4:
//   1. with do_lower_case, every character outside the special tokens is lower-cased on its own (HF
//      runs `re.sub("(specials)|(.+?)", ...)`, one character per match, so a capital sigma always
//      becomes "σ", never the word-final "ς");
//   2. the text is split on the special/added tokens, which stay whole (case-sensitive);
//   3. BasicTokenizer: drop NUL, U+FFFD and control/format characters, whitespace -> space, spaces
//      around CJK ideographs, NFC, split on whitespace, strip accents (NFD, drop Mn), split off
//      punctuation; words equal to a never_split token are left alone;
//   4. WordPiece: greedy longest match with "##", a word over 100 code points becomes [UNK].
// From tokenizer.json it reproduces `BertTokenizerFast` (Rust `tokenizers`), which for BERT differs
// in exactly three ways: no NFC, no never_split words, and its CJK table starts Extension E at
// U+2B920 instead of U+2B820.
//
// Every step works on code points that remember which UTF-16 span of the input they came from, so
// the offsets survive lower-casing (İ -> i + U+0307), composition (e + U+0301 -> é) and
// decomposition. Categories come from the JS engine's Unicode tables, which may be newer than
// Python's (characters assigned after Python's `unicodedata` version can tokenize differently).

import { isObject, JsonFields } from '../checkpoint/json';
import { ModelError } from '../errors';
import type { TextTokenizer } from '../shared/text_model';
import type { BertEncoding } from '../types';

/** One code point of the text being normalized and the span [start, end) of the input it came from. */
interface Char {
  c: string;
  start: number;
  end: number;
}

/** Slow = transformers' Python BertTokenizer; fast = tokenizers' Rust BertTokenizerFast. */
export type BertTokenizerFlavor = 'slow' | 'fast';

export interface BertTokenizerOptions {
  /** Token of each id, in id order (vocab.txt line order). */
  vocab: string[];
  flavor: BertTokenizerFlavor;
  doLowerCase: boolean;
  /** null: follow doLowerCase, as the original BERT did. */
  stripAccents: boolean | null;
  tokenizeChineseChars: boolean;
  /** Only the fast tokenizer can switch text cleaning off. */
  cleanText: boolean;
  /** Words the slow BasicTokenizer must neither lower-case, strip nor split. */
  neverSplit: string[];
  unkToken: string;
  sepToken: string;
  padToken: string;
  clsToken: string;
  maskToken: string;
  /** Tokens cut out of the text before normalization, with their ids (besides the five above). */
  addedTokens: Map<string, number>;
  maxInputCharsPerWord: number;
  continuingSubwordPrefix: string;
  /** Default truncation length for `encode` (total, special tokens included); null: none. */
  maxLength: number | null;
}

export interface BertTokenization {
  tokens: string[];
  /** Half-open UTF-16 span of the input text behind each token. */
  offsets: [number, number][];
  /** Index of the whitespace/punctuation-split word (or in-text special token) of each token. */
  word_ids: number[];
}

/**
 * Longest text encode takes, in UTF-16 code units. Tokenizing costs time and memory per character
 * (about 4 s and 400 MB per million here), while a model reads at most a few hundred tokens.
 */
export const MAX_TEXT_CHARS = 2 ** 19;

const CONTROL = /^\p{C}$/u;
const SPACE_SEPARATOR = /^\p{Zs}$/u;
const WHITE_SPACE = /^\p{White_Space}$/u;
const PUNCTUATION = /^\p{P}$/u;
const NONSPACING_MARK = /^\p{Mn}$/u;

// Python's str.split() and Rust's char::is_whitespace agree on every character that survives cleaning.
const isSplitSpace = (c: string): boolean => WHITE_SPACE.test(c);

// \t \n \r are control characters in Unicode, but BERT treats them as spaces.
const isWhitespace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || SPACE_SEPARATOR.test(c);

// Any C* category (Cc, Cf, Cs, Co, Cn): zero-width (non-)joiners, soft hyphens and BOMs vanish.
const isControl = (c: string): boolean => c !== '\t' && c !== '\n' && c !== '\r' && CONTROL.test(c);

// All printable non-alphanumeric ASCII counts ("$", "^", "`" are not Unicode P*), plus Unicode P*.
function isPunctuation(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  return PUNCTUATION.test(c);
}

// CJK Unified Ideographs blocks only; Hangul, Hiragana and Katakana are written with spaces.
function isChineseChar(cp: number, flavor: BertTokenizerFlavor): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= (flavor === 'fast' ? 0x2b920 : 0x2b820) && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function toChars(text: string): Char[] {
  const chars: Char[] = [];
  let i = 0;
  for (const c of text) {
    chars.push({ c, start: i, end: i + c.length });
    i += c.length;
  }
  return chars;
}

const join = (chars: Char[]): string => chars.map((ch) => ch.c).join('');

/** Every code point of `text`, all carrying the span [start, end). */
const spread = (text: string, start: number, end: number): Char[] => Array.from(text, (c) => ({ c, start, end }));

/**
 * Unicode normalization that keeps the spans: characters that normalize on their own keep their
 * span; where characters combine (e + U+0301) or reorder, the smallest run that normalizes
 * independently of its neighbours shares the run's span.
 */
function normalizeAligned(chars: Char[], form: 'NFC' | 'NFD'): Char[] {
  const text = join(chars);
  const full = text.normalize(form);
  if (full === text) return chars;
  const each = chars.map((ch) => ch.c.normalize(form));
  if (each.join('') === full) return chars.flatMap((ch, i) => spread(each[i], ch.start, ch.end));

  const norm = (from: number, to: number) => join(chars.slice(from, to)).normalize(form);
  const spanOf = (run: Char[]) =>
    run.reduce(([start, end], ch) => [Math.min(start, ch.start), Math.max(end, ch.end)], [Infinity, -Infinity]);
  // Whether the run may end before chars[b] is decided from the next few characters only, which keeps
  // long words linear: Unicode's stream-safe limit is 30 combining marks in a row.
  const lookahead = 32;
  const out: Char[] = [];
  for (let a = 0; a < chars.length; ) {
    let b = a + 1;
    while (b < chars.length) {
      const c = Math.min(chars.length, b + lookahead);
      if (norm(a, b) + norm(b, c) === norm(a, c)) break;
      b += 1;
    }
    const [start, end] = spanOf(chars.slice(a, b));
    out.push(...spread(norm(a, b), start, end));
    a = b;
  }
  if (join(out) === full) return out;
  // Beyond the stream-safe limit: exact text, one span for the whole word.
  const [start, end] = spanOf(chars);
  return spread(full, start, end);
}

/** Splits at whitespace, dropping it. */
function splitOnSpace(chars: Char[]): Char[][] {
  const words: Char[][] = [];
  let word: Char[] = [];
  for (const ch of chars) {
    if (isSplitSpace(ch.c)) {
      if (word.length > 0) words.push(word);
      word = [];
    } else {
      word.push(ch);
    }
  }
  if (word.length > 0) words.push(word);
  return words;
}

/** Every punctuation character becomes a word of its own. */
function splitOnPunctuation(word: Char[]): Char[][] {
  const pieces: Char[][] = [];
  let startNew = true;
  for (const ch of word) {
    if (isPunctuation(ch.c)) {
      pieces.push([ch]);
      startNew = true;
    } else {
      if (startNew) pieces.push([]);
      startNew = false;
      pieces[pieces.length - 1].push(ch);
    }
  }
  return pieces;
}

export class BertTokenizer implements TextTokenizer {
  readonly kind = 'wordpiece';
  readonly vocabSize: number;
  readonly flavor: BertTokenizerFlavor;
  readonly unkToken: string;
  readonly unkTokenId: number;
  readonly sepToken: string;
  readonly sepTokenId: number;
  readonly padToken: string;
  readonly padTokenId: number;
  readonly clsToken: string;
  readonly clsTokenId: number;
  readonly maskToken: string;
  readonly maskTokenId: number;
  /** Default truncation length of `encode`; null when neither the tokenizer nor the model sets one. */
  readonly maxLength: number | null;

  private readonly idsToTokens: string[];
  private readonly vocab: Map<string, number>;
  private readonly options: BertTokenizerOptions;
  /** Special and added tokens, longest first, so that the longest one starting at a position wins. */
  private readonly noSplitTokens: string[];
  private readonly addedIds: Map<string, number>;
  private readonly basicNeverSplit: Set<string>;

  constructor(options: BertTokenizerOptions) {
    if (options.vocab.length === 0) {
      throw new ModelError('malformed', 'The BERT vocabulary (vocab.txt or tokenizer.json model.vocab) is empty.');
    }
    this.options = options;
    this.flavor = options.flavor;
    this.idsToTokens = options.vocab;
    this.vocabSize = options.vocab.length;
    // A token listed twice keeps its last id, as HF's load_vocab does.
    this.vocab = new Map(options.vocab.map((token, id) => [token, id]));
    this.addedIds = new Map(options.addedTokens);
    const specials = [options.unkToken, options.sepToken, options.padToken, options.clsToken, options.maskToken];
    for (const token of specials) {
      const id = this.addedIds.get(token) ?? this.vocab.get(token);
      if (id === undefined) {
        throw new ModelError('malformed', `The BERT vocabulary has no special token "${token}".`);
      }
      this.addedIds.set(token, id);
    }
    this.noSplitTokens = [...this.addedIds.keys()].filter((t) => t.length > 0).sort((x, y) => y.length - x.length);
    this.basicNeverSplit = new Set(options.flavor === 'slow' ? [...options.neverSplit, ...specials] : []);
    this.unkToken = options.unkToken;
    this.unkTokenId = this.addedIds.get(options.unkToken)!;
    this.sepToken = options.sepToken;
    this.sepTokenId = this.addedIds.get(options.sepToken)!;
    this.padToken = options.padToken;
    this.padTokenId = this.addedIds.get(options.padToken)!;
    this.clsToken = options.clsToken;
    this.clsTokenId = this.addedIds.get(options.clsToken)!;
    this.maskToken = options.maskToken;
    this.maskTokenId = this.addedIds.get(options.maskToken)!;
    this.maxLength = options.maxLength;
  }

  /**
   * Builds the tokenizer the way `AutoTokenizer.from_pretrained` would pick it: tokenizer.json (fast)
   * when present, else vocab.txt (slow). tokenizer_config.json keys that are present override the
   * matching tokenizer.json normalizer fields, as BertTokenizerFast does; keys it leaves out keep the
   * tokenizer.json values (BertTokenizerFast would impose its own defaults there, lower-casing a cased
   * tokenizer.json that comes without do_lower_case). `modelConfig` (config.json) caps the default
   * truncation length at max_position_embeddings and must have room for every token id.
   */
  static fromFiles(
    files: { vocab?: string; tokenizerJson?: string; tokenizerConfig?: string },
    modelConfig?: { max_position_embeddings?: number; vocab_size?: number },
  ): BertTokenizer {
    const config = JsonFields.parse(files.tokenizerConfig ?? '{}', 'tokenizer_config.json');
    let options: BertTokenizerOptions;
    if (files.tokenizerJson !== undefined) {
      options = optionsFromTokenizerJson(JsonFields.parse(files.tokenizerJson, 'tokenizer.json'));
    } else if (files.vocab !== undefined) {
      options = { ...defaultOptions(), vocab: parseVocabTxt(files.vocab) };
    } else {
      throw new ModelError('not_found', 'A BERT tokenizer needs vocab.txt or tokenizer.json.');
    }
    options = applyTokenizerConfig(options, config);
    options.maxLength = minLength(options.maxLength, modelConfig?.max_position_embeddings ?? null);
    const tokenizer = new BertTokenizer(options);
    const modelVocabSize = modelConfig?.vocab_size ?? null;
    // A loop, not Math.max(...ids): a spread of ~125k added tokens overflows the call stack.
    let largestId = tokenizer.vocabSize - 1;
    for (const id of tokenizer.addedIds.values()) largestId = Math.max(largestId, id);
    if (modelVocabSize !== null && largestId >= modelVocabSize) {
      throw new ModelError(
        'mismatch',
        `The tokenizer has ids up to ${largestId}, but config.json has vocab_size ${modelVocabSize}.`,
      );
    }
    return tokenizer;
  }

  idToToken(id: number): string {
    const token = this.idsToTokens[id];
    if (token === undefined) {
      const added = [...this.addedIds].find(([, addedId]) => addedId === id);
      if (added) return added[0];
      throw new ModelError('mismatch', `Token id ${id} is outside the vocabulary (size ${this.vocabSize}).`);
    }
    return token;
  }

  isAddedSpecial(id: number): boolean {
    return id === this.clsTokenId || id === this.sepTokenId;
  }

  /** Ids of the special tokens ([PAD], [UNK], [CLS], [SEP], [MASK]) and of every added token. */
  specialIds(): number[] {
    return [...new Set(this.addedIds.values())];
  }

  tokenToId(token: string): number | undefined {
    return this.addedIds.get(token) ?? this.vocab.get(token);
  }

  /** WordPiece tokens of one text, without [CLS]/[SEP]. */
  tokenize(text: string): BertTokenization {
    const chars = this.options.doLowerCase ? this.lowerCaseOutsideAddedTokens(toChars(text)) : toChars(text);
    const out: BertTokenization = { tokens: [], offsets: [], word_ids: [] };
    let wordId = 0;
    const push = (token: string, start: number, end: number) => {
      out.tokens.push(token);
      out.offsets.push([start, end]);
      out.word_ids.push(wordId);
    };
    for (const piece of this.splitOnAddedTokens(chars)) {
      if (piece.added !== null) {
        push(piece.added, piece.chars[0].start, piece.chars[piece.chars.length - 1].end);
        wordId += 1;
        continue;
      }
      for (const word of this.basicTokenize(piece.chars)) {
        const text = join(word);
        if (this.options.flavor === 'slow' && this.options.neverSplit.includes(text)) {
          push(text, word[0].start, word[word.length - 1].end);
        } else {
          for (const p of this.wordPiece(word)) push(p.token, p.start, p.end);
        }
        wordId += 1;
      }
    }
    return out;
  }

  /**
   * `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]` (B given, even empty, means a pair, as in HF), cut to
   * `maxLength` tokens in total with HF's `longest_first` strategy.
   */
  encode(textA: string, textB?: string | null, maxLength?: number): BertEncoding {
    const limit = checkedEncodeArgs(textA, textB, maxLength ?? this.maxLength);
    const a = this.tokenize(textA);
    const b = textB == null ? null : this.tokenize(textB);
    const template = b ? '[CLS] A [SEP] B [SEP]' : '[CLS] A [SEP]';
    const [keepA, keepB] = truncateLongestFirst(a.tokens.length, b?.tokens.length ?? null, limit, b ? 3 : 2, template);

    const enc: BertEncoding = {
      tokens: [],
      input_ids: [],
      token_type_ids: [],
      offsets: [],
      segment: [],
      word_ids: [],
      truncated: a.tokens.length - keepA + (b ? b.tokens.length - keepB : 0),
      mask_token: this.maskToken,
      tokenizer: 'wordpiece',
    };
    const special = (token: string, typeId: number) => {
      enc.tokens.push(token);
      enc.input_ids.push(this.tokenToId(token)!);
      enc.token_type_ids.push(typeId);
      enc.offsets.push(null);
      enc.segment.push(-1);
      enc.word_ids.push(null);
    };
    const text = (t: BertTokenization, keep: number, typeId: number) => {
      for (let i = 0; i < keep; i++) {
        enc.tokens.push(t.tokens[i]);
        enc.input_ids.push(this.tokenToId(t.tokens[i]) ?? this.unkTokenId);
        enc.token_type_ids.push(typeId);
        enc.offsets.push(t.offsets[i]);
        enc.segment.push(typeId);
        enc.word_ids.push(t.word_ids[i]);
      }
    };
    special(this.clsToken, 0);
    text(a, keepA, 0);
    special(this.sepToken, 0);
    if (b) {
      text(b, keepB, 1);
      special(this.sepToken, 1);
    }
    return enc;
  }

  private addedTokenAt(chars: Char[], i: number): { token: string; length: number } | null {
    for (const token of this.noSplitTokens) {
      if (!token.startsWith(chars[i].c)) continue;
      let text = '';
      let j = i;
      while (j < chars.length && text.length < token.length) text += chars[j++].c;
      if (text === token) return { token, length: j - i };
    }
    return null;
  }

  private lowerCaseOutsideAddedTokens(chars: Char[]): Char[] {
    const out: Char[] = [];
    for (let i = 0; i < chars.length; ) {
      const added = this.addedTokenAt(chars, i);
      if (added) {
        out.push(...chars.slice(i, i + added.length));
        i += added.length;
      } else {
        const ch = chars[i];
        out.push(...spread(ch.c.toLowerCase(), ch.start, ch.end));
        i += 1;
      }
    }
    return out;
  }

  private splitOnAddedTokens(chars: Char[]): { added: string | null; chars: Char[] }[] {
    const pieces: { added: string | null; chars: Char[] }[] = [];
    let start = 0;
    for (let i = 0; i < chars.length; ) {
      const added = this.addedTokenAt(chars, i);
      if (!added) {
        i += 1;
        continue;
      }
      if (i > start) pieces.push({ added: null, chars: chars.slice(start, i) });
      pieces.push({ added: added.token, chars: chars.slice(i, i + added.length) });
      i += added.length;
      start = i;
    }
    if (start < chars.length) pieces.push({ added: null, chars: chars.slice(start) });
    return pieces;
  }

  private basicTokenize(input: Char[]): Char[][] {
    const { cleanText, tokenizeChineseChars, doLowerCase, stripAccents, flavor } = this.options;
    const chars: Char[] = [];
    for (const ch of input) {
      const cp = ch.c.codePointAt(0)!;
      if (cleanText) {
        if (cp === 0 || cp === 0xfffd || isControl(ch.c)) continue;
        if (isWhitespace(ch.c)) {
          chars.push({ ...ch, c: ' ' });
          continue;
        }
      }
      if (tokenizeChineseChars && isChineseChar(cp, flavor)) {
        chars.push({ ...ch, c: ' ' }, ch, { ...ch, c: ' ' });
      } else {
        chars.push(ch);
      }
    }
    // Lower-casing already happened character by character in tokenize(); HF's second, per-word
    // str.lower() here cannot change lower-case text.
    const strip = doLowerCase ? stripAccents !== false : stripAccents === true;
    const words: Char[][] = [];
    for (const spaced of splitOnSpace(chars)) {
      // Whitespace never composes with its neighbours, so NFC word by word equals NFC of the text.
      let word = flavor === 'slow' ? normalizeAligned(spaced, 'NFC') : spaced;
      if (!this.basicNeverSplit.has(join(word)) && strip) {
        word = normalizeAligned(word, 'NFD').filter((ch) => !NONSPACING_MARK.test(ch.c));
      }
      if (this.basicNeverSplit.has(join(word))) words.push(word);
      else words.push(...splitOnPunctuation(word));
    }
    return words.filter((w) => w.length > 0);
  }

  private wordPiece(word: Char[]): { token: string; start: number; end: number }[] {
    const unknown = [{ token: this.unkToken, start: word[0].start, end: word[word.length - 1].end }];
    if (word.length > this.options.maxInputCharsPerWord) return unknown;
    const pieces: { token: string; start: number; end: number }[] = [];
    for (let start = 0; start < word.length; ) {
      let end = word.length;
      let piece: string | null = null;
      for (; end > start; end--) {
        const candidate = (start > 0 ? this.options.continuingSubwordPrefix : '') + join(word.slice(start, end));
        if (this.vocab.has(candidate)) {
          piece = candidate;
          break;
        }
      }
      if (piece === null) return unknown;
      pieces.push({ token: piece, start: word[start].start, end: word[end - 1].end });
      start = end;
    }
    return pieces;
  }
}

/** Checks `encode`'s arguments (texts from untyped callers, a length from the user) and returns the length limit. */
export function checkedEncodeArgs(textA: unknown, textB: unknown, limit: number | null): number | null {
  if (typeof textA !== 'string' || (textB != null && typeof textB !== 'string')) {
    throw new ModelError('malformed', 'Input texts must be strings.');
  }
  for (const [name, text] of [['A', textA], ['B', textB ?? '']] as const) {
    if (text.length > MAX_TEXT_CHARS) {
      throw new ModelError(
        'unsupported',
        `Text ${name} is ${text.length.toLocaleString('en')} characters long; at most ${MAX_TEXT_CHARS.toLocaleString('en')} are tokenized (the model reads only its first few hundred tokens).`,
      );
    }
  }
  if (limit !== null && (!Number.isSafeInteger(limit) || limit <= 0)) {
    throw new ModelError('malformed', `maxLength must be a positive integer, got ${limit}.`);
  }
  return limit;
}

/**
 * How many tokens of A (length `na`) and B (`nb`, null for one text) survive HF's `longest_first`
 * truncation to `maxLength` tokens (null: no limit) with `specials` added tokens (`template` names them in messages):
 * one token at a time from the longer text, from B on ties. Where HF would give up and return an
 * over-long sequence (a single text that would lose every token, or a pair with no room for its
 * special tokens), this throws instead.
 */
export function truncateLongestFirst(na: number, nb: number | null, maxLength: number | null, specials: number, template: string): [number, number] {
  let [keepA, keepB] = [na, nb ?? 0];
  if (maxLength === null) return [keepA, keepB];
  const toRemove = keepA + keepB + specials - maxLength;
  if (toRemove <= 0) return [keepA, keepB];
  if (nb === null) {
    if (keepA <= toRemove) {
      throw new ModelError('malformed', `maxLength ${maxLength} leaves no room for the text in ${template}.`);
    }
    return [keepA - toRemove, 0];
  }
  if (maxLength < specials) {
    throw new ModelError('malformed', `maxLength ${maxLength} cannot hold ${template}.`);
  }
  for (let i = 0; i < toRemove; i++) {
    if (keepA > keepB) keepA -= 1;
    else keepB -= 1;
  }
  return [keepA, keepB];
}

function defaultOptions(): BertTokenizerOptions {
  return {
    vocab: [],
    flavor: 'slow',
    doLowerCase: true,
    stripAccents: null,
    tokenizeChineseChars: true,
    cleanText: true,
    neverSplit: [],
    unkToken: '[UNK]',
    sepToken: '[SEP]',
    padToken: '[PAD]',
    clsToken: '[CLS]',
    maskToken: '[MASK]',
    addedTokens: new Map(),
    maxInputCharsPerWord: 100,
    continuingSubwordPrefix: '##',
    maxLength: null,
  };
}

/** Python's readlines() with universal newlines: \n, \r\n and \r end a line; a final newline adds no token. */
function parseVocabTxt(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function minLength(x: number | null, y: number | null): number | null {
  if (x === null) return y;
  if (y === null) return x;
  return Math.min(x, y);
}

function optionsFromTokenizerJson(json: JsonFields): BertTokenizerOptions {
  const model = json.object('model');
  const normalizer = json.object('normalizer');
  const preTokenizer = json.object('pre_tokenizer');
  const postProcessor = json.object('post_processor');
  if (model?.get('type') !== 'WordPiece') json.fail('only a WordPiece model can be a BERT tokenizer', 'unsupported');
  if (normalizer?.get('type') !== 'BertNormalizer') json.fail('the normalizer must be a BertNormalizer', 'unsupported');
  if (preTokenizer?.get('type') !== 'BertPreTokenizer') json.fail('the pre-tokenizer must be a BertPreTokenizer', 'unsupported');
  const vocabMap = model.object('vocab');
  if (!vocabMap) return json.fail('model.vocab must map tokens to ids');
  const entries = Object.entries(vocabMap.toJSON());
  const vocab: string[] = new Array<string>(entries.length);
  for (const [token, id] of entries) {
    const valid = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id < entries.length;
    if (!valid || vocab[id] !== undefined) {
      json.fail(`the id of "${token}" (${JSON.stringify(id)}) is not a unique integer below the vocabulary size ${entries.length}`);
    }
    vocab[id] = token;
  }

  const options = { ...defaultOptions(), vocab, flavor: 'fast' as const };
  options.cleanText = normalizer.bool('clean_text', true);
  options.tokenizeChineseChars = normalizer.bool('handle_chinese_chars', true);
  options.doLowerCase = normalizer.bool('lowercase', true);
  options.stripAccents = normalizer.optionalBool('strip_accents');
  options.unkToken = model.string('unk_token', options.unkToken);
  options.continuingSubwordPrefix = model.string('continuing_subword_prefix', options.continuingSubwordPrefix);
  options.maxInputCharsPerWord = model.optionalInt('max_input_chars_per_word') ?? options.maxInputCharsPerWord;

  if (postProcessor?.get('type') === 'BertProcessing') {
    const [cls, sep] = [postProcessor.get('cls'), postProcessor.get('sep')];
    if (Array.isArray(cls) && typeof cls[0] === 'string') options.clsToken = cls[0];
    if (Array.isArray(sep) && typeof sep[0] === 'string') options.sepToken = sep[0];
  } else if (postProcessor?.get('type') === 'TemplateProcessing') {
    const single = postProcessor.get('single');
    if (Array.isArray(single)) {
      const specials = single.flatMap((part) =>
        isObject(part) && isObject(part.SpecialToken) && typeof part.SpecialToken.id === 'string' ? [part.SpecialToken.id] : [],
      );
      if (specials.length !== 2) json.fail('the single-text template must be [CLS] $A [SEP]');
      [options.clsToken, options.sepToken] = specials;
    }
  }
  const added = json.get('added_tokens');
  if (added !== undefined) {
    if (!Array.isArray(added)) json.fail('added_tokens must be a list');
    for (const token of added as unknown[]) {
      if (!isObject(token) || typeof token.content !== 'string' || !Number.isSafeInteger(token.id)) {
        json.fail(`added token ${JSON.stringify(token)} needs a string "content" and an integer "id"`);
      }
      options.addedTokens.set(token.content, token.id as number);
    }
  }
  return options;
}

function applyTokenizerConfig(options: BertTokenizerOptions, config: JsonFields): BertTokenizerOptions {
  const out = { ...options, addedTokens: new Map(options.addedTokens) };
  out.doLowerCase = config.optionalBool('do_lower_case') ?? out.doLowerCase;
  out.tokenizeChineseChars = config.optionalBool('tokenize_chinese_chars') ?? out.tokenizeChineseChars;
  // Present and null means "follow do_lower_case", which differs from absent (keep tokenizer.json's).
  if (config.has('strip_accents')) out.stripAccents = config.optionalBool('strip_accents');
  out.neverSplit = config.optionalStrings('never_split') ?? out.neverSplit;
  // Special tokens are plain strings or serialized AddedTokens ({"content": "[MASK]", ...}).
  const tokenName = (key: string): string | undefined => {
    const value = config.get(key);
    if (value === undefined || value === null) return undefined;
    const content = isObject(value) ? value.content : value;
    if (typeof content !== 'string') config.fail(`${config.name(key)} must be a string or an AddedToken`);
    return content;
  };
  out.unkToken = tokenName('unk_token') ?? out.unkToken;
  out.sepToken = tokenName('sep_token') ?? out.sepToken;
  out.padToken = tokenName('pad_token') ?? out.padToken;
  out.clsToken = tokenName('cls_token') ?? out.clsToken;
  out.maskToken = tokenName('mask_token') ?? out.maskToken;
  const decoder = config.object('added_tokens_decoder');
  for (const [id, added] of Object.entries(decoder?.toJSON() ?? {})) {
    if (!/^\d+$/.test(id) || !isObject(added) || typeof added.content !== 'string') {
      config.fail(`added token ${id} needs an integer id and a string "content"`);
    }
    out.addedTokens.set(added.content, Number(id));
  }
  // HF writes 1e30 for "no limit"; only a real length is a useful default.
  const modelMaxLength = config.get('model_max_length');
  if (typeof modelMaxLength === 'number' && Number.isSafeInteger(modelMaxLength) && modelMaxLength > 0 && modelMaxLength < 1e6) {
    out.maxLength = minLength(out.maxLength, modelMaxLength);
  }
  return out;
}
