// A second, independent reference for the tokenizer.json path: Hugging Face's own JS port of
// `tokenizers` (@huggingface/tokenizers). It agrees with us and with the Python reference on every
// fixture case except a few where the JS port itself departs from the Rust library; those are
// pinned here by name, so any other disagreement fails.

import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';

interface Case {
  name: string;
  a: string;
  b: string | null;
  max_length: number | null;
  expected: Record<string, { tokens: string[]; input_ids: number[] }>;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tokenizer/${name}`, import.meta.url), 'utf8');
const { cases } = JSON.parse(fixture('cases.json')) as { cases: Case[] };

// Where tokenizers.js is not what the Rust library (and HF's Python BertTokenizerFast) does:
//   - it lower-cases with String.prototype.toLowerCase, which turns a word-final Σ into ς, while
//     Rust's BertNormalizer lower-cases char by char (Σ -> σ);
//   - its CJK check looks at UTF-16 code units, so astral ideographs (Extension B) are not split;
//   - it treats an empty text_pair as no pair, while HF adds the second [SEP].
const JS_PORT_DEVIATIONS: Record<string, string[]> = {
  uncased: ['greek_final_sigma', 'greek_sigma_alone', 'cjk_ext_b', 'pair_empty_b'],
  cased: ['cjk_ext_b', 'pair_empty_b'],
};

describe.each(Object.keys(JS_PORT_DEVIATIONS))('tokenizer_%s.json: ours vs @huggingface/tokenizers', (vocab) => {
  const json = fixture(`tokenizer_${vocab}.json`);
  const reference = new Tokenizer(JSON.parse(json), {});
  const ours = BertTokenizer.fromFiles({ tokenizerJson: json });
  // Truncation is configured differently in tokenizers.js; untruncated cases compare whole encodings.
  const untruncated = cases.filter((c) => c.max_length === null);

  it('agrees on tokens, ids and token types except where the JS port deviates from Rust', () => {
    expect(untruncated.length).toBeGreaterThan(80);
    const differing: string[] = [];
    for (const c of untruncated) {
      const theirs = reference.encode(c.a, { text_pair: c.b, return_token_type_ids: true });
      const mine = ours.encode(c.a, c.b);
      const same =
        JSON.stringify([theirs.tokens, theirs.ids, theirs.token_type_ids]) ===
        JSON.stringify([mine.tokens, mine.input_ids, mine.token_type_ids]);
      if (!same) differing.push(c.name);
    }
    expect(differing).toEqual(JS_PORT_DEVIATIONS[vocab]);
  });

  it('matches the Python reference on the cases where the JS port deviates', () => {
    for (const name of JS_PORT_DEVIATIONS[vocab]) {
      const c = cases.find((x) => x.name === name)!;
      expect(ours.encode(c.a, c.b).tokens, name).toEqual(c.expected[`${vocab}_fast`].tokens);
    }
  });
});
