// Masking as in BERT's pretraining, done on the user's text: the chosen tokens' characters are
// replaced by the model's mask token ([MASK], RoBERTa's <mask>), which the tokenizer keeps whole,
// so the re-run sees a mask exactly where the token was. For every mask the token it replaced is
// remembered (null where the user typed the mask token themselves), so the view can show the
// probability and loss of the original.

import { tokenText } from '../models/token_text';
import type { BertEncoding, MlmResult } from '../models/types';

/** The vocabulary token a [MASK] replaced. */
export interface MaskOrigin {
  token: string;
  id: number;
}

export interface MaskedTexts {
  /** Sentence A and sentence B. */
  texts: [string, string];
  /** Originals of the [MASK] tokens of A then B, in order. */
  originals: (MaskOrigin | null)[];
}

function replaceSpan(text: string, [start, end]: [number, number], by: string): string {
  return text.slice(0, start) + by + text.slice(end);
}

/**
 * Masks the token at `position` of `encoding` (the encoding of `state.texts`), or with
 * `wholeWord` every token of its word, as whole-word masking does: one [MASK] per piece.
 * Special tokens and tokens that already are [MASK] are left alone.
 */
export function maskTokens(encoding: BertEncoding, state: MaskedTexts, position: number, wholeWord: boolean): MaskedTexts {
  const { segment, word_ids, tokens, offsets, mask_token: mask } = encoding;
  const inWord = (p: number) => segment[p] === segment[position] && word_ids[p] === word_ids[position];
  const chosen = tokens
    .map((_, p) => p)
    .filter((p) => (wholeWord ? inWord(p) : p === position) && segment[p] >= 0 && tokens[p] !== mask && offsets[p] !== null);

  // Spans are replaced from the end so the earlier offsets stay valid.
  const texts: [string, string] = [...state.texts];
  for (const p of [...chosen].reverse()) texts[segment[p]] = replaceSpan(texts[segment[p]], offsets[p]!, mask);

  const originals: (MaskOrigin | null)[] = [];
  let known = 0;
  tokens.forEach((token, p) => {
    if (token === mask) originals.push(state.originals[known++] ?? null);
    else if (chosen.includes(p)) originals.push({ token, id: encoding.input_ids[p] });
  });
  return { texts, originals };
}

/** Writes `token` where the `maskIndex`-th [MASK] (`mlm[maskIndex]`) is, and forgets its original. */
export function fillMask(encoding: BertEncoding, mlm: MlmResult[], state: MaskedTexts, maskIndex: number, token: string): MaskedTexts {
  const position = mlm[maskIndex]?.position;
  const span = position === undefined ? null : encoding.offsets[position];
  if (position === undefined || !span) return state;
  const texts: [string, string] = [...state.texts];
  const segment = encoding.segment[position];
  texts[segment] = replaceSpan(texts[segment], span, tokenText(token, encoding.tokenizer));
  return { texts, originals: state.originals.filter((_, i) => i !== maskIndex) };
}

/**
 * The originals as a short URL value, so a shared link keeps the scores of the masked tokens:
 * "id:token" per [MASK], comma-separated, "" for a [MASK] the user typed. A token may hold any
 * character, so "%" and "," in it are escaped; the id comes first and ends at the first ":".
 */
export function encodeOriginals(originals: (MaskOrigin | null)[]): string {
  if (originals.every((o) => o === null)) return '';
  return originals.map((o) => (o ? `${o.id}:${o.token.replace(/%/g, '%25').replace(/,/g, '%2C')}` : '')).join(',');
}

/** The inverse of encodeOriginals; null for a value it did not write. */
export function decodeOriginals(value: string): (MaskOrigin | null)[] | null {
  const originals: (MaskOrigin | null)[] = [];
  for (const part of value.split(',')) {
    if (part === '') {
      originals.push(null);
      continue;
    }
    const match = /^(\d{1,9}):(.+)$/s.exec(part);
    if (!match) return null;
    let token: string;
    try {
      token = decodeURIComponent(match[2]);
    } catch {
      return null;
    }
    originals.push({ id: Number(match[1]), token });
  }
  return originals;
}
