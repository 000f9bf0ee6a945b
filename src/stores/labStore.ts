// State of the self-supervision lab (text workspace): the user's text, the seed, and what the
// loaded BERT makes of the training data drawn from them:
//   - one masked-LM example from the text, run on its corrupted input;
//   - a pretraining batch of 16 NSP pairs (from the text and the bundled held-out corpus), each
//     masked too, with the batch's NSP accuracy and mean losses;
//   - on request, a tally over many rolls of the example (how often each kind of corrupted
//     position is still recovered).
// The examples are drawn here (src/analysis/pretraining.ts, seeded); the worker only tokenizes
// and runs the model. The lab runs while it is open, and again when the model or backend changes.

import { create } from 'zustand';
import {
  instanceSegments,
  makeMlmExample,
  makeNspBatch,
  meanLoss,
  pairMaskSeed,
  scoreMlm,
  scoreNsp,
  splitSentences,
  type Corruption,
  type MlmExample,
  type MlmScore,
  type MlmVocab,
  type NspPair,
  type NspScore,
  type SentenceDocument,
} from '../analysis/pretraining';
import { t } from '../i18n';
import type { BertEncoding, BertOutput, OutputRequest } from '../models/types';
import { isSuperseded } from '../worker/client';
import type { IdsInput, Tokenized } from '../worker/protocol';
import { errorText, type AppStore } from './appStore';
import type { StoreDeps } from './deps';
import { readChoice, readInteger, type IgnoredParam } from './urlState';

export const LAB_DEFAULT_TEXT =
  'the man went to the store. he bought a gallon of milk. it was raining, so he walked home quickly. his dog was waiting at the door.';

/** Pairs in a pretraining batch, as the lab shows it. */
export const BATCH_SIZE = 16;
/** Rolls counted by "roll many", and how many go to the worker at once (for progress). */
export const ROLLS = 200;
const ROLL_CHUNK = 25;
const TOP_K = 5;
/** The lab reads predictions only: no attentions or hidden states come back. */
const OUTPUTS: OutputRequest = { attentions: false, hidden_states: false };

/** One masked-LM example from the user's text and the model's answers on it. */
export interface LabExample {
  segments: { a: string; b: string | null };
  /** The text as tokenized (the original). */
  encoding: BertEncoding;
  example: MlmExample;
  /** The tokens of the corrupted input the model read. */
  input_tokens: string[];
  /** One per chosen position; null when the checkpoint has no MLM head. */
  scores: MlmScore[] | null;
}

export interface LabPair extends NspPair {
  encoding: BertEncoding;
  example: MlmExample;
  /** Null when the checkpoint has no NSP head. */
  nsp: NspScore | null;
  mlm: MlmScore[] | null;
}

export interface LabBatch {
  seed: number;
  pairs: LabPair[];
  /** Share of pairs whose NSP prediction is right; null without an NSP head. */
  nsp_accuracy: number | null;
  nsp_loss: number | null;
  /** Mean MLM loss over every chosen position of the batch; null without an MLM head. */
  mlm_loss: number | null;
  /** The pretraining loss: mean MLM loss + mean NSP loss. */
  total_loss: number | null;
}

/** Counts of one kind of chosen position over many rolls. */
export interface KindTally {
  count: number;
  /** The top prediction was the original token. */
  recovered: number;
  loss_sum: number;
}

export interface RollSummary {
  /** Seeds seed_from .. seed_from + rolls − 1. */
  seed_from: number;
  rolls: number;
  done: number;
  candidates: number;
  chosen: number;
  by_kind: Record<Corruption, KindTally>;
  error: string | null;
}

export interface LabState {
  /** The lab is on screen: it runs only then. */
  open: boolean;
  text: string;
  seed: number;
  wholeWord: boolean;
  example: LabExample | null;
  exampleError: string | null;
  corpus: SentenceDocument[] | null;
  batch: LabBatch | null;
  batchError: string | null;
  /** Runs in flight: the example, the batch. */
  running: { example: boolean; batch: boolean };
  rolls: RollSummary | null;
  /** URL parameters that could not be used (the UI lists them). */
  ignoredParams: IgnoredParam[];

  setOpen: (open: boolean) => void;
  setText: (text: string) => void;
  setSeed: (seed: number) => void;
  /** The next seed: a new example and batch. */
  reroll: () => void;
  setWholeWord: (wholeWord: boolean) => void;
  /** Makes and runs the example and the batch for the current text, seed and options. */
  run: () => Promise<void>;
  /** Tallies ROLLS examples of the text, seeds seed .. seed + ROLLS − 1. */
  roll: () => Promise<void>;
}

const emptyTally = (): Record<Corruption, KindTally> => ({
  mask: { count: 0, recovered: 0, loss_sum: 0 },
  random: { count: 0, recovered: 0, loss_sum: 0 },
  keep: { count: 0, recovered: 0, loss_sum: 0 },
});

const vocabOf = (t: Tokenized): MlmVocab => ({ size: t.vocab_size, special_ids: t.special_ids, mask_id: t.mask_id });

const inputOf = (example: MlmExample): IdsInput => ({
  input_ids: example.input_ids,
  token_type_ids: example.token_type_ids,
  mlm_positions: example.positions,
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** `sentences.json`: `{ documents: [{ source, id, sentences }] }`, as scripts/train/bert/build_lab_sentences.py writes it. */
function parseCorpus(value: unknown): SentenceDocument[] {
  const documents = (value as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents)) throw new Error(t('lab.corpusFormat', { problem: 'no list of "documents"' }));
  return documents.map((entry: unknown, i) => {
    const { source, id, sentences } = (entry ?? {}) as Record<string, unknown>;
    const ok = typeof source === 'string' && typeof id === 'string' && Array.isArray(sentences) && sentences.every((s) => typeof s === 'string');
    if (!ok) throw new Error(t('lab.corpusFormat', { problem: `document ${i} needs a "source", an "id" and a list of "sentences"` }));
    return { source, id, sentences };
  });
}

export type LabStore = ReturnType<typeof createLabStore>;

const MAX_SEED = 0xffffffff;

export function createLabStore(deps: StoreDeps, app: AppStore) {
  const { url } = deps;
  const ignoredParams: IgnoredParam[] = [];
  const initial = {
    text: url.read('ltext') ?? LAB_DEFAULT_TEXT,
    seed: readInteger(url, 'seed', 0, MAX_SEED, 0, ignoredParams),
    wholeWord: readChoice(url, 'wholeword', ['1'], null, ignoredParams) === '1',
  };
  const writeInput = ({ text, seed, wholeWord }: Pick<LabState, 'text' | 'seed' | 'wholeWord'>) =>
    url.write({ ltext: text === LAB_DEFAULT_TEXT ? null : text, seed: seed === 0 ? null : String(seed), wholeword: wholeWord ? '1' : null });
  const store = create<LabState>()((set, get) => {
    let runTimer: ReturnType<typeof setTimeout> | undefined;
    // Each run takes a ticket; a result whose ticket is no longer the newest is dropped.
    let ticket = 0;
    let rollTicket = 0;
    const scheduleRun = () => {
      clearTimeout(runTimer);
      ticket++;
      set({ rolls: null });
      runTimer = setTimeout(() => void get().run(), deps.runDelayMs);
    };
    const hasModel = () => app.getState().slots.bert.current !== null;

    async function loadCorpus(): Promise<SentenceDocument[]> {
      const cached = get().corpus;
      if (cached) return cached;
      const response = await deps.fetch(`${deps.publicBase}labs/sentences.json`);
      if (!response.ok) throw new Error(t('lab.corpusHttp', { status: response.status }));
      const corpus = parseCorpus(await response.json());
      set({ corpus });
      return corpus;
    }

    async function runExample(mine: number, sentences: string[]): Promise<void> {
      const { seed, wholeWord } = get();
      const segments = instanceSegments(sentences);
      set((s) => ({ running: { ...s.running, example: true } }));
      try {
        const tokenized = await deps.inference().tokenize([segments]);
        const encoding = tokenized.encodings[0];
        const example = makeMlmExample(encoding, vocabOf(tokenized), { seed, wholeWord });
        const [output] = await deps.inference().runIds('lab-example', [inputOf(example)], TOP_K, OUTPUTS);
        if (mine !== ticket) return;
        const scores = output.mlm ? scoreMlm(example, output.mlm) : null;
        set((s) => ({
          example: { segments, encoding, example, input_tokens: output.encoding.tokens, scores },
          exampleError: null,
          running: { ...s.running, example: false },
        }));
        app.getState().reportTimings('bert', output.timings);
      } catch (e) {
        if (isSuperseded(e) || mine !== ticket) return;
        set((s) => ({ exampleError: errorText(e), running: { ...s.running, example: false } }));
      }
    }

    async function runBatch(mine: number, sentences: string[]): Promise<void> {
      const { seed, wholeWord } = get();
      set((s) => ({ running: { ...s.running, batch: true } }));
      try {
        const pairs = makeNspBatch(sentences, await loadCorpus(), seed, BATCH_SIZE);
        const tokenized = await deps.inference().tokenize(pairs.map(({ a, b }) => ({ a, b })));
        const vocab = vocabOf(tokenized);
        const examples = tokenized.encodings.map((encoding, k) => makeMlmExample(encoding, vocab, { seed: pairMaskSeed(seed, k), wholeWord }));
        const outputs: BertOutput[] = await deps.inference().runIds('lab-batch', examples.map(inputOf), TOP_K, OUTPUTS);
        if (mine !== ticket) return;
        const labPairs: LabPair[] = pairs.map((pair, k) => ({
          ...pair,
          encoding: tokenized.encodings[k],
          example: examples[k],
          nsp: outputs[k].nsp ? scoreNsp(pair, outputs[k].nsp) : null,
          mlm: outputs[k].mlm ? scoreMlm(examples[k], outputs[k].mlm) : null,
        }));
        const nsp = labPairs.every((p) => p.nsp) ? labPairs.map((p) => p.nsp!) : null;
        const mlm = labPairs.every((p) => p.mlm) ? labPairs.flatMap((p) => p.mlm!) : null;
        const nspLoss = nsp ? mean(nsp.map((s) => s.loss)) : null;
        const mlmLoss = mlm ? meanLoss(mlm) : null;
        set((s) => ({
          batch: {
            seed,
            pairs: labPairs,
            nsp_accuracy: nsp ? mean(nsp.map((s) => (s.correct ? 1 : 0))) : null,
            nsp_loss: nspLoss,
            mlm_loss: mlmLoss,
            total_loss: nspLoss !== null && mlmLoss !== null ? mlmLoss + nspLoss : null,
          },
          batchError: null,
          running: { ...s.running, batch: false },
        }));
      } catch (e) {
        if (isSuperseded(e) || mine !== ticket) return;
        set((s) => ({ batchError: errorText(e), running: { ...s.running, batch: false } }));
      }
    }

    return {
      open: url.read('lab') === 'self-supervision',
      ...initial,
      example: null,
      exampleError: null,
      corpus: null,
      batch: null,
      batchError: null,
      running: { example: false, batch: false },
      rolls: null,
      ignoredParams,

      setOpen(open) {
        set({ open });
        url.write({ lab: open ? 'self-supervision' : null });
        // Closed, the lab does not follow model changes: opening it always runs afresh.
        if (open) void get().run();
      },
      setText(text) {
        set({ text });
        writeInput(get());
        scheduleRun();
      },
      setSeed(seed) {
        if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) return;
        set({ seed });
        writeInput(get());
        scheduleRun();
      },
      reroll() {
        get().setSeed((get().seed + 1) % 2 ** 32);
      },
      setWholeWord(wholeWord) {
        set({ wholeWord });
        writeInput(get());
        scheduleRun();
      },

      async run() {
        clearTimeout(runTimer);
        if (!get().open || !hasModel()) return;
        const mine = ++ticket;
        set({ rolls: null });
        const sentences = splitSentences(get().text);
        if (sentences.length === 0) {
          set({ exampleError: t('lab.noText') });
          return;
        }
        await Promise.all([runExample(mine, sentences), runBatch(mine, sentences)]);
      },

      async roll() {
        const { text, seed, wholeWord } = get();
        const sentences = splitSentences(text);
        if (sentences.length === 0 || !hasModel()) return;
        const [mine, myRoll] = [ticket, ++rollTicket];
        const current = () => mine === ticket && myRoll === rollTicket;
        const summary: RollSummary = { seed_from: seed, rolls: ROLLS, done: 0, candidates: 0, chosen: 0, by_kind: emptyTally(), error: null };
        set({ rolls: summary });
        try {
          const tokenized = await deps.inference().tokenize([instanceSegments(sentences)]);
          const vocab = vocabOf(tokenized);
          for (let from = 0; from < ROLLS; from += ROLL_CHUNK) {
            const examples = Array.from({ length: Math.min(ROLL_CHUNK, ROLLS - from) }, (_, i) =>
              makeMlmExample(tokenized.encodings[0], vocab, { seed: (seed + from + i) % 2 ** 32, wholeWord }),
            );
            const outputs = await deps.inference().runIds('lab-rolls', examples.map(inputOf), TOP_K, OUTPUTS);
            if (!current()) return;
            examples.forEach((example, i) => {
              const mlm = outputs[i].mlm;
              if (!mlm) throw new Error(t('lab.noMlmHead'));
              summary.candidates += example.candidates;
              summary.chosen += example.positions.length;
              for (const score of scoreMlm(example, mlm)) {
                const tally = summary.by_kind[score.corruption];
                tally.count++;
                tally.recovered += score.recovered ? 1 : 0;
                tally.loss_sum += score.loss;
              }
            });
            summary.done += examples.length;
            set({ rolls: { ...summary, by_kind: structuredClone(summary.by_kind) } });
          }
        } catch (e) {
          if (isSuperseded(e) || !current()) return;
          set({ rolls: { ...summary, error: errorText(e) } });
        }
      },
    };
  });

  // A new model or backend gives new numbers for the same text.
  app.subscribe((now, before) => {
    const model = now.slots.bert.current;
    if (model && (model !== before.slots.bert.current || now.backend !== before.backend)) void store.getState().run();
  });
  return store;
}
