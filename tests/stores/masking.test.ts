// Masking edits the user's text, not the token ids: these check, with the real BERT tokenizer,
// that the edited text re-tokenizes to [MASK] exactly where the clicked token was, that the
// originals line up with the [MASK]s, and that filling a prediction back in restores the text.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import type { BertEncoding, MlmResult } from '../../src/models/types';
import { decodeOriginals, encodeOriginals, fillMask, maskTokens, type MaskedTexts } from '../../src/stores/masking';

const vocab = readFileSync(new URL('../fixtures/models/bert-tiny/vocab.txt', import.meta.url), 'utf8');
const tokenizer = BertTokenizer.fromFiles({ vocab, tokenizerConfig: JSON.stringify({ do_lower_case: true }) });
const encode = ({ texts: [a, b] }: MaskedTexts) => tokenizer.encode(a, b || null);

/** The [MASK] positions of an encoding as MlmResults (only `position` matters to fillMask). */
const mlmOf = (enc: BertEncoding): MlmResult[] =>
  enc.tokens.flatMap((t, position) => (t === '[MASK]' ? [{ position, top: [], log_probs: new Float32Array() }] : []));

describe('maskTokens', () => {
  it('replaces one token and re-tokenizes to [MASK] at the same position', () => {
    const state: MaskedTexts = { texts: ['The quick brown fox sat.', 'he went to the dog.'], originals: [] };
    const before = encode(state);
    const fox = before.tokens.indexOf('fox');
    const masked = maskTokens(before, state, fox, false);
    expect(masked.texts).toEqual(['The quick brown [MASK] sat.', 'he went to the dog.']);
    const after = encode(masked);
    expect(after.tokens.length).toBe(before.tokens.length);
    expect(after.tokens[fox]).toBe('[MASK]');
    expect(masked.originals).toEqual([{ token: 'fox', id: before.input_ids[fox] }]);
  });

  it('masks one WordPiece of a word, or with wholeWord every piece, in sentence B', () => {
    const state: MaskedTexts = { texts: ['the cat sat.', 'he went walking.'], originals: [] };
    const before = encode(state);
    const pieces = before.tokens.map((t, p) => [t, p] as const).filter(([, p]) => before.segment[p] === 1 && before.word_ids[p] === 2);
    expect(pieces.length).toBeGreaterThan(1); // "walking" is split by this small vocabulary
    const second = pieces[1][1];
    const one = maskTokens(before, state, second, false);
    expect(encode(one).tokens[second]).toBe('[MASK]');
    expect(encode(one).tokens.length).toBe(before.tokens.length);

    const whole = maskTokens(before, state, second, true);
    const after = encode(whole);
    for (const [, p] of pieces) expect(after.tokens[p]).toBe('[MASK]');
    expect(after.tokens.length).toBe(before.tokens.length);
    expect(whole.originals.map((o) => o?.token)).toEqual(pieces.map(([t]) => t));
  });

  it('keeps earlier originals in order and ignores special and already-masked tokens', () => {
    let state: MaskedTexts = { texts: ['the cat sat on the mat.', ''], originals: [] };
    let enc = encode(state);
    state = maskTokens(enc, state, enc.tokens.indexOf('mat'), false);
    enc = encode(state);
    state = maskTokens(enc, state, enc.tokens.indexOf('cat'), false);
    expect(state.texts[0]).toBe('the [MASK] sat on the [MASK].');
    expect(state.originals.map((o) => o?.token)).toEqual(['cat', 'mat']);
    enc = encode(state);
    expect(maskTokens(enc, state, 0, false)).toEqual(state); // [CLS]
    expect(maskTokens(enc, state, enc.tokens.indexOf('[MASK]'), false)).toEqual(state);
  });

  it('records null for a [MASK] the user typed', () => {
    let state: MaskedTexts = { texts: ['[MASK] cat sat.', ''], originals: [] };
    const enc = encode(state);
    state = maskTokens(enc, state, enc.tokens.indexOf('sat'), false);
    expect(state.originals).toEqual([null, { token: 'sat', id: enc.input_ids[enc.tokens.indexOf('sat')] }]);
  });
});

describe('fillMask', () => {
  it('writes the prediction into the right [MASK] and drops its original', () => {
    let state: MaskedTexts = { texts: ['the cat sat on the mat.', ''], originals: [] };
    for (const word of ['mat', 'cat']) {
      const enc = encode(state);
      state = maskTokens(enc, state, enc.tokens.indexOf(word), false);
    }
    const enc = encode(state);
    const filled = fillMask(enc, mlmOf(enc), state, 1, 'dog');
    expect(filled.texts[0]).toBe('the [MASK] sat on the dog.');
    expect(filled.originals.map((o) => o?.token)).toEqual(['cat']);
  });

  it('joins a ## continuation to the word it continues', () => {
    const state: MaskedTexts = { texts: ['he went walk[MASK].', ''], originals: [null] };
    const enc = encode(state);
    expect(fillMask(enc, mlmOf(enc), state, 0, '##ing').texts[0]).toBe('he went walking.');
  });
});

describe('originals in the URL', () => {
  it('round-trips any token, typed masks included, in a short value', () => {
    const originals = [{ token: 'fox', id: 4419 }, null, { token: ',', id: 1010 }, { token: '50%', id: 7 }, { token: '##한국:어', id: 12 }];
    const encoded = encodeOriginals(originals);
    expect(encoded).toBe('4419:fox,,1010:%2C,7:50%25,12:##한국:어');
    expect(decodeOriginals(encoded)).toEqual(originals);
    expect(encodeOriginals([null, null])).toBe('');
  });

  it.each(['x', '12', ':fox', '1:%E0', 'a:b'])('refuses %j', (value) => {
    expect(decodeOriginals(value)).toBeNull();
  });
});

