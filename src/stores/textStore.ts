// State of the text (BERT) workspace: the two sentences, which tokens the user masked (and what
// they were, to show the probability the model gives the truth), the latest model output and
// the attention view options. Every edit re-runs the model shortly after typing stops.

import { create } from 'zustand';
import { full, type FullBertOutput } from '../models/types';
import { t } from '../i18n';
import { isCancelled, isSuperseded } from '../worker/client';
import { errorText, type AppStore } from './appStore';
import type { StoreDeps } from './deps';
import { fillMask, maskTokens, MASK, type MaskOrigin, type MaskedTexts } from './masking';

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

export interface TextState {
  textA: string;
  textB: string;
  topK: number;
  /** Originals of the [MASK] tokens of A then B, in order; null where the user typed [MASK]. */
  originals: (MaskOrigin | null)[];
  output: FullBertOutput | null;
  running: boolean;
  error: string | null;
  attention: AttentionOptions;
  /** Position whose row of the position-similarity matrix is plotted. */
  positionFocus: number;

  setTextA: (text: string) => void;
  setTextB: (text: string) => void;
  setTopK: (k: number) => void;
  /** Replaces the token at `position` (or every token of its word) with [MASK] and re-runs. */
  maskToken: (position: number, wholeWord: boolean) => void;
  /** Puts `token` where the `maskIndex`-th [MASK] is and re-runs. */
  fillMask: (maskIndex: number, token: string) => void;
  loadExample: (example: Example) => void;
  randomSentenceB: () => void;
  setAttention: (patch: Partial<AttentionOptions>) => void;
  setPositionFocus: (position: number) => void;
  run: () => Promise<void>;
}

export type TextStore = ReturnType<typeof createTextStore>;

/** The text workspace's store; it re-runs the sentences whenever the BERT model or the backend changes. */
export function createTextStore(deps: StoreDeps, app: AppStore) {
  const store = create<TextState>()((set, get) => {
    let runTimer: ReturnType<typeof setTimeout> | undefined;
    const scheduleRun = () => {
      clearTimeout(runTimer);
      runTimer = setTimeout(() => void get().run(), deps.runDelayMs);
    };
    const setTexts = ({ texts: [textA, textB], originals }: MaskedTexts) => {
      set({ textA, textB, originals });
      deps.url.write({ a: textA, b: textB });
      scheduleRun();
    };
    const countMasks = (text: string) => text.split(MASK).length - 1;

    return {
      textA: deps.url.read('a') ?? EXAMPLES[0].a,
      textB: deps.url.read('b') ?? EXAMPLES[0].b,
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
        setTexts({ texts: [text, textB], originals: countMasks(text) === countMasks(textA) ? originals : [] });
      },
      setTextB(text) {
        const { textA, textB, originals } = get();
        setTexts({ texts: [textA, text], originals: countMasks(text) === countMasks(textB) ? originals : [] });
      },
      setTopK(k) {
        set({ topK: k });
        scheduleRun();
      },

      maskToken(position, wholeWord) {
        const { output, textA, textB, originals } = get();
        if (!output) return;
        setTexts(maskTokens(output.encoding, { texts: [textA, textB], originals }, position, wholeWord));
      },

      fillMask(maskIndex, token) {
        const { output, textA, textB, originals } = get();
        if (!output?.mlm) return;
        setTexts(fillMask(output.encoding, output.mlm, { texts: [textA, textB], originals }, maskIndex, token));
      },

      loadExample(example) {
        setTexts({ texts: [example.a, example.b], originals: [] });
      },

      randomSentenceB() {
        const { textA, textB, originals } = get();
        const others = RANDOM_SENTENCES.filter((s) => s !== textB);
        const keptA = originals.slice(0, countMasks(textA));
        setTexts({ texts: [textA, others[Math.floor(deps.random() * others.length)]], originals: keptA });
      },

      setAttention(patch) {
        set((s) => ({ attention: { ...s.attention, ...patch } }));
      },

      setPositionFocus(position) {
        set({ positionFocus: position });
      },

      async run() {
        clearTimeout(runTimer);
        const { textA, textB, topK } = get();
        if (textA.trim() === '') {
          const stale = get().output ? ' The results below are for the previous input.' : '';
          set({ error: `Sentence A is empty: type a sentence to run the model.${stale}` });
          return;
        }
        const model = app.getState().slots.bert.current;
        if (!model) return;
        set({ running: true });
        try {
          const what = t('activity.runText', { model: model.name });
          const output = full(await app.getState().track(what, () => deps.inference().runText(textA, textB.trim() ? textB : null, topK)));
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
          app.getState().reportTimings('bert', output.timings);
        } catch (e) {
          if (isSuperseded(e)) return;
          set({ error: isCancelled(e) ? t('activity.runStopped') : errorText(e), running: false });
        }
      },
    };
  });

  // A new model or backend gives new numbers for the same input.
  app.subscribe((now, before) => {
    const model = now.slots.bert.current;
    if (model && (model !== before.slots.bert.current || now.backend !== before.backend)) void store.getState().run();
  });
  return store;
}
