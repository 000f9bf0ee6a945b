// State of the inductive-bias lab (image workspace): the user's ViT against the lab's own CNN on
// the same inputs, each model reading its own processor's pixel_values:
//   - translation: the current image and the bundled samples shifted by −k..k pixels (zero-filled
//     and cyclic), the probability of the reference class and the share still classified right;
//   - occlusion: a grey square slid over the current image, the drop of the reference class's probability;
//   - patch shuffle: the samples with their patches permuted (seeded), accuracy of the ViT, of the
//     ViT without position embeddings (a bag of patches) and of the CNN; timing gives latency;
//   - data and compute costs as measured at training time (models/mini-cnn/inductive_bias.json).
// The transforms run here (src/analysis/imageTransforms.ts); the worker only preprocesses and runs.
// The reference class is a sample's true label; for an image of the user's, each model's own
// prediction on the unchanged image. Three parts run independently (the current image, the
// samples' translation, the shuffle), each with a ticket: a result whose ticket is no longer the
// newest is dropped, so a setting changed mid-run never shows a mix.

import { create } from 'zustand';
import { fillValue, occlude, occlusionGrid, patchPermutation, permutePatches, shiftImage, type ShiftMode } from '../analysis/imageTransforms';
import { mixSeed } from '../analysis/random';
import { t } from '../i18n';
import type { CnnModelInfo, ImagePreprocessing, NdArray } from '../models/types';
import { isSuperseded } from '../worker/client';
import type { LabImageModel } from '../worker/protocol';
import { errorText, type AppStore } from './appStore';
import type { StoreDeps } from './deps';
import type { ImageStore, SampleEntry } from './imageStore';

export const LAB_MODELS: readonly LabImageModel[] = ['vit', 'cnn'];
export const SHIFT_MODES: readonly ShiftMode[] = ['zero', 'cyclic'];
export const CNN_FOLDER = 'models/mini-cnn/';
/** Raw 8-bit value of the occluding square: mid-grey. */
export const OCCLUSION_GREY = 128;
/** Raw value the shifted-in border gets in zero mode: black, the Fashion-MNIST background. */
const BLACK = 0;

export type ShiftAxis = 'x' | 'y';

/** One model's answers along the shifts −k..k. */
export interface ShiftCurve {
  /** Mean probability of the reference class. */
  prob: number[];
  /** Share of images whose top-1 is the reference class (0 or 1 for one image). */
  top1: number[];
}

export type Curves = Record<LabImageModel, Record<ShiftMode, ShiftCurve>>;

export interface CurrentResult {
  name: string;
  /** Reference class per model: its id and name. */
  reference: Record<LabImageModel, { id: number; label: string }>;
  /** The model inputs, unchanged, per model. */
  inputs: Record<LabImageModel, NdArray>;
  /** Class probabilities of the unchanged image, per model, and the class names. */
  probs: Record<LabImageModel, Float32Array>;
  labels: string[];
  shifts: number[];
  curves: Curves;
  /** Top-1 label per model, mode and shift. */
  predicted: Record<LabImageModel, Record<ShiftMode, string[]>>;
  occlusion: {
    size: number;
    stride: number;
    rows: number[];
    cols: number[];
    /** Per model: reference probability of the unchanged image minus with the square at (rows[i], cols[j]), row-major. */
    drop: Record<LabImageModel, Float32Array>;
    base: Record<LabImageModel, number>;
  };
}

export interface SamplesTranslation {
  shifts: number[];
  count: number;
  curves: Curves;
}

export interface ShuffleResult {
  seed: number;
  patch: number;
  count: number;
  /** Accuracy over the samples, unchanged and shuffled. */
  accuracy: Record<'vit' | 'vit_no_positions' | 'cnn', { original: number; shuffled: number }>;
  /** The first sample shuffled, as the CNN reads it (for the picture). */
  example: NdArray;
  /** Wall time per image in the worker while running the unchanged samples. */
  ms_per_image: Record<LabImageModel, number>;
}

/** What the lab reads from inductive_bias.json (written by scripts/train/inductive_bias.py). */
export interface CostFile {
  sweeps: { images_per_run: number; runs: Record<LabImageModel, { train_size: number; test_accuracy: number }[]> }[];
  models: Record<LabImageModel, { parameters: number; flops_per_image: number; latency_ms: number | null }>;
  note: string;
}

type Part = 'current' | 'samples' | 'shuffle';

export interface BiasLabState {
  open: boolean;
  cnn: CnnModelInfo | null;
  cnnError: string | null;
  costs: CostFile | null;
  costsError: string | null;
  maxShift: number;
  axis: ShiftAxis;
  occlusionSize: number;
  occlusionStride: number;
  seed: number;
  /** Side of the shuffled squares; null: the ViT's patch size. */
  shufflePatch: number | null;
  current: CurrentResult | null;
  samples: SamplesTranslation | null;
  shuffle: ShuffleResult | null;
  errors: Record<Part, string | null>;
  running: Record<Part, boolean>;
  /** Samples done of the running samples sweep. */
  progress: { done: number; total: number } | null;

  setOpen: (open: boolean) => void;
  setMaxShift: (k: number) => void;
  setAxis: (axis: ShiftAxis) => void;
  setOcclusionSize: (size: number) => void;
  setSeed: (seed: number) => void;
  setShufflePatch: (patch: number) => void;
  /** Runs every part for the current settings. */
  run: () => Promise<void>;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const argmax = (row: Float32Array) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
const rowOf = (probs: NdArray, i: number) => probs.data.subarray(i * probs.shape[1], (i + 1) * probs.shape[1]);
const range = (k: number) => Array.from({ length: 2 * k + 1 }, (_, i) => i - k);

/** The reference class id of a sample, by its label name. */
function labelId(labels: string[], sample: SampleEntry): number {
  const id = labels.indexOf(sample.label);
  if (id < 0) throw new Error(t('biasLab.unknownLabel', { label: sample.label }));
  return id;
}

function parseCosts(value: unknown): CostFile {
  const bad = (problem: string) => new Error(t('biasLab.costsFormat', { problem }));
  const v = value as { data_size_sweep?: { sweeps?: unknown }; cost?: { models?: Record<string, Record<string, unknown>>; note?: unknown } } | null;
  const sweeps = v?.data_size_sweep?.sweeps;
  const models = v?.cost?.models;
  if (!Array.isArray(sweeps)) throw bad('no data_size_sweep.sweeps list');
  if (!models?.['mini-vit'] || !models['mini-cnn']) throw bad('no cost.models for mini-vit and mini-cnn');
  const runsOf = (runs: unknown, name: string) => {
    if (!Array.isArray(runs)) throw bad(`no runs of ${name}`);
    return runs.map((r: unknown) => {
      const { train_size, test_accuracy } = (r ?? {}) as Record<string, unknown>;
      if (typeof train_size !== 'number' || typeof test_accuracy !== 'number') throw bad(`a run of ${name} without train_size and test_accuracy`);
      return { train_size, test_accuracy };
    });
  };
  const model = (name: string) => {
    const { parameters, flops_per_image, latency_ms_batch1_best } = models[name];
    if (typeof parameters !== 'number' || typeof flops_per_image !== 'number') throw bad(`${name} needs parameters and flops_per_image`);
    return { parameters, flops_per_image, latency_ms: typeof latency_ms_batch1_best === 'number' ? latency_ms_batch1_best : null };
  };
  return {
    sweeps: sweeps.map((s: unknown) => {
      const { train_images_per_run, runs } = (s ?? {}) as { train_images_per_run?: unknown; runs?: Record<string, unknown> };
      if (typeof train_images_per_run !== 'number' || !runs) throw bad('a sweep without train_images_per_run and runs');
      return { images_per_run: train_images_per_run, runs: { vit: runsOf(runs['mini-vit'], 'mini-vit'), cnn: runsOf(runs['mini-cnn'], 'mini-cnn') } };
    }),
    models: { vit: model('mini-vit'), cnn: model('mini-cnn') },
    note: typeof v?.cost?.note === 'string' ? v.cost.note : '',
  };
}

export type BiasLabStore = ReturnType<typeof createBiasLabStore>;

export function createBiasLabStore(deps: StoreDeps, app: AppStore, image: ImageStore) {
  const tickets: Record<Part, number> = { current: 0, samples: 0, shuffle: 0 };
  /** Each sample's pixel_values per model, for one ViT (another ViT may preprocess differently). */
  let sampleInputs: { vit: unknown; inputs: Map<string, NdArray> } = { vit: null, inputs: new Map() };
  let runTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The inputs each part's shown result was computed for, and those of its run in flight: `run`
   * skips a part whose inputs are unchanged.
   */
  const doneFor: Record<Part, string | null> = { current: null, samples: null, shuffle: null };
  const runningFor: Record<Part, string | null> = { current: null, samples: null, shuffle: null };

  const store = create<BiasLabState>()((set, get) => {
    const preprocessing = (model: LabImageModel): ImagePreprocessing | null =>
      model === 'vit' ? (app.getState().slots.vit.current?.info.preprocessing ?? null) : (get().cnn?.preprocessing ?? null);
    const fill = (model: LabImageModel, raw: number, x: NdArray) => fillValue(preprocessing(model)!, raw, x.shape[0]);
    const keyOf = (part: Part) => {
      const s = get();
      const model = `${app.getState().slots.vit.current?.name}|${app.getState().backend?.name}`;
      if (part === 'samples') return `${model}|${s.maxShift}|${s.axis}`;
      if (part === 'shuffle') return `${model}|${s.seed}|${s.shufflePatch}`;
      const source = image.getState().source;
      return `${model}|${s.maxShift}|${s.axis}|${s.occlusionSize}|${source?.name}|${source?.bytes.byteLength}`;
    };
    /** False when the part's figures for the present inputs are shown or on their way. */
    const stale = (part: Part) => {
      const key = keyOf(part);
      return doneFor[part] !== key && runningFor[part] !== key;
    };
    const ready = () => get().open && app.getState().slots.vit.current !== null && get().cnn !== null;
    const setPart = (part: Part, key: string, patch: Partial<Pick<BiasLabState, 'current' | 'samples' | 'shuffle'>>) => {
      doneFor[part] = key;
      runningFor[part] = null;
      set((s) => ({ ...patch, errors: { ...s.errors, [part]: null }, running: { ...s.running, [part]: false } }));
    };
    const begin = (part: Part) => {
      set((s) => ({ running: { ...s.running, [part]: true } }));
      runningFor[part] = keyOf(part);
      return { mine: ++tickets[part], key: runningFor[part] };
    };
    const fail = (part: Part, mine: number, e: unknown) => {
      if (isSuperseded(e) || mine !== tickets[part]) return;
      runningFor[part] = null;
      set((s) => ({ errors: { ...s.errors, [part]: errorText(e) }, running: { ...s.running, [part]: false } }));
    };
    const shiftsOf = (x: NdArray, model: LabImageModel, shifts: number[]) => {
      const { axis } = get();
      return SHIFT_MODES.flatMap((mode) => shifts.map((d) => shiftImage(x, axis === 'x' ? d : 0, axis === 'y' ? d : 0, mode, fill(model, BLACK, x))));
    };

    async function fetchBytes(url: string): Promise<ArrayBuffer> {
      const response = await deps.fetch(url);
      if (!response.ok) throw new Error(`Could not fetch ${url}: HTTP ${response.status}`);
      return response.arrayBuffer();
    }

    async function preprocess(name: string, bytes: ArrayBuffer): Promise<Record<LabImageModel, NdArray>> {
      const [vit, cnn] = await Promise.all(LAB_MODELS.map((model) => deps.inference().preprocess({ type: 'encoded', bytes: bytes.slice(0), fileName: name }, model)));
      return { vit, cnn };
    }

    async function samplePixels(sample: SampleEntry): Promise<Record<LabImageModel, NdArray>> {
      const vit = app.getState().slots.vit.current;
      if (sampleInputs.vit !== vit) sampleInputs = { vit, inputs: new Map() };
      const cache = sampleInputs.inputs;
      if (!cache.has(`vit:${sample.file}`)) {
        const both = await preprocess(sample.file, await fetchBytes(`${deps.publicBase}samples/${sample.file}`));
        for (const model of LAB_MODELS) cache.set(`${model}:${sample.file}`, both[model]);
      }
      return { vit: cache.get(`vit:${sample.file}`)!, cnn: cache.get(`cnn:${sample.file}`)! };
    }

    /** Curves of one image's shifted runs ([mode][shift] order), against reference class `id`. */
    function curvesOf(probs: NdArray, id: number, shifts: number): Record<ShiftMode, ShiftCurve> {
      const curve = (m: number): ShiftCurve => {
        const rows = Array.from({ length: shifts }, (_, i) => rowOf(probs, m * shifts + i));
        return { prob: rows.map((r) => r[id]), top1: rows.map((r) => (argmax(r) === id ? 1 : 0)) };
      };
      return { zero: curve(0), cyclic: curve(1) };
    }

    async function runCurrent(): Promise<void> {
      const source = image.getState().source;
      if (!ready() || !source || !stale('current')) return;
      const { mine, key } = begin('current');
      const { maxShift, occlusionStride: stride } = get();
      const shifts = range(maxShift);
      try {
        const inputs = await preprocess(source.name, source.bytes);
        // A square as large as the image is the most a small image can take.
        const size = Math.min(get().occlusionSize, inputs.vit.shape[1], inputs.vit.shape[2]);
        const sample = source.sample ? (image.getState().samples?.find((s) => s.file === source.name) ?? null) : null;
        const curves = {} as Curves;
        const predicted = {} as CurrentResult['predicted'];
        const reference = {} as CurrentResult['reference'];
        const original = {} as CurrentResult['probs'];
        let names: string[] = [];
        const occlusion = { size, stride, ...occlusionGrid(inputs.vit.shape[1], inputs.vit.shape[2], size, stride), drop: {}, base: {} } as CurrentResult['occlusion'];
        for (const model of LAB_MODELS) {
          const x = inputs[model];
          const { probs, labels } = await deps.inference().runPixels('bias-current', model, shiftsOf(x, model, shifts));
          if (mine !== tickets.current) return;
          const unchanged = rowOf(probs, maxShift);
          original[model] = unchanged;
          names = labels;
          const id = sample ? labelId(labels, sample) : argmax(unchanged);
          reference[model] = { id, label: labels[id] };
          curves[model] = curvesOf(probs, id, shifts.length);
          predicted[model] = {
            zero: shifts.map((_, i) => labels[argmax(rowOf(probs, i))]),
            cyclic: shifts.map((_, i) => labels[argmax(rowOf(probs, shifts.length + i))]),
          };
          const squares = occlusion.rows.flatMap((r) => occlusion.cols.map((c) => occlude(x, r, c, size, fill(model, OCCLUSION_GREY, x))));
          const occluded = await deps.inference().runPixels('bias-occlusion', model, squares);
          if (mine !== tickets.current) return;
          occlusion.base[model] = unchanged[id];
          occlusion.drop[model] = Float32Array.from(squares, (_, i) => unchanged[id] - rowOf(occluded.probs, i)[id]);
        }
        setPart('current', key, { current: { name: source.name, reference, inputs, probs: original, labels: names, shifts, curves, predicted, occlusion } });
      } catch (e) {
        fail('current', mine, e);
      }
    }

    async function runSamples(): Promise<void> {
      const samples = image.getState().samples;
      if (!ready() || !samples?.length) return;
      if (!stale('samples')) return;
      const { mine, key } = begin('samples');
      const shifts = range(get().maxShift);
      const sums = Object.fromEntries(
        LAB_MODELS.map((m) => [m, Object.fromEntries(SHIFT_MODES.map((mode) => [mode, { prob: shifts.map(() => 0), top1: shifts.map(() => 0) }]))]),
      ) as Curves;
      set({ progress: { done: 0, total: samples.length } });
      try {
        for (const [i, sample] of samples.entries()) {
          const inputs = await samplePixels(sample);
          for (const model of LAB_MODELS) {
            const { probs, labels } = await deps.inference().runPixels('bias-samples', model, shiftsOf(inputs[model], model, shifts));
            if (mine !== tickets.samples) return;
            const one = curvesOf(probs, labelId(labels, sample), shifts.length);
            for (const mode of SHIFT_MODES) {
              one[mode].prob.forEach((p, s) => (sums[model][mode].prob[s] += p));
              one[mode].top1.forEach((c, s) => (sums[model][mode].top1[s] += c));
            }
          }
          set({ progress: { done: i + 1, total: samples.length } });
        }
        for (const model of LAB_MODELS) {
          for (const mode of SHIFT_MODES) {
            const c = sums[model][mode];
            c.prob = c.prob.map((v) => v / samples.length);
            c.top1 = c.top1.map((v) => v / samples.length);
          }
        }
        setPart('samples', key, { samples: { shifts, count: samples.length, curves: sums } });
        set({ progress: null });
      } catch (e) {
        fail('samples', mine, e);
      }
    }

    async function runShuffle(): Promise<void> {
      const samples = image.getState().samples;
      const vit = app.getState().slots.vit.current;
      if (!ready() || !samples?.length || !vit) return;
      if (!stale('shuffle')) return;
      const { mine, key } = begin('shuffle');
      const { seed } = get();
      const patch = get().shufflePatch ?? vit.info.config.patch_size;
      try {
        const inputs = await Promise.all(samples.map(samplePixels));
        const shuffled = (model: LabImageModel) =>
          inputs.map((x, i) => {
            const [rows, cols] = [Math.floor(x[model].shape[1] / patch), Math.floor(x[model].shape[2] / patch)];
            return permutePatches(x[model], patch, patchPermutation(rows * cols, mixSeed(seed, i)));
          });
        const accuracy = async (model: LabImageModel, images: NdArray[], channel: string, zero = false) => {
          const run = await deps.inference().runPixels(channel, model, images, zero);
          const correct = samples.map((s, i) => (argmax(rowOf(run.probs, i)) === labelId(run.labels, s) ? 1 : 0));
          return { value: mean(correct), ms: run.ms_per_image };
        };
        const original = (model: LabImageModel) => inputs.map((x) => x[model]);
        const cnnShuffled = shuffled('cnn');
        const vit0 = await accuracy('vit', original('vit'), 'bias-shuffle-original');
        const vit1 = await accuracy('vit', shuffled('vit'), 'bias-shuffle');
        const bag0 = await accuracy('vit', original('vit'), 'bias-shuffle-bag-original', true);
        const bag1 = await accuracy('vit', shuffled('vit'), 'bias-shuffle-bag', true);
        const cnn0 = await accuracy('cnn', original('cnn'), 'bias-shuffle-original');
        const cnn1 = await accuracy('cnn', cnnShuffled, 'bias-shuffle');
        if (mine !== tickets.shuffle) return;
        setPart('shuffle', key, {
          shuffle: {
            seed,
            patch,
            count: samples.length,
            accuracy: {
              vit: { original: vit0.value, shuffled: vit1.value },
              vit_no_positions: { original: bag0.value, shuffled: bag1.value },
              cnn: { original: cnn0.value, shuffled: cnn1.value },
            },
            example: cnnShuffled[0],
            ms_per_image: { vit: vit0.ms, cnn: cnn0.ms },
          },
        });
      } catch (e) {
        fail('shuffle', mine, e);
      }
    }

    async function loadCnn(): Promise<void> {
      if (get().cnn) return;
      try {
        const cnn = await deps.inference().loadLabCnn({ type: 'url', name: 'mini-cnn', baseUrl: `${deps.publicBase}${CNN_FOLDER}`, cache: false });
        set({ cnn, cnnError: null });
      } catch (e) {
        set({ cnnError: t('biasLab.cnnFailed', { error: errorText(e) }) });
      }
    }

    async function loadCosts(): Promise<void> {
      if (get().costs) return;
      try {
        const response = await deps.fetch(`${deps.publicBase}${CNN_FOLDER}inductive_bias.json`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        set({ costs: parseCosts(await response.json()), costsError: null });
      } catch (e) {
        set({ costsError: t('biasLab.costsFailed', { error: errorText(e) }) });
      }
    }

    const schedule = (...parts: Part[]) => {
      clearTimeout(runTimer);
      for (const part of parts) {
        tickets[part]++;
        doneFor[part] = null;
        runningFor[part] = null;
      }
      runTimer = setTimeout(() => {
        for (const part of parts) void { current: runCurrent, samples: runSamples, shuffle: runShuffle }[part]();
      }, deps.runDelayMs);
    };

    return {
      open: deps.url.read('lab') === 'inductive-bias',
      cnn: null,
      cnnError: null,
      costs: null,
      costsError: null,
      maxShift: 6,
      axis: 'x',
      occlusionSize: 8,
      occlusionStride: 2,
      seed: 0,
      shufflePatch: null,
      current: null,
      samples: null,
      shuffle: null,
      errors: { current: null, samples: null, shuffle: null },
      running: { current: false, samples: false, shuffle: false },
      progress: null,

      setOpen(open) {
        set({ open });
        deps.url.write({ lab: open ? 'inductive-bias' : null });
        if (open) void get().run();
      },
      setMaxShift(k) {
        if (!Number.isInteger(k) || k < 1 || k > 14) return;
        set({ maxShift: k });
        schedule('current', 'samples');
      },
      setAxis(axis) {
        set({ axis });
        schedule('current', 'samples');
      },
      setOcclusionSize(size) {
        if (!Number.isInteger(size) || size < 2 || size > 14) return;
        set({ occlusionSize: size });
        schedule('current');
      },
      setSeed(seed) {
        if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) return;
        set({ seed });
        schedule('shuffle');
      },
      setShufflePatch(patch) {
        set({ shufflePatch: patch });
        schedule('shuffle');
      },

      async run() {
        clearTimeout(runTimer);
        if (!get().open) return;
        await Promise.all([loadCnn(), loadCosts()]);
        // One after the other, the quickest first: the worker runs one request at a time anyway,
        // and the current image's figures should not wait behind the samples' sweep.
        await runCurrent();
        await runShuffle();
        await runSamples();
      },
    };
  });

  // Another ViT or backend gives other numbers; another image only changes the current-image part
  // (run skips the samples' parts while their inputs are the same).
  app.subscribe((now, before) => {
    if (now.slots.vit.current !== before.slots.vit.current || now.backend !== before.backend) void store.getState().run();
  });
  image.subscribe((now, before) => {
    if (now.source !== before.source && store.getState().open) void store.getState().run();
  });
  return store;
}
