// Every fixture text, under every tokenizer setting, must give exactly the tokens, ids and token types
// of the Python port of Hugging Face's BertTokenizer (scripts/reference/hf_bert_tokenizer.py).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';

interface Expected {
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
}
interface Case {
  name: string;
  a: string;
  b: string | null;
  max_length: number | null;
  expected: Record<string, Expected>;
}
interface Config {
  vocab: string;
  do_lower_case: boolean;
  strip_accents: boolean | null;
  tokenize_chinese_chars: boolean;
  fast?: boolean;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tokenizer/${name}`, import.meta.url), 'utf8');
const { configs, cases } = JSON.parse(fixture('cases.json')) as { configs: Record<string, Config>; cases: Case[] };

/** Slow settings come as vocab.txt + tokenizer_config.json; fast ones as the matching tokenizer.json. */
function build(config: Config): BertTokenizer {
  if (config.fast) {
    const tokenizerJson = fixture(config.vocab.replace(/^vocab_(.*)\.txt$/, 'tokenizer_$1.json'));
    return BertTokenizer.fromFiles({ tokenizerJson });
  }
  const { do_lower_case, strip_accents, tokenize_chinese_chars } = config;
  return BertTokenizer.fromFiles({
    vocab: fixture(config.vocab),
    tokenizerConfig: JSON.stringify({ do_lower_case, strip_accents, tokenize_chinese_chars }),
  });
}

const tokenizers = Object.fromEntries(Object.entries(configs).map(([name, config]) => [name, build(config)]));

describe('BertTokenizer matches the Hugging Face reference', () => {
  it('has enough fixture cases and settings', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    const settings = ['uncased', 'cased', 'uncased_keep_accents', 'no_chinese_split', 'uncased_fast', 'cased_fast'];
    expect(Object.keys(configs)).toEqual(expect.arrayContaining(settings));
  });

  for (const [configName, config] of Object.entries(configs)) {
    describe(`${configName} (${config.fast ? 'tokenizer.json' : config.vocab})`, () => {
      for (const c of cases) {
        it(c.name, () => {
          const enc = tokenizers[configName].encode(c.a, c.b, c.max_length ?? undefined);
          const want = c.expected[configName];
          expect(enc.tokens).toEqual(want.tokens);
          expect(enc.input_ids).toEqual(want.input_ids);
          expect(enc.token_type_ids).toEqual(want.token_type_ids);
        });
      }
    });
  }

  it('tokenizer.json and vocab.txt agree except exactly where HF slow and fast tokenizers differ', () => {
    for (const [slow, fast] of [
      ['uncased', 'uncased_fast'],
      ['cased', 'cased_fast'],
    ]) {
      const differing = (pick: (c: Case, config: string) => string[]) =>
        cases.filter((c) => JSON.stringify(pick(c, slow)) !== JSON.stringify(pick(c, fast))).map((c) => c.name);
      const ours = differing((c, config) => tokenizers[config].encode(c.a, c.b, c.max_length ?? undefined).tokens);
      const reference = differing((c, config) => c.expected[config].tokens);
      expect(ours).toEqual(reference);
      expect(ours.length).toBeLessThan(cases.length / 10);
    }
    // The three documented differences (NFC, never_split, the CJK Extension E table) all show up cased.
    const cased = cases
      .filter((c) => JSON.stringify(c.expected.cased.tokens) !== JSON.stringify(c.expected.cased_fast.tokens))
      .map((c) => c.name);
    expect(cased).toEqual(
      expect.arrayContaining(['decomposed_accent', 'hangul_jamo_seq', 'special_split_by_zwsp', 'cjk_ext_e_start']),
    );
  });
});

describe('offsets', () => {
  // Characters that cleaning removes (NUL, U+FFFD, zero-width and other C* characters) may sit inside a span.
  const dropRemoved = (s: string) => s.replace(/\p{C}|\uFFFD/gu, '');

  it('slice the original text to the token (cased vocabulary, texts without accents)', () => {
    const tok = tokenizers.cased;
    let checked = 0;
    for (const c of cases) {
      for (const [text, segment] of [
        [c.a, 0],
        [c.b, 1],
      ] as const) {
        if (text === null || text.normalize('NFD') !== text || text.normalize('NFC') !== text) continue;
        const enc = tok.encode(text);
        const { tokens, offsets } = tok.tokenize(text);
        expect(enc.tokens.slice(1, -1)).toEqual(tokens);
        tokens.forEach((token, i) => {
          if (token === tok.unkToken) return;
          const [start, end] = offsets[i];
          const where = `${c.name} #${i} (segment ${segment})`;
          expect(dropRemoved(text.slice(start, end)), where).toBe(token.replace(/^##/, ''));
          checked += 1;
        });
      }
    }
    expect(checked).toBeGreaterThan(700);
  });

  it('are in range, non-decreasing, null exactly for added [CLS]/[SEP] in every setting', () => {
    for (const tok of Object.values(tokenizers)) {
      for (const c of cases) {
        const enc = tok.encode(c.a, c.b, c.max_length ?? undefined);
        let last: Record<number, number> = { 0: 0, 1: 0 };
        enc.offsets.forEach((offset, i) => {
          const segment = enc.segment[i];
          if (offset === null) {
            expect(segment).toBe(-1);
            expect(enc.word_ids[i]).toBeNull();
            return;
          }
          const text = segment === 0 ? c.a : c.b!;
          const [start, end] = offset;
          expect(start).toBeGreaterThanOrEqual(last[segment]);
          expect(end).toBeGreaterThan(start);
          expect(end).toBeLessThanOrEqual(text.length);
          last = { ...last, [segment]: start };
        });
      }
    }
  });
});
