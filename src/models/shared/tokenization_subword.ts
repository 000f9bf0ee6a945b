// Byte-level BPE (RoBERTa) and Unigram (ALBERT's SentencePiece) tokenization from a checkpoint's
// tokenizer.json, by Hugging Face's own JavaScript port of `tokenizers` (@huggingface/tokenizers).
// The library gives tokens and ids; this file adds what the playground needs around them:
//   - the special-token template of tokenizer.json's post-processor (RobertaProcessing,
//     TemplateProcessing or BertProcessing) with token types, and HF's longest-first truncation;
//   - for every token the span of the original text it came from and the index of its word, which
//     the library does not report. Byte-level BPE tokens are byte strings, so they are aligned with
//     the text's UTF-8 bytes exactly (offsets trimmed of spaces, as RoBERTa's trim_offsets does).
//     Unigram tokens come from normalized text (lower-cased, accents stripped); each whitespace-
//     separated word is tokenized on its own and its tokens are aligned with the word's characters
//     normalized one by one, falling back to the whole word's span where that does not line up.
//     When word-by-word tokenization would differ from the whole text's, the tokens stay the
//     library's and carry no offsets (they cannot be clicked to mask).

import { Tokenizer } from '@huggingface/tokenizers';
import { isObject, JsonFields } from '../checkpoint/json';
import { ModelError } from '../errors';
import { checkedEncodeArgs, truncateLongestFirst } from '../bert/tokenization_bert';
import type { BertEncoding } from '../types';
import { byteLevelBytes } from '../token_text';
import type { TextTokenizer } from './text_model';

/** A part of the special-token template: a special token or text A/B, with its token type. */
type TemplatePart = { special: string; id: number; type: number } | { sequence: 'A' | 'B'; type: number };

interface Template {
  single: TemplatePart[];
  pair: TemplatePart[];
}

/** Tokens of one text, with their spans in it and their word indices. */
interface TextTokens {
  tokens: string[];
  ids: number[];
  offsets: ([number, number] | null)[];
  word_ids: (number | null)[];
}

// GPT-2's pre-tokenization split (what ByteLevel with use_regex applies); its pieces are the words.
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const SPACE_BYTE = 0x20;

function parseTemplate(json: JsonFields): Template {
  const post = json.object('post_processor');
  const type = post?.get('type');
  const token = (key: string): { special: string; id: number } => {
    const value = post!.get(key);
    if (!Array.isArray(value) || typeof value[0] !== 'string' || !Number.isSafeInteger(value[1])) {
      json.fail(`post_processor.${key} must be [token, id]`);
    }
    return { special: value[0], id: value[1] as number };
  };
  if (type === 'RobertaProcessing') {
    const [cls, sep] = [token('cls'), token('sep')];
    return {
      single: [{ ...cls, type: 0 }, { sequence: 'A', type: 0 }, { ...sep, type: 0 }],
      pair: [{ ...cls, type: 0 }, { sequence: 'A', type: 0 }, { ...sep, type: 0 }, { ...sep, type: 0 }, { sequence: 'B', type: 0 }, { ...sep, type: 0 }],
    };
  }
  if (type === 'BertProcessing') {
    const [cls, sep] = [token('cls'), token('sep')];
    return {
      single: [{ ...cls, type: 0 }, { sequence: 'A', type: 0 }, { ...sep, type: 0 }],
      pair: [{ ...cls, type: 0 }, { sequence: 'A', type: 0 }, { ...sep, type: 0 }, { sequence: 'B', type: 1 }, { ...sep, type: 1 }],
    };
  }
  if (type === 'TemplateProcessing') {
    const specials = post!.object('special_tokens');
    const parts = (key: string): TemplatePart[] => {
      const list = post!.get(key);
      if (!Array.isArray(list)) json.fail(`post_processor.${key} must be a list`);
      return (list as unknown[]).map((part) => {
        if (isObject(part) && isObject(part.SpecialToken) && typeof part.SpecialToken.id === 'string') {
          const name = part.SpecialToken.id;
          const ids = specials?.object(name)?.get('ids');
          if (!Array.isArray(ids) || ids.length !== 1 || !Number.isSafeInteger(ids[0])) {
            json.fail(`post_processor.special_tokens.${name} must have one id`);
          }
          return { special: name, id: ids[0] as number, type: Number(part.SpecialToken.type_id ?? 0) };
        }
        if (isObject(part) && isObject(part.Sequence) && (part.Sequence.id === 'A' || part.Sequence.id === 'B')) {
          return { sequence: part.Sequence.id, type: Number(part.Sequence.type_id ?? 0) };
        }
        return json.fail(`post_processor.${key} has a part this playground does not know: ${JSON.stringify(part)}`, 'unsupported');
      });
    };
    return { single: parts('single'), pair: parts('pair') };
  }
  if (post === null) return { single: [{ sequence: 'A', type: 0 }], pair: [{ sequence: 'A', type: 0 }, { sequence: 'B', type: 1 }] };
  return json.fail(`post_processor type ${JSON.stringify(type)} is not supported`, 'unsupported');
}

/** UTF-8 bytes of `text` and, for each byte, the UTF-16 index of the character it belongs to (plus the end). */
function utf8WithIndex(text: string): { bytes: Uint8Array; charAt: number[] } {
  const bytes = new TextEncoder().encode(text);
  const charAt: number[] = [];
  let i = 0;
  for (const ch of text) {
    const n = new TextEncoder().encode(ch).length;
    for (let k = 0; k < n; k++) charAt.push(i);
    i += ch.length;
  }
  charAt.push(text.length);
  return { bytes, charAt };
}

export class SubwordTokenizer implements TextTokenizer {
  readonly kind: 'bpe' | 'unigram';
  readonly vocabSize: number;
  readonly maskToken: string;
  readonly maskTokenId: number;
  readonly unkToken: string | null;
  readonly maxLength: number | null;
  private readonly tokenizer: Tokenizer;
  private readonly template: Template;
  private readonly addedSpecialIds: Set<number>;
  /** Tokens tokenizer.json adds as whole strings (specials, <mask>), which the text can contain. */
  private readonly addedTokens: Set<string>;

  private constructor(json: JsonFields, config: JsonFields, modelMaxTokens: number | null) {
    const model = json.object('model');
    const type = model?.get('type');
    if (type === 'BPE') {
      if (json.object('pre_tokenizer')?.get('type') !== 'ByteLevel') {
        json.fail('only byte-level BPE (pre_tokenizer ByteLevel, as RoBERTa) is supported', 'unsupported');
      }
      this.kind = 'bpe';
    } else if (type === 'Unigram') {
      this.kind = 'unigram';
    } else {
      json.fail(`model type ${JSON.stringify(type)} is not supported here (BPE, Unigram; WordPiece goes to the BERT tokenizer)`, 'unsupported');
    }
    this.template = parseTemplate(json);
    try {
      this.tokenizer = new Tokenizer(json.toJSON(), config.toJSON());
    } catch (e) {
      throw new ModelError('malformed', `tokenizer.json could not be read by @huggingface/tokenizers: ${(e as Error).message}`);
    }
    const vocab = this.tokenizer.get_vocab(true);
    this.vocabSize = vocab.size;
    this.addedTokens = new Set([...this.tokenizer.get_added_tokens_decoder().values()].map((t) => t.content));
    this.addedSpecialIds = new Set([...this.template.single, ...this.template.pair].flatMap((p) => ('special' in p ? [p.id] : [])));

    const configured = config.get('mask_token');
    const named = isObject(configured) ? configured.content : configured;
    const maskToken = typeof named === 'string' ? named : ['<mask>', '[MASK]'].find((t) => vocab.has(t));
    const maskTokenId = maskToken === undefined ? undefined : vocab.get(maskToken);
    if (maskToken === undefined || maskTokenId === undefined) {
      throw new ModelError('malformed', 'tokenizer.json has no mask token (tokenizer_config.json mask_token, <mask> or [MASK]).');
    }
    this.maskToken = maskToken;
    this.maskTokenId = maskTokenId;
    // Unigram names its unknown piece by id, BPE by token (byte-level BPE usually has none).
    const unkId = model?.get('unk_id');
    const unkName = model?.get('unk_token');
    this.unkToken = typeof unkName === 'string' ? unkName : typeof unkId === 'number' ? ([...vocab].find(([, id]) => id === unkId)?.[0] ?? null) : null;
    const fromConfig = config.get('model_max_length');
    // HF writes 1e30 for "no limit"; only a real length is a useful default.
    const tokenizerMax = typeof fromConfig === 'number' && Number.isSafeInteger(fromConfig) && fromConfig > 0 && fromConfig < 1e6 ? fromConfig : null;
    this.maxLength = tokenizerMax === null ? modelMaxTokens : Math.min(tokenizerMax, modelMaxTokens ?? tokenizerMax);
  }

  /** From tokenizer.json (+ tokenizer_config.json); `modelConfig.vocab_size` must cover every id. */
  static fromFiles(files: { tokenizerJson: string; tokenizerConfig?: string }, modelConfig: { vocab_size: number; maxTokens: number }): SubwordTokenizer {
    const tokenizer = new SubwordTokenizer(
      JsonFields.parse(files.tokenizerJson, 'tokenizer.json'),
      JsonFields.parse(files.tokenizerConfig ?? '{}', 'tokenizer_config.json'),
      modelConfig.maxTokens,
    );
    if (tokenizer.vocabSize > modelConfig.vocab_size) {
      throw new ModelError('mismatch', `The tokenizer has ${tokenizer.vocabSize} tokens, but config.json has vocab_size ${modelConfig.vocab_size}.`);
    }
    return tokenizer;
  }

  idToToken(id: number): string {
    const token = this.tokenizer.id_to_token(id);
    if (token === undefined) throw new ModelError('mismatch', `Token id ${id} is outside the vocabulary (size ${this.vocabSize}).`);
    return token;
  }

  isAddedSpecial(id: number): boolean {
    return this.addedSpecialIds.has(id);
  }

  specialIds(): number[] {
    return [...this.tokenizer.get_added_tokens_decoder().keys()];
  }

  encode(textA: string, textB?: string | null, maxLength?: number): BertEncoding {
    const limit = checkedEncodeArgs(textA, textB, maxLength ?? this.maxLength);
    const template = textB == null ? this.template.single : this.template.pair;
    const texts = [this.tokenizeText(textA), textB == null ? null : this.tokenizeText(textB)];
    const specials = template.filter((p) => 'special' in p).length;
    const shown = template.map((p) => ('special' in p ? p.special : p.sequence)).join(' ');
    const [a, b] = texts;
    const keep = truncateLongestFirst(a!.tokens.length, b?.tokens.length ?? null, limit, specials, shown);

    const enc: BertEncoding = {
      tokens: [],
      input_ids: [],
      token_type_ids: [],
      offsets: [],
      segment: [],
      word_ids: [],
      truncated: a!.tokens.length - keep[0] + (b ? b.tokens.length - keep[1] : 0),
      mask_token: this.maskToken,
      tokenizer: this.kind,
    };
    for (const part of template) {
      if ('special' in part) {
        enc.tokens.push(part.special);
        enc.input_ids.push(part.id);
        enc.token_type_ids.push(part.type);
        enc.offsets.push(null);
        enc.segment.push(-1);
        enc.word_ids.push(null);
        continue;
      }
      const segment = part.sequence === 'A' ? 0 : 1;
      const t = texts[segment]!;
      for (let i = 0; i < keep[segment]; i++) {
        enc.tokens.push(t.tokens[i]);
        enc.input_ids.push(t.ids[i]);
        enc.token_type_ids.push(part.type);
        enc.offsets.push(t.offsets[i]);
        enc.segment.push(segment);
        enc.word_ids.push(t.word_ids[i]);
      }
    }
    return enc;
  }

  private tokenizeText(text: string): TextTokens {
    return this.kind === 'bpe' ? this.byteLevelTokens(text) : this.unigramTokens(text);
  }

  /** Tokens aligned with the text's UTF-8 bytes; words are GPT-2 split pieces and added tokens. */
  private byteLevelTokens(text: string): TextTokens {
    const { tokens, ids } = this.tokenizer.encode(text, { add_special_tokens: false });
    const { bytes, charAt } = utf8WithIndex(text);
    const wordStarts = new Set<number>();
    for (const m of text.matchAll(GPT2_SPLIT)) wordStarts.add(new TextEncoder().encode(text.slice(0, m.index)).length);
    const out: TextTokens = { tokens, ids, offsets: [], word_ids: [] };
    let at = 0;
    let word = -1;
    let afterAdded = true;
    for (const token of tokens) {
      const added = this.addedTokens.has(token);
      const want = added ? new TextEncoder().encode(token) : byteLevelBytes(token);
      // Added tokens such as <mask> may have swallowed the spaces before them (lstrip).
      let start = at;
      if (added) while (start < bytes.length && bytes[start] === SPACE_BYTE && !matchesAt(bytes, want, start)) start++;
      if (want === null || !matchesAt(bytes, want, start)) {
        // Not where it should be (a tokenizer the library normalizes): no offsets from here on.
        out.offsets.push(null);
        out.word_ids.push(null);
        at = bytes.length + 1;
        continue;
      }
      const end = start + want.length;
      if (added || afterAdded || wordStarts.has(start)) word++;
      afterAdded = added;
      // trim_offsets: spaces at either end of a token are not part of its span.
      let [first, last] = [start, end];
      while (first < last && bytes[first] === SPACE_BYTE) first++;
      while (last > first && bytes[last - 1] === SPACE_BYTE) last--;
      if (first === last) [first, last] = [start, end];
      out.offsets.push([charAt[first], last >= bytes.length ? text.length : charAt[last - 1] + charLength(text, charAt[last - 1])]);
      out.word_ids.push(word);
      at = end;
    }
    return out;
  }

  /** Tokens of each whitespace-separated word, aligned with the word's characters normalized one by one. */
  private unigramTokens(text: string): TextTokens {
    const whole = this.tokenizer.encode(text, { add_special_tokens: false });
    const out: TextTokens = { tokens: [], ids: [], offsets: [], word_ids: [] };
    let word = 0;
    for (const m of text.matchAll(/\S+/gu)) {
      const { tokens, ids } = this.tokenizer.encode(m[0], { add_special_tokens: false });
      const spans = this.alignNormalized(m[0], m.index, tokens);
      out.tokens.push(...tokens);
      out.ids.push(...ids);
      out.offsets.push(...spans);
      out.word_ids.push(...tokens.map(() => word));
      word++;
    }
    if (out.ids.length !== whole.ids.length || out.ids.some((id, i) => id !== whole.ids[i])) {
      return { tokens: whole.tokens, ids: whole.ids, offsets: whole.ids.map(() => null), word_ids: whole.ids.map(() => null) };
    }
    return out;
  }

  private alignNormalized(word: string, wordStart: number, tokens: string[]): [number, number][] {
    const normalizer = this.tokenizer.normalizer;
    // Each character's normalized form, with the span of the word it came from.
    const chars: { c: string; start: number; end: number }[] = [];
    let i = 0;
    for (const ch of word) {
      const normalized = normalizer ? normalizer.normalize(ch) : ch;
      for (const c of normalized) chars.push({ c, start: wordStart + i, end: wordStart + i + ch.length });
      i += ch.length;
    }
    const wholeWord: [number, number] = [wordStart, wordStart + word.length];
    const spans: [number, number][] = [];
    let at = 0;
    for (const token of tokens) {
      const body = this.addedTokens.has(token) ? token : token.replace(/^▁/u, '');
      const pieces = [...body];
      const fits = pieces.length > 0 && pieces.every((c, k) => chars[at + k]?.c === c);
      if (!fits) return tokens.map(() => wholeWord);
      spans.push([chars[at].start, chars[at + pieces.length - 1].end]);
      at += pieces.length;
    }
    return at === chars.length ? spans : tokens.map(() => wholeWord);
  }
}

function matchesAt(bytes: Uint8Array, want: Uint8Array | null, at: number): boolean {
  if (want === null || at + want.length > bytes.length) return false;
  for (let k = 0; k < want.length; k++) if (bytes[at + k] !== want[k]) return false;
  return true;
}

const charLength = (text: string, at: number): number => (text.codePointAt(at)! > 0xffff ? 2 : 1);
