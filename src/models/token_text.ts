// What a vocabulary token reads as, for each tokenizer family. Pure functions (no tfjs), shared by
// the tokenizers, the masking store and the views.
//   - WordPiece: "##ing" continues a word.
//   - Byte-level BPE (GPT-2, RoBERTa): every byte is stored as one printable character (a space is
//     "Ġ", a newline "Ċ"), so a token is a byte string, possibly a piece of one UTF-8 character.
//   - Unigram (SentencePiece): "▁" marks a word start.

import type { TokenizerKind } from './types';

/** GPT-2's map from characters back to bytes: printable Latin-1 characters stand for themselves, the rest were moved to U+0100 on. */
const BYTE_OF_CHAR: Map<string, number> = (() => {
  const map = new Map<string, number>();
  let moved = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map.set(String.fromCharCode(printable ? b : 256 + moved++), b);
  }
  return map;
})();

/** The bytes a byte-level BPE token stands for; null if it is not a byte string (an added token such as <mask>). */
export function byteLevelBytes(token: string): Uint8Array | null {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = BYTE_OF_CHAR.get(token[i]);
    if (b === undefined) return null;
    bytes[i] = b;
  }
  return bytes;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text a byte-level token decodes to, or null when its bytes are not whole UTF-8 characters. */
function byteLevelText(token: string): string | null {
  const bytes = byteLevelBytes(token);
  if (!bytes) return null;
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** The text a token puts into a sentence where it replaces a mask (no word-start marker or leading space). */
export function tokenText(token: string, kind: TokenizerKind): string {
  if (kind === 'wordpiece') return token.startsWith('##') ? token.slice(2) : token;
  if (kind === 'unigram') return token.replace(/^▁/u, '').replaceAll('▁', ' ');
  return (byteLevelText(token) ?? token).replace(/^ /, '');
}

/**
 * A token as the UI shows it: byte-level BPE decoded, with a leading space as "␣", newlines and tabs
 * as ↵ and ⇥, and bytes that are only part of a character as <0xF0>; other tokens as they are.
 */
export function displayToken(token: string, kind: TokenizerKind): string {
  if (kind !== 'bpe') return token;
  const bytes = byteLevelBytes(token);
  if (!bytes) return token;
  const text = byteLevelText(token);
  if (text === null) return [...bytes].map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
  return text.replace(/^ /, '␣').replaceAll('\n', '↵').replaceAll('\t', '⇥');
}
