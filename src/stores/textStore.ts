// State of the text (BERT) workspace: the two sentences, which tokens the user masked (and what
// they were, to show the probability the model gives the truth), the latest model output and
// the attention view options. Every edit re-runs the model shortly after typing stops.

import { create } from 'zustand';
import { full, type BertModelInfo, type FullBertOutput } from '../models/types';
import { t } from '../i18n';
import { isCancelled, isSuperseded } from '../worker/client';
import { errorText, type AppStore } from './appStore';
import type { StoreDeps } from './deps';
import { fillMask, maskTokens, type MaskOrigin, type MaskedTexts } from './masking';

export type AttentionView = 'head' | 'model' | 'matrix' | 'rollout' | 'neuron';

export interface AttentionOptions {
  view: AttentionView;
  layer: number;
  /** A head index, or 'mean' for the average over heads. */
  head: number | 'mean';
  /** Drop [CLS]/[SEP] rows and columns and renormalise the remaining rows. */
  hideSpecial: boolean;
  /** Position of the query token the neuron view follows. */
  query: number;
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
  /** Puts B first and A second (sentence-order prediction's contrast), with their masks' originals. */
  swapSentences: () => void;
  /** Changes the attention view; opening the neuron view re-runs for the queries and keys if they are missing. */
  setAttention: (patch: Partial<AttentionOptions>) => void;
  setPositionFocus: (position: number) => void;
  run: () => Promise<void>;
}

export type TextStore = ReturnType<typeof createTextStore>;

const DEFAULT_MASK = '[MASK]';

/** The mask token of the loaded text model ([MASK] until one is loaded, as the examples are written). */
const maskTokenOf = (model: { info: BertModelInfo } | null): string => model?.info.mask_token ?? DEFAULT_MASK;

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
    const countMasks = (text: string) => text.split(maskTokenOf(app.getState().slots.bert.current)).length - 1;

    return {
      textA: deps.url.read('a') ?? EXAMPLES[0].a,
      textB: deps.url.read('b') ?? EXAMPLES[0].b,
      topK: 5,
      originals: [],
      output: null,
      running: false,
      error: null,
      attention: { view: 'head', layer: 0, head: 'mean', hideSpecial: false, query: 0 },
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
        // The examples are written with BERT's [MASK]; other models have their own mask token.
        const mask = maskTokenOf(app.getState().slots.bert.current);
        setTexts({ texts: [example.a.replaceAll(DEFAULT_MASK, mask), example.b.replaceAll(DEFAULT_MASK, mask)], originals: [] });
      },

      randomSentenceB() {
        const { textA, textB, originals } = get();
        const others = RANDOM_SENTENCES.filter((s) => s !== textB);
        const keptA = originals.slice(0, countMasks(textA));
        setTexts({ texts: [textA, others[Math.floor(deps.random() * others.length)]], originals: keptA });
      },

      swapSentences() {
        const { textA, textB, originals } = get();
        const inA = countMasks(textA);
        setTexts({ texts: [textB, textA], originals: [...originals.slice(inA), ...originals.slice(0, inA)] });
      },

      setAttention(patch) {
        set((s) => ({ attention: { ...s.attention, ...patch } }));
        const { attention, output } = get();
        if (attention.view === 'neuron' && output && !output.queries_keys) void get().run();
      },

      setPositionFocus(position) {
        set({ positionFocus: position });
      },

      async run() {
        clearTimeout(runTimer);
        const { textA, textB, topK, attention } = get();
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
          // Queries and keys are read back only while the neuron view is open (they are large).
          const outputs = attention.view === 'neuron' ? { queries_keys: true } : undefined;
          const output = full(await app.getState().track(what, () => deps.inference().runText(textA, textB.trim() ? textB : null, topK, outputs)));
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
              query: Math.min(s.attention.query, output.encoding.tokens.length - 1),
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

  // A new model or backend gives new numbers for the same input. A model with another mask token
  // (RoBERTa's <mask> after BERT's [MASK]) gets the masks in the texts rewritten to its own.
  app.subscribe((now, before) => {
    const model = now.slots.bert.current;
    if (!model || (model === before.slots.bert.current && now.backend === before.backend)) return;
    const [was, mask] = [maskTokenOf(before.slots.bert.current), maskTokenOf(model)];
    if (was !== mask) {
      const { textA, textB } = store.getState();
      const [a, b] = [textA.replaceAll(was, mask), textB.replaceAll(was, mask)];
      store.setState({ textA: a, textB: b });
      deps.url.write({ a, b });
    }
    void store.getState().run();
  });
  return store;
}
