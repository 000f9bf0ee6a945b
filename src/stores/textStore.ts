// State of the text (BERT) workspace: the two sentences, which tokens the user masked (and what
// they were, to show the probability the model gives the truth), the latest model output and
// the attention view options. Every edit re-runs the model shortly after typing stops.

import { create } from 'zustand';
import type { BertEncoding, BertOutput } from '../models/types';
import { getClient, isSuperseded } from '../worker/client';
import { useAppStore } from './appStore';
import { readParam, writeParams } from './urlState';

export const MASK = '[MASK]';

/** The vocabulary token a [MASK] replaced. */
export interface MaskOrigin {
  token: string;
  id: number;
}

export type AttentionView = 'head' | 'model' | 'matrix' | 'rollout';

export interface AttentionOptions {
  view: AttentionView;
  layer: number;
  /** A head index, or 'mean' for the average over heads. */
  head: number | 'mean';
  /** Drop [CLS]/[SEP] rows and columns and renormalise the remaining rows. */
  hideSpecial: boolean;
}

export interface Example {
  a: string;
  b: string;
}

// The first pair is the masked-LM example of the BERT paper (Devlin et al., 2019, appendix A.1).
export const EXAMPLES: Example[] = [
  { a: 'the man went to the [MASK] store.', b: 'he bought a gallon of milk.' },
  { a: 'the cat sat on the mat.', b: 'it was soon asleep in the sun.' },
  { a: 'paris is the capital of france.', b: 'it is known for the eiffel tower.' },
  { a: 'she opened the door and walked in.', b: 'the room was dark and quiet.' },
];

/** Unrelated sentences to swap in as B, to see what the NSP head says about a random pairing. */
export const RANDOM_SENTENCES = [
  'penguins are flightless birds.',
  'the stock market closed higher on friday.',
  'add two cups of flour to the bowl.',
  'the train to the airport leaves every hour.',
  'volcanoes form where tectonic plates meet.',
  'my grandmother knits warm sweaters.',
  'the team scored in the final minute.',
];

interface TextState {
  textA: string;
  textB: string;
  topK: number;
  /** Originals of the [MASK] tokens of A then B, in order; null where the user typed [MASK]. */
  originals: (MaskOrigin | null)[];
  output: BertOutput | null;
  running: boolean;
  error: string | null;
  attention: AttentionOptions;
  /** Position whose row of the position-similarity matrix is plotted. */
  positionFocus: number;

  setTextA(text: string): void;
  setTextB(text: string): void;
  setTopK(k: number): void;
  /** Replaces the token at `position` (or every token of its word) with [MASK] and re-runs. */
  maskToken(position: number, wholeWord: boolean): void;
  /** Puts `token` where the `maskIndex`-th [MASK] is and re-runs. */
  fillMask(maskIndex: number, token: string): void;
  loadExample(example: Example): void;
  randomSentenceB(): void;
  setAttention(patch: Partial<AttentionOptions>): void;
  setPositionFocus(position: number): void;
  run(): Promise<void>;
}

const RUN_DELAY_MS = 250;
let runTimer: ReturnType<typeof setTimeout> | undefined;

function replaceSpan(text: string, [start, end]: [number, number], by: string): string {
  return text.slice(0, start) + by + text.slice(end);
}

/**
 * The texts with the tokens at `positions` replaced by [MASK], and the originals of all masks
 * in order. Spans are replaced from the end so earlier offsets stay valid.
 */
export function maskPositions(
  encoding: BertEncoding,
  texts: [string, string],
  positions: number[],
  originals: (MaskOrigin | null)[],
): { texts: [string, string]; originals: (MaskOrigin | null)[] } {
  const chosen = new Set(positions.filter((p) => encoding.segment[p] >= 0 && encoding.tokens[p] !== MASK));
  const out: [string, string] = [...texts];
  for (const p of [...chosen].sort((x, y) => (encoding.offsets[y]?.[0] ?? 0) - (encoding.offsets[x]?.[0] ?? 0))) {
    const span = encoding.offsets[p];
    if (span) out[encoding.segment[p]] = replaceSpan(out[encoding.segment[p]], span, MASK);
  }
  const nextOriginals: (MaskOrigin | null)[] = [];
  let k = 0;
  encoding.tokens.forEach((token, p) => {
    if (token === MASK) nextOriginals.push(originals[k++] ?? null);
    else if (chosen.has(p)) nextOriginals.push({ token, id: encoding.input_ids[p] });
  });
  return { texts: out, originals: nextOriginals };
}

/** Text of a vocabulary token as it reads inside a word: WordPiece continuations lose their "##". */
export const tokenText = (token: string) => (token.startsWith('##') ? token.slice(2) : token);

export const useTextStore = create<TextState>()((set, get) => {
  const scheduleRun = () => {
    clearTimeout(runTimer);
    runTimer = setTimeout(() => void get().run(), RUN_DELAY_MS);
  };
  const setTexts = (textA: string, textB: string, originals: (MaskOrigin | null)[]) => {
    set({ textA, textB, originals });
    writeParams({ a: textA, b: textB });
    scheduleRun();
  };
  const countMasks = (text: string) => text.split(MASK).length - 1;

  return {
    textA: readParam('a') ?? EXAMPLES[0].a,
    textB: readParam('b') ?? EXAMPLES[0].b,
    topK: 5,
    originals: [],
    output: null,
    running: false,
    error: null,
    attention: { view: 'head', layer: 0, head: 'mean', hideSpecial: false },
    positionFocus: 0,

    // Typing keeps the known originals only while the masks stay the same ones.
    setTextA(text) {
      const { textA, textB, originals } = get();
      setTexts(text, textB, countMasks(text) === countMasks(textA) ? originals : []);
    },
    setTextB(text) {
      const { textA, textB, originals } = get();
      setTexts(textA, text, countMasks(text) === countMasks(textB) ? originals : []);
    },
    setTopK(k) {
      set({ topK: k });
      scheduleRun();
    },

    maskToken(position, wholeWord) {
      const { output, textA, textB, originals } = get();
      if (!output) return;
      const enc = output.encoding;
      if (enc.segment[position] < 0) return;
      const positions = wholeWord
        ? enc.tokens.map((_, p) => p).filter((p) => enc.segment[p] === enc.segment[position] && enc.word_ids[p] === enc.word_ids[position])
        : [position];
      const masked = maskPositions(enc, [textA, textB], positions, originals);
      setTexts(masked.texts[0], masked.texts[1], masked.originals);
    },

    fillMask(maskIndex, token) {
      const { output, textA, textB, originals } = get();
      const result = output?.mlm?.[maskIndex];
      const span = result && output.encoding.offsets[result.position];
      if (!result || !span) return;
      const texts: [string, string] = [textA, textB];
      const segment = output.encoding.segment[result.position];
      texts[segment] = replaceSpan(texts[segment], span, tokenText(token));
      setTexts(texts[0], texts[1], originals.filter((_, i) => i !== maskIndex));
    },

    loadExample(example) {
      setTexts(example.a, example.b, []);
    },

    randomSentenceB() {
      const { textA, textB, originals } = get();
      const others = RANDOM_SENTENCES.filter((s) => s !== textB);
      const keptA = originals.slice(0, countMasks(textA));
      setTexts(textA, others[Math.floor(Math.random() * others.length)], keptA);
    },

    setAttention(patch) {
      set((s) => ({ attention: { ...s.attention, ...patch } }));
    },

    setPositionFocus(position) {
      set({ positionFocus: position });
    },

    async run() {
      const { textA, textB, topK } = get();
      if (textA.trim() === '') {
        set({ error: 'Type a sentence A to run the model.', output: null });
        return;
      }
      if (!useAppStore.getState().slots.bert.current) return;
      set({ running: true });
      try {
        const output = await getClient().runText(textA, textB.trim() ? textB : null, topK);
        // A different model may have fewer layers or heads than the view was showing.
        const [layers, heads] = [output.attentions.length, output.attentions[0]?.shape[0] ?? 0];
        set((s) => ({
          output,
          error: null,
          running: false,
          attention: {
            ...s.attention,
            layer: Math.min(s.attention.layer, layers - 1),
            head: s.attention.head === 'mean' || s.attention.head < heads ? s.attention.head : 'mean',
          },
        }));
        useAppStore.getState().reportTimings('bert', output.timings);
      } catch (e) {
        if (isSuperseded(e)) return;
        set({ error: e instanceof Error ? e.message : String(e), running: false });
      }
    },
  };
});
