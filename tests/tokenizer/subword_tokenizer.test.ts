// The byte-level BPE (RoBERTa) and Unigram (ALBERT) tokenizers: @huggingface/tokenizers on the
// fixture checkpoints' tokenizer.json against independent Python references
// (scripts/reference/ref_subword.py: GPT-2's BPE algorithm, and SentencePiece itself), plus what
// this playground adds on top: special-token templates, truncation, offsets and word ids.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../src/models';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import type { TextTokenizer } from '../../src/models/shared/text_model';
import { displayToken, tokenText } from '../../src/models/token_text';
import { maskTokens } from '../../src/stores/masking';
import { FIXTURES } from '../model/helpers';

interface SubwordCase {
  text: string;
  tokens: string[];
  ids: number[];
  /** Python character (code point) offsets. */
  offsets?: [number, number][];
  word_ids?: number[];
}

const cases = (kind: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, '../tokenizer', `${kind}_cases.json`), 'utf8')) as { cases: SubwordCase[] }).cases;

/** Python's code-point offsets as UTF-16 offsets of the same string. */
function utf16Offsets(text: string, offsets: [number, number][]): [number, number][] {
  const at = [0];
  for (const ch of text) at.push(at[at.length - 1] + ch.length);
  return offsets.map(([s, e]) => [at[s], at[e]]);
}

/** The text tokens (segment A) of a single-text encoding. */
function textPart(tokenizer: TextTokenizer, text: string) {
  const enc = tokenizer.encode(text, null, 10_000);
  const keep = (_: unknown, i: number) => enc.segment[i] === 0;
  return { tokens: enc.tokens.filter(keep), ids: enc.input_ids.filter(keep), offsets: enc.offsets.filter(keep), word_ids: enc.word_ids.filter(keep) };
}

describe('byte-level BPE (roberta-tiny tokenizer.json)', async () => {
  const tokenizer = await loadTokenizer(await fromFolder(join(FIXTURES, 'roberta-tiny')));

  it('is the library-backed BPE tokenizer with RoBERTa specials', () => {
    expect(tokenizer.kind).toBe('bpe');
    expect(tokenizer.maskToken).toBe('<mask>');
    expect(tokenizer.idToToken(tokenizer.maskTokenId)).toBe('<mask>');
    expect(tokenizer.maxLength).toBe(40);
  });

  it.each(cases('bpe').map((c) => [JSON.stringify(c.text), c] as const))('%s: tokens, ids, offsets and words as the Python reference', (_, c) => {
    const ours = textPart(tokenizer, c.text);
    expect(ours.tokens).toEqual(c.tokens);
    expect(ours.ids).toEqual(c.ids);
    expect(ours.offsets).toEqual(utf16Offsets(c.text, c.offsets!));
    expect(ours.word_ids).toEqual(c.word_ids);
  });

  it('wraps texts as <s> A </s> and <s> A </s></s> B </s>, one token type', () => {
    const single = tokenizer.encode('the cat');
    expect(single.tokens).toEqual(['<s>', 'th', 'e', 'Ġcat', '</s>']);
    const pair = tokenizer.encode('the cat', 'a dog');
    expect(pair.tokens.join(' ')).toBe('<s> th e Ġcat </s> </s> a Ġdo g </s>');
    expect(pair.token_type_ids).toEqual(pair.tokens.map(() => 0));
    expect(pair.segment).toEqual([-1, 0, 0, 0, -1, -1, 1, 1, 1, -1]);
    expect(pair.offsets.slice(6, 9)).toEqual([[0, 1], [2, 4], [4, 5]]);
    expect(pair.word_ids.slice(6, 9)).toEqual([0, 1, 1]);
    expect(pair.mask_token).toBe('<mask>');
    expect(pair.tokenizer).toBe('bpe');
    for (const id of [pair.input_ids[0], pair.input_ids[4]]) expect(tokenizer.isAddedSpecial(id)).toBe(true);
    expect(tokenizer.isAddedSpecial(tokenizer.maskTokenId)).toBe(false);
  });

  it('truncates longest first, with room for the four specials of a pair', () => {
    const long = 'the quick brown fox jumps over the lazy dog';
    const a = textPart(tokenizer, long).tokens.length;
    const enc = tokenizer.encode(long, 'the cat', 12);
    expect(enc.input_ids.length).toBe(12);
    // B (3 tokens) is the shorter and keeps them all; A gives up the rest.
    expect(enc.truncated).toBe(a + 3 - 8);
    expect(enc.tokens.slice(-5)).toEqual(['</s>', 'th', 'e', 'Ġcat', '</s>']);
    expect(() => tokenizer.encode('a', 'b', 3)).toThrow(/cannot hold <s> A <\/s> <\/s> B <\/s>/);
  });

  it('masks a clicked token with <mask>, which swallows the space before it', () => {
    const text = 'the cat sat on the mat.';
    const enc = tokenizer.encode(text);
    const cat = enc.tokens.indexOf('Ġcat');
    const masked = maskTokens(enc, { texts: [text, ''], originals: [] }, cat, false);
    expect(masked.texts[0]).toBe('the <mask> sat on the mat.');
    expect(masked.originals).toEqual([{ token: 'Ġcat', id: enc.input_ids[cat] }]);
    const again = tokenizer.encode(masked.texts[0]);
    expect(again.tokens).toContain('<mask>');
    expect(again.input_ids).toContain(tokenizer.maskTokenId);
  });
});

describe('Unigram (albert-tiny tokenizer.json, trained by SentencePiece)', async () => {
  const tokenizer = await loadTokenizer(await fromFolder(join(FIXTURES, 'albert-tiny')));
  const unk = 1; // <unk> in ALBERT's vocabulary

  it('is the library-backed Unigram tokenizer with ALBERT specials', () => {
    expect(tokenizer.kind).toBe('unigram');
    expect(tokenizer.maskToken).toBe('[MASK]');
    expect(tokenizer.maskTokenId).toBe(4);
    expect(tokenizer.idToToken(unk)).toBe('<unk>');
  });

  it.each(cases('unigram').map((c) => [JSON.stringify(c.text), c] as const))('%s: the ids SentencePiece gives', (_, c) => {
    const ours = textPart(tokenizer, c.text);
    expect(ours.ids).toEqual(c.ids);
    // Both show an unknown piece's own text (its id is <unk>'s).
    expect(ours.tokens).toEqual(c.tokens);
  });

  it('gives each token the span of the original text it came from, and word ids by whitespace', () => {
    const text = 'The Quick  café';
    const enc = textPart(tokenizer, text);
    expect(enc.tokens).toEqual(['▁the', '▁quick', '▁ca', 'fe']);
    expect(enc.offsets.map((o) => text.slice(o![0], o![1]))).toEqual(['The', 'Quick', 'ca', 'fé']);
    expect(enc.word_ids).toEqual([0, 1, 2, 2]);
    // An unknown piece keeps its text, so it lines up too.
    const odd = textPart(tokenizer, 'hello, there');
    expect(odd.ids).toContain(unk);
    expect(odd.offsets[odd.ids.indexOf(unk)]).toEqual([5, 6]);
    // Where a word's tokens do not line up with its characters normalized one by one, they all get the word's span.
    // (`` becomes " only as a pair.)
    const quoted = textPart(tokenizer, 'say ``this');
    expect(quoted.word_ids).toEqual(quoted.tokens.map((_, i) => (i === 0 ? 0 : 1)));
    expect(quoted.offsets.slice(1)).toEqual(quoted.tokens.slice(1).map(() => [4, 10]));
  });

  it('wraps texts as [CLS] A [SEP] B [SEP] with token types 0 then 1', () => {
    const pair = tokenizer.encode('the cat', 'a dog');
    expect(pair.tokens[0]).toBe('[CLS]');
    expect(pair.tokens.filter((t) => t === '[SEP]').length).toBe(2);
    const firstB = pair.segment.indexOf(1);
    expect(pair.token_type_ids.slice(firstB)).toEqual(pair.token_type_ids.slice(firstB).map(() => 1));
    expect(pair.token_type_ids.slice(0, firstB)).toEqual(pair.token_type_ids.slice(0, firstB).map(() => 0));
  });
});

describe('token text', () => {
  it('reads byte-level tokens as text for display and for filling a mask', () => {
    expect(displayToken('Ġcat', 'bpe')).toBe('␣cat');
    expect(displayToken('Ċ', 'bpe')).toBe('↵');
    expect(displayToken('ð', 'bpe')).toBe('<0xF0>');
    expect(displayToken('<mask>', 'bpe')).toBe('<mask>');
    expect(displayToken('##ing', 'wordpiece')).toBe('##ing');
    expect(tokenText('Ġcafé'.replace('é', 'Ã©'), 'bpe')).toBe('café');
    expect(tokenText('##ing', 'wordpiece')).toBe('ing');
    expect(tokenText('▁the', 'unigram')).toBe('the');
  });
});
