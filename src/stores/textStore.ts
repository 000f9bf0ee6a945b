// State of the text (BERT) workspace: the two sentences, which tokens the user masked (and what
// they were, to show the probability the model gives the truth), the latest model output and
// the attention view options. Every edit re-runs the model shortly after typing stops.
// Everything a view shows is also in the URL, so a shared link reproduces it.

import { create } from 'zustand';
import { t } from '../i18n';
import { full, type BertModelInfo, type FullBertOutput } from '../models/types';
import { isSuperseded } from '../worker/client';
import { errorText, type AppStore } from './appStore';
import type { StoreDeps } from './deps';
import { decodeOriginals, encodeOriginals, fillMask, maskTokens, type MaskOrigin, type MaskedTexts } from './masking';
import { readChoice, readInteger, type IgnoredParam } from './urlState';

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
  /** The examples' language: Korean ones need a multilingual checkpoint's vocabulary. */
  language: 'en' | 'ko';
}

// The first pair is the masked-LM example of the BERT paper (Devlin et al., 2019, appendix A.1).
export const EXAMPLES: Example[] = [
  { a: 'the man went to the [MASK] store.', b: 'he bought a gallon of milk.', language: 'en' },
  { a: 'the cat sat on the mat.', b: 'it was soon asleep in the sun.', language: 'en' },
  { a: 'paris is the capital of france.', b: 'it is known for the eiffel tower.', language: 'en' },
  { a: 'she opened the door and walked in.', b: 'the room was dark and quiet.', language: 'en' },
  { a: '그 남자는 [MASK] 가게에 갔다.', b: '그는 우유 한 통을 샀다.', language: 'ko' },
  { a: '서울은 대한민국의 [MASK]이다.', b: '한강이 도시 한가운데를 흐른다.', language: 'ko' },
  { a: '나는 아침에 커피를 한 [MASK] 마셨다.', b: '그제야 잠이 완전히 깼다.', language: 'ko' },
  { a: '고양이가 창가에 앉아 있었다.', b: '햇살이 따뜻하게 들어왔다.', language: 'ko' },
];

/** Unrelated sentences to swap in as B, to see what the NSP head says about a random pairing; by the language of A. */
export const RANDOM_SENTENCES: Record<Example['language'], string[]> = {
  en: [
    'penguins are flightless birds.',
    'the stock market closed higher on friday.',
    'add two cups of flour to the bowl.',
    'the train to the airport leaves every hour.',
    'volcanoes form where tectonic plates meet.',
    'my grandmother knits warm sweaters.',
    'the team scored in the final minute.',
  ],
  ko: [
    '펭귄은 날지 못하는 새다.',
    '금요일 주식 시장은 상승 마감했다.',
    '그릇에 밀가루 두 컵을 넣는다.',
    '공항 가는 기차는 한 시간마다 출발한다.',
    '화산은 판과 판이 만나는 곳에서 생긴다.',
    '할머니는 따뜻한 스웨터를 뜨신다.',
  ],
};

const HANGUL = /\p{Script=Hangul}/u;

const VIEWS: AttentionView[] = ['head', 'model', 'matrix', 'rollout', 'neuron'];
export const MAX_TOP_K = 20;
const DEFAULT_TOP_K = 5;
const DEFAULT_ATTENTION: AttentionOptions = { view: 'head', layer: 0, head: 'mean', hideSpecial: false, query: 0 };

export interface TextState {
  textA: string;
  textB: string;
  topK: number;
  /** Why the last top-k the user typed was not taken (out of range), or null. */
  topKError: string | null;
  /** Originals of the [MASK] tokens of A then B, in order; null where the user typed [MASK]. */
  originals: (MaskOrigin | null)[];
  output: FullBertOutput | null;
  /** Sentences A and B that `output` was computed from (its offsets point into them). */
  input: [string, string] | null;
  running: boolean;
  error: string | null;
  attention: AttentionOptions;
  /** Position whose row of the position-similarity matrix is plotted. */
  positionFocus: number;
  /** URL parameters that could not be used (the UI lists them). */
  ignoredParams: IgnoredParam[];

  setTextA: (text: string) => void;
  setTextB: (text: string) => void;
  /** Takes a top-k from 1 to MAX_TOP_K; anything else is refused with `topKError`. */
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
  const { url } = deps;
  const ignoredParams: IgnoredParam[] = [];
  const textA = url.read('a') ?? EXAMPLES[0].a;
  const textB = url.read('b') ?? EXAMPLES[0].b;
  // No model is loaded yet: the link's masks are counted in any mask token a model writes.
  const linkMasks = Math.max(...[DEFAULT_MASK, '<mask>'].map((mask) => `${textA}\n${textB}`.split(mask).length - 1));
  const initialOriginals = readOriginals(url.read('masked'), linkMasks, ignoredParams);
  const attention: AttentionOptions = {
    view: readChoice(url, 'view', VIEWS, DEFAULT_ATTENTION.view, ignoredParams),
    // The URL counts layers and heads from 1, as the UI does.
    layer: readInteger(url, 'layer', 1, Infinity, DEFAULT_ATTENTION.layer + 1, ignoredParams) - 1,
    head: url.read('head') === 'mean' ? 'mean' : readHead(url.read('head'), ignoredParams),
    hideSpecial: readChoice(url, 'nospecial', ['1'], null, ignoredParams) === '1',
    query: readInteger(url, 'query', 0, Infinity, DEFAULT_ATTENTION.query, ignoredParams),
  };
  const topK = readInteger(url, 'topk', 1, MAX_TOP_K, DEFAULT_TOP_K, ignoredParams);
  const positionFocus = readInteger(url, 'pos', 0, Infinity, 0, ignoredParams);

  const writeAttention = ({ view, layer, head, hideSpecial, query }: AttentionOptions) =>
    url.write({
      view: view === DEFAULT_ATTENTION.view ? null : view,
      layer: layer === DEFAULT_ATTENTION.layer ? null : String(layer + 1),
      head: head === 'mean' ? null : String(head + 1),
      nospecial: hideSpecial ? '1' : null,
      query: query === DEFAULT_ATTENTION.query ? null : String(query),
    });

  const store = create<TextState>()((set, get) => {
    let runTimer: ReturnType<typeof setTimeout> | undefined;
    const scheduleRun = () => {
      clearTimeout(runTimer);
      runTimer = setTimeout(() => void get().run(), deps.runDelayMs);
    };
    const setTexts = ({ texts: [textA, textB], originals }: MaskedTexts) => {
      set({ textA, textB, originals });
      url.write({ a: textA, b: textB, masked: encodeOriginals(originals) });
      scheduleRun();
    };
    const countMasks = (text: string) => text.split(maskTokenOf(app.getState().slots.bert.current)).length - 1;

    return {
      textA,
      textB,
      topK,
      topKError: null,
      originals: initialOriginals,
      output: null,
      input: null,
      running: false,
      error: null,
      attention,
      positionFocus,
      ignoredParams,

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
        if (!Number.isInteger(k) || k < 1 || k > MAX_TOP_K) {
          set({ topKError: t('text.topKRange', { max: MAX_TOP_K, value: k }) });
          return;
        }
        set({ topK: k, topKError: null });
        url.write({ topk: k === DEFAULT_TOP_K ? null : String(k) });
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
        const pool = RANDOM_SENTENCES[HANGUL.test(textA) ? 'ko' : 'en'];
        const others = pool.filter((s) => s !== textB);
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
        writeAttention(get().attention);
        const { attention, output } = get();
        if (attention.view === 'neuron' && output && !output.queries_keys) void get().run();
      },

      setPositionFocus(position) {
        set({ positionFocus: position });
        url.write({ pos: position === 0 ? null : String(position) });
      },

      async run() {
        clearTimeout(runTimer);
        const { textA, textB, topK, attention } = get();
        if (textA.trim() === '') {
          const stale = get().output ? ` ${t('text.staleResults')}` : '';
          set({ error: `${t('text.emptySentenceA')}${stale}` });
          return;
        }
        if (!app.getState().slots.bert.current) return;
        set({ running: true });
        try {
          // Queries and keys are read back only while the neuron view is open (they are large).
          const outputs = attention.view === 'neuron' ? { queries_keys: true } : undefined;
          const output = full(await deps.inference().runText(textA, textB.trim() ? textB : null, topK, outputs));
          // A different model may have fewer layers or heads than the view was showing.
          const [layers, heads] = [output.attentions.length, output.attentions[0]?.shape[0] ?? 0];
          set((s) => ({
            output,
            input: [textA, textB],
            error: null,
            running: false,
            attention: {
              ...s.attention,
              layer: Math.min(s.attention.layer, layers - 1),
              head: s.attention.head === 'mean' || s.attention.head < heads ? s.attention.head : 'mean',
              query: Math.min(s.attention.query, output.encoding.tokens.length - 1),
            },
          }));
          writeAttention(get().attention);
          app.getState().reportTimings('bert', output.timings);
        } catch (e) {
          if (isSuperseded(e)) return;
          set({ error: errorText(e), running: false });
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

/** A head from the URL (1-based, or "mean"); anything else is reported and gives the average. */
function readHead(value: string | null, ignored: IgnoredParam[]): number | 'mean' {
  if (value === null) return 'mean';
  if (/^[1-9]\d{0,3}$/.test(value)) return Number(value) - 1;
  ignored.push({ key: 'head', value });
  return 'mean';
}

/** The masked tokens' originals from the URL; they must match the texts' [MASK]s one for one. */
function readOriginals(value: string | null, masks: number, ignored: IgnoredParam[]): (MaskOrigin | null)[] {
  if (value === null) return [];
  const originals = decodeOriginals(value);
  if (originals && originals.length === masks) return originals;
  ignored.push({ key: 'masked', value });
  return [];
}
