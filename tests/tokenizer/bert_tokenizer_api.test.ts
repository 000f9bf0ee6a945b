// Offsets, word ids, truncation, file precedence and error handling of BertTokenizer. Expected tokens
// and ids were produced by scripts/reference/hf_bert_tokenizer.py on the fixture vocabularies.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import { ModelError } from '../../src/models/errors';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tokenizer/${name}`, import.meta.url), 'utf8');
const uncasedVocab = fixture('vocab_uncased.txt');
const casedVocab = fixture('vocab_cased.txt');
const uncasedJson = fixture('tokenizer_uncased.json');
const cased = BertTokenizer.fromFiles({ vocab: casedVocab, tokenizerConfig: '{"do_lower_case": false}' });
const uncased = BertTokenizer.fromFiles({ vocab: uncasedVocab });

function expectModelError(fn: () => unknown, code: string, message: RegExp) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ModelError);
  expect((error as ModelError).code).toBe(code);
  expect((error as ModelError).message).toMatch(message);
}

describe('vocabulary and special tokens', () => {
  it('reads vocab.txt in line order with BERT defaults', () => {
    const lines = uncasedVocab.split('\n').slice(0, -1);
    expect(uncased.vocabSize).toBe(lines.length);
    expect(uncased.idToToken(0)).toBe('[PAD]');
    expect(uncased.tokenToId('hello')).toBe(lines.indexOf('hello'));
    expect(uncased.tokenToId('no-such-token')).toBeUndefined();
    const ids = [uncased.padTokenId, uncased.unkTokenId, uncased.clsTokenId, uncased.sepTokenId, uncased.maskTokenId];
    expect(ids).toEqual([0, 6, 7, 8, 9]);
    expect([uncased.clsToken, uncased.sepToken, uncased.maskToken, uncased.unkToken, uncased.padToken]).toEqual([
      '[CLS]',
      '[SEP]',
      '[MASK]',
      '[UNK]',
      '[PAD]',
    ]);
    expect(uncased.flavor).toBe('slow');
    expect(uncased.encode('Hello').tokens).toEqual(['[CLS]', 'hello', '[SEP]']);
  });

  it('treats \\r\\n and \\r line ends like Python readlines()', () => {
    const crlf = BertTokenizer.fromFiles({ vocab: uncasedVocab.replace(/\n/g, '\r\n') });
    const cr = BertTokenizer.fromFiles({ vocab: uncasedVocab.replace(/\n/g, '\r').slice(0, -1) });
    for (const tok of [crlf, cr]) {
      expect(tok.vocabSize).toBe(uncased.vocabSize);
      expect(tok.encode('Hello unaffable world').input_ids).toEqual(uncased.encode('Hello unaffable world').input_ids);
    }
  });

  it('rejects ids outside the vocabulary', () => {
    expectModelError(() => uncased.idToToken(uncased.vocabSize), 'mismatch', /outside the vocabulary/);
  });
});

describe('offsets and word ids', () => {
  it('map lower-cased, composed and astral characters back to the input', () => {
    expect(uncased.tokenize('İstanbul café')).toEqual({
      tokens: ['istanbul', 'cafe'],
      offsets: [
        [0, 8],
        [9, 13],
      ],
      word_ids: [0, 1],
    });
    const t = cased.tokenize('cafe\u0301 𝔸𝔸 foo[MASK]bar');
    expect(t.tokens).toEqual(['café', '𝔸', '##𝔸', 'foo', '[MASK]', 'bar']);
    expect(t.offsets).toEqual([
      [0, 5],
      [6, 8],
      [8, 10],
      [11, 14],
      [14, 20],
      [20, 23],
    ]);
    expect(t.word_ids).toEqual([0, 1, 1, 2, 3, 4]);
  });

  it('give wordpieces their sub-span and skip removed characters', () => {
    const t = uncased.tokenize('  UNAFFABLE\u200b!  ');
    expect(t.tokens).toEqual(['un', '##aff', '##able', '!']);
    expect(t.offsets).toEqual([
      [2, 4],
      [4, 7],
      [7, 11],
      [12, 13],
    ]);
    expect(t.word_ids).toEqual([0, 0, 0, 1]);
  });

  it('fall back to the whole word where NFC reorders marks across more than 32 characters', () => {
    const text = 'x e' + '\u0301'.repeat(40) + ' a' + '\u0301'.repeat(40) + '\u0323 y';
    expect(uncased.tokenize(text)).toEqual({
      tokens: ['x', 'e', 'a', 'y'],
      offsets: [
        [0, 1],
        [2, 4], // NFC composed e + U+0301 before the accent was stripped
        [44, 86],
        [87, 88],
      ],
      word_ids: [0, 1, 2, 3],
    });
  });

  it('cover a whole word that became [UNK]', () => {
    const text = 'ok ' + 'x'.repeat(150) + ' 😺';
    expect(uncased.tokenize(text)).toEqual({
      tokens: ['ok', '[UNK]', '[UNK]'],
      offsets: [
        [0, 2],
        [3, 153],
        [154, 156],
      ],
      word_ids: [0, 1, 2],
    });
  });
});

describe('encode', () => {
  it('builds [CLS] A [SEP] B [SEP] with types, segments and per-text offsets', () => {
    const enc = uncased.encode('Hello world', 'The [MASK].');
    expect(enc.tokens).toEqual(['[CLS]', 'hello', 'world', '[SEP]', 'the', '[MASK]', '.', '[SEP]']);
    expect(enc.token_type_ids).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(enc.segment).toEqual([-1, 0, 0, -1, 1, 1, 1, -1]);
    expect(enc.offsets).toEqual([null, [0, 5], [6, 11], null, [0, 3], [4, 10], [10, 11], null]);
    expect(enc.word_ids).toEqual([null, 0, 1, null, 0, 1, 2, null]);
    expect(enc.input_ids[5]).toBe(uncased.maskTokenId);
    expect(enc.truncated).toBe(0);
  });

  it('treats an empty second text as a pair and null/undefined as none, as HF does', () => {
    expect(uncased.encode('hello', '').tokens).toEqual(['[CLS]', 'hello', '[SEP]', '[SEP]']);
    expect(uncased.encode('hello', null).tokens).toEqual(['[CLS]', 'hello', '[SEP]']);
    expect(uncased.encode('hello').tokens).toEqual(['[CLS]', 'hello', '[SEP]']);
  });

  it('keeps user never_split words whole (slow tokenizer only)', () => {
    const tok = BertTokenizer.fromFiles({
      vocab: casedVocab,
      tokenizerConfig: JSON.stringify({ do_lower_case: false, never_split: ['FOO-BAR'] }),
    });
    const enc = tok.encode('x FOO-BAR FOO-BARS');
    expect(enc.tokens).toEqual(['[CLS]', 'x', 'FOO-BAR', 'F', '##O', '##O', '-', 'B', '##A', '##R', '##S', '[SEP]']);
    expect(enc.input_ids).toEqual([7, 97, 6, 47, 128, 128, 22, 43, 114, 131, 132, 8]);
  });
});

describe('truncation (longest_first)', () => {
  it('cuts the tail of a single text and reports how many tokens went', () => {
    const enc = uncased.encode('the quick brown fox jumps', null, 5);
    expect(enc.tokens).toEqual(['[CLS]', 'the', 'quick', 'brown', '[SEP]']);
    // the quick brown | f ##o ##x jump ##s
    expect(enc.truncated).toBe(5);
  });

  it('takes from the longer text, from B on ties', () => {
    const enc = uncased.encode('one two three', 'four five six', 7);
    expect(enc.tokens).toEqual(['[CLS]', 'one', 't', '[SEP]', 'f', '##o', '[SEP]']);
    const full = uncased.encode('one two three', 'four five six');
    expect(enc.truncated).toBe(full.tokens.length - 7);
  });

  it('uses the smaller of model_max_length and max_position_embeddings by default', () => {
    const text = 'hello world '.repeat(10);
    const byConfig = BertTokenizer.fromFiles({ vocab: uncasedVocab, tokenizerConfig: '{"model_max_length": 8}' }, {
      max_position_embeddings: 12,
    });
    expect(byConfig.maxLength).toBe(8);
    expect(byConfig.encode(text).tokens.length).toBe(8);
    const byModel = BertTokenizer.fromFiles(
      { vocab: uncasedVocab, tokenizerConfig: '{"model_max_length": 1000000000000000019884624838656}' },
      { max_position_embeddings: 6 },
    );
    expect(byModel.maxLength).toBe(6);
    expect(byModel.encode(text).truncated).toBe(16);
    expect(byModel.encode(text, null, 10).tokens.length).toBe(10);
    expect(uncased.maxLength).toBeNull();
    expect(uncased.encode(text).tokens.length).toBe(22);
  });

  it('refuses lengths that cannot hold the texts instead of returning an over-long sequence', () => {
    expectModelError(() => uncased.encode('hello world', null, 2), 'malformed', /no room/);
    expectModelError(() => uncased.encode('a', 'b', 2), 'malformed', /cannot hold/);
    expectModelError(() => uncased.encode('a', null, 0), 'malformed', /positive integer/);
    expectModelError(() => uncased.encode('a', null, 3.5), 'malformed', /positive integer/);
    expect(uncased.encode('', null, 2).tokens).toEqual(['[CLS]', '[SEP]']);
    expect(uncased.encode('a b', 'c d', 3).tokens).toEqual(['[CLS]', '[SEP]', '[SEP]']);
  });
});

describe('fromFiles precedence', () => {
  it('prefers tokenizer.json (fast) over vocab.txt, as AutoTokenizer does', () => {
    // A vocab.txt with different ids must be ignored when tokenizer.json is present.
    const shuffled = uncasedVocab.split('\n').slice(0, -1).reverse().join('\n');
    const tok = BertTokenizer.fromFiles({ vocab: shuffled, tokenizerJson: uncasedJson });
    expect(tok.flavor).toBe('fast');
    expect(tok.encode('Hello world').input_ids).toEqual(uncased.encode('Hello world').input_ids);
  });

  it('lets tokenizer_config.json keys override the tokenizer.json normalizer, as BertTokenizerFast does', () => {
    const tokens = (tokenizerConfig: string, text: string) =>
      BertTokenizer.fromFiles({ tokenizerJson: uncasedJson, tokenizerConfig }).encode(text).tokens;
    expect(tokens('{"do_lower_case": false}', 'Hello')).toEqual(['[CLS]', '[UNK]', '[SEP]']);
    expect(tokens('{"strip_accents": false}', 'Café')).toEqual(['[CLS]', 'c', '##a', '##f', '##é', '[SEP]']);
    // Keys the config leaves out keep the tokenizer.json values.
    expect(tokens('{"model_max_length": 512}', 'Hello')).toEqual(['[CLS]', 'hello', '[SEP]']);
  });

  it('reads special tokens given as serialized AddedTokens', () => {
    const vocab = uncasedVocab.replace('[MASK]\n', '<mask>\n');
    const tok = BertTokenizer.fromFiles({
      vocab,
      tokenizerConfig: JSON.stringify({ mask_token: { __type: 'AddedToken', content: '<mask>', lstrip: false } }),
    });
    expect(tok.maskToken).toBe('<mask>');
    expect(tok.maskTokenId).toBe(9);
    expect(tok.encode('A <mask> B').tokens).toEqual(['[CLS]', 'a', '<mask>', 'b', '[SEP]']);
  });
});

describe('bad files', () => {
  it('names what is wrong', () => {
    expectModelError(() => BertTokenizer.fromFiles({}), 'not_found', /vocab\.txt or tokenizer\.json/);
    expectModelError(() => BertTokenizer.fromFiles({ vocab: '' }), 'malformed', /vocabulary .* is empty/);
    expectModelError(() => BertTokenizer.fromFiles({ vocab: '\n' }), 'malformed', /no special token "\[UNK\]"/);
    expectModelError(
      () => BertTokenizer.fromFiles({ vocab: uncasedVocab.replace('[MASK]\n', '') }),
      'malformed',
      /no special token "\[MASK\]"/,
    );
    const fromJson = (tokenizerJson: string) => () => BertTokenizer.fromFiles({ tokenizerJson });
    expectModelError(fromJson('{"model": '), 'malformed', /tokenizer\.json is not valid JSON/);
    expectModelError(fromJson('[1, 2]'), 'malformed', /must be a JSON object/);
    const json = JSON.parse(uncasedJson);
    const model = json.model;
    const bpe = { ...json, model: { ...model, type: 'BPE' } };
    expectModelError(fromJson(JSON.stringify(bpe)), 'unsupported', /WordPiece/);
    expectModelError(fromJson(JSON.stringify({ ...json, normalizer: null })), 'unsupported', /BertNormalizer/);
    const duplicateId = { ...json, model: { ...model, vocab: { ...model.vocab, hello: 0 } } };
    expectModelError(fromJson(JSON.stringify(duplicateId)), 'malformed', /"hello".*not a unique integer/);
    expectModelError(
      () => BertTokenizer.fromFiles({ vocab: uncasedVocab, tokenizerConfig: '{"do_lower_case": "yes"}' }),
      'malformed',
      /do_lower_case/,
    );
    expectModelError(
      () => BertTokenizer.fromFiles({ vocab: uncasedVocab }, { vocab_size: 100 }),
      'mismatch',
      /vocab_size 100/,
    );
  });

  it('leaves the previous tokenizer usable after a failed load', () => {
    const before = uncased.encode('Hello world').input_ids;
    expect(() => BertTokenizer.fromFiles({ vocab: '' })).toThrow();
    expect(uncased.encode('Hello world').input_ids).toEqual(before);
  });
});
