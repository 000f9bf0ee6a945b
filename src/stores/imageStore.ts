// State of the image (ViT) workspace: the current image and the model's output for it, what the
// attention views show (layer, head, clicked patch, rollout settings), the bundled samples, and
// the mean attention distance averaged over those samples (one sweep per model, cached).
// A failed run (an unreadable file, a model error) reports its error and keeps the previous
// image and output on screen. The view settings and which sample is shown are in the URL; an
// image of the user's own cannot travel in a link, so the URL only says there was one.

import { create } from 'zustand';
import { meanAttentionDistanceByLayer } from '../analysis/attentionDistance';
import type { HeadFusion, RolloutOptions } from '../analysis/rollout';
import { t } from '../i18n';
import { full, type FullVitOutput, type OutputRequest, type VitOutput } from '../models/types';
import { isSuperseded } from '../worker/client';
import { errorText, type AppStore } from './appStore';
import type { StoreDeps } from './deps';
import { readChoice, readInteger, readNumber, type IgnoredParam } from './urlState';

/** One bundled sample image, from public/samples/index.json. */
export interface SampleEntry {
  file: string;
  /** The true class. */
  label: string;
}

/** A head index, or the mean over the layer's heads. */
export type HeadChoice = number | 'mean';

export interface DistanceSweep {
  done: number;
  total: number;
  /** Mean over the sample images, [layer][head], in pixels; null until every image has run. */
  perLayer: number[][] | null;
  error: string | null;
}

export interface ImageState {
  /**
   * Name and encoded bytes of the image `output` belongs to (kept to re-run on a new model or
   * backend); `sample` when it is one of the bundled samples, which a URL can name.
   */
  source: { name: string; bytes: ArrayBuffer; sample: boolean } | null;
  output: FullVitOutput | null;
  running: boolean;
  error: string | null;
  samples: SampleEntry[] | null;
  samplesError: string | null;
  layer: number;
  head: HeadChoice;
  /** Patch (0..N−1, row-major) the user clicked; null = none. */
  patch: number | null;
  rollout: RolloutOptions;
  /** Opacity of value maps drawn over the image, 0 (image only) to 1 (values only). */
  overlayOpacity: number;
  /** Attention-distance sweeps over the samples, by model name. */
  sweeps: Record<string, DistanceSweep>;
  /** The URL was made with an image of the user's own, which it cannot carry (a sample is shown instead). */
  sharedOwnImage: boolean;
  /** URL parameters that could not be used (the UI lists them). */
  ignoredParams: IgnoredParam[];
  /** The neuron view is open: runs then also return the per-head queries and keys. */
  neuron: boolean;

  loadSamples: () => Promise<void>;
  /** Shows a bundled sample (the user's choice: a shared link's note about its own image is done with). */
  openSample: (sample: SampleEntry) => Promise<void>;
  openFile: (file: File) => Promise<void>;
  /** Runs the model on an encoded image (a bundled sample or not); on success it becomes the current image. */
  runImage: (name: string, bytes: ArrayBuffer, sample?: boolean) => Promise<void>;
  /** Re-runs the current image (after a model or backend change). */
  rerun: () => Promise<void>;
  setLayer: (layer: number) => void;
  setHead: (head: HeadChoice) => void;
  setPatch: (patch: number | null) => void;
  setRollout: (patch: Partial<RolloutOptions>) => void;
  setOverlayOpacity: (opacity: number) => void;
  /** Opens or closes the neuron view; opening re-runs the image if its queries and keys are missing. */
  setNeuron: (open: boolean) => void;
  /** Runs every sample through the model and averages their mean attention distances. */
  measureSamples: () => Promise<void>;
}

const TOP_K = 5;
const FUSIONS: HeadFusion[] = ['mean', 'max', 'min'];
const DEFAULTS = { rollout: { headFusion: 'mean', discardRatio: 0.9 } as RolloutOptions, overlayOpacity: 0.6 };
/** The `image` URL value of an image of the user's own. */
const OWN_IMAGE = 'own';

/**
 * The sample list: `{ samples: [...] }` as scripts/train/vit/export.py writes it, or a bare array;
 * each entry needs a `file` (relative to samples/) and a `label`.
 */
function parseSamples(value: unknown): SampleEntry[] {
  const list = Array.isArray(value) ? value : (value as { samples?: unknown } | null)?.samples;
  if (!Array.isArray(list)) throw new Error('samples/index.json has no list of samples');
  return list.map((entry: unknown, i) => {
    const { file, label } = (entry ?? {}) as Record<string, unknown>;
    if (typeof file !== 'string' || !/^[\w.-]+$/.test(file) || typeof label !== 'string') {
      throw new Error(`samples/index.json: entry ${i} needs a plain "file" name and a "label"`);
    }
    return { file, label };
  });
}

/** Pixel side of one patch: the input height over the grid rows. */
export const patchSizeOf = (output: VitOutput) => output.pixel_values.shape[1] / output.grid[0];

export type ImageStore = ReturnType<typeof createImageStore>;

/**
 * The image workspace's store. It re-runs the current image whenever the ViT model or the backend
 * changes, and opens the first sample once a model and the sample list are there.
 */
export function createImageStore(deps: StoreDeps, app: AppStore) {
  const { url } = deps;
  const ignoredParams: IgnoredParam[] = [];
  const requestedImage = url.read('image');
  // The URL counts layers and heads from 1, as the UI does; patches from 0, as the UI does.
  const ihead = url.read('ihead');
  const initial = {
    layer: readInteger(url, 'ilayer', 1, Infinity, 1, ignoredParams) - 1,
    head: ihead === 'mean' ? ('mean' as const) : readInteger(url, 'ihead', 1, Infinity, 0, ignoredParams) - 1,
    patch: url.read('patch') === null ? null : readInteger(url, 'patch', 0, Infinity, -1, ignoredParams),
    rollout: {
      headFusion: readChoice(url, 'fusion', FUSIONS, DEFAULTS.rollout.headFusion, ignoredParams),
      discardRatio: readNumber(url, 'discard', 0, 0.95, DEFAULTS.rollout.discardRatio, ignoredParams),
    },
    overlayOpacity: readNumber(url, 'opacity', 0, 1, DEFAULTS.overlayOpacity, ignoredParams),
    neuron: readChoice(url, 'ineuron', ['1'], null, ignoredParams) === '1',
  };
  const writeView = ({ layer, head, patch, rollout, overlayOpacity, neuron }: Pick<ImageState, 'layer' | 'head' | 'patch' | 'rollout' | 'overlayOpacity' | 'neuron'>) =>
    url.write({
      ilayer: layer === 0 ? null : String(layer + 1),
      ihead: head === 'mean' ? null : String(head + 1),
      patch: patch === null ? null : String(patch),
      fusion: rollout.headFusion === DEFAULTS.rollout.headFusion ? null : rollout.headFusion,
      discard: rollout.discardRatio === DEFAULTS.rollout.discardRatio ? null : String(rollout.discardRatio),
      opacity: overlayOpacity === DEFAULTS.overlayOpacity ? null : String(overlayOpacity),
      ineuron: neuron ? '1' : null,
    });
  const samplesUrl = (file: string) => `${deps.publicBase}samples/${file}`;
  const fetchBytes = async (url: string): Promise<ArrayBuffer> => {
    const response = await deps.fetch(url);
    if (!response.ok) throw new Error(t('image.fetchFailed', { url, status: response.status }));
    return response.arrayBuffer();
  };
  // The worker answers an overtaken run with "superseded". Runs from this store go out one at a
  // time, so the sample sweep and the user's own images never overtake each other.
  let queue: Promise<unknown> = Promise.resolve();
  const runQueued = (name: string, bytes: ArrayBuffer, outputs?: OutputRequest): Promise<VitOutput> => {
    const image = { type: 'encoded' as const, bytes: bytes.slice(0), fileName: name };
    const next = queue.then(() => deps.inference().runImage(image, TOP_K, outputs));
    queue = next.catch(() => undefined);
    return next;
  };

  const showSample = async (sample: SampleEntry) => {
    try {
      await store.getState().runImage(sample.file, await fetchBytes(samplesUrl(sample.file)), true);
    } catch (e) {
      store.setState({ error: errorText(e) });
    }
  };

  const store = create<ImageState>()((set, get) => ({
  source: null,
  output: null,
  running: false,
  error: null,
  samples: null,
  samplesError: null,
  layer: initial.layer,
  // An invalid ?ihead= was read as 0 - 1: the mean then.
  head: initial.head === -1 ? 'mean' : initial.head,
  patch: initial.patch === -1 ? null : initial.patch,
  rollout: initial.rollout,
  overlayOpacity: initial.overlayOpacity,
  sweeps: {},
  sharedOwnImage: requestedImage === OWN_IMAGE,
  ignoredParams,
  neuron: initial.neuron,

  async loadSamples() {
    try {
      const response = await deps.fetch(samplesUrl('index.json'));
      if (!response.ok) throw new Error(t('image.samplesHttp', { status: response.status }));
      set({ samples: parseSamples(await response.json()), samplesError: null });
    } catch (e) {
      set({ samples: [], samplesError: t('image.samplesUnavailable', { message: errorText(e) }) });
    }
  },

  async openSample(sample) {
    set({ sharedOwnImage: false });
    await showSample(sample);
  },

  async openFile(file) {
    set({ sharedOwnImage: false });
    if (file.size === 0) {
      set({ error: t('image.emptyFile', { name: file.name }) });
      return;
    }
    let bytes: ArrayBuffer;
    try {
      bytes = await file.arrayBuffer();
    } catch (e) {
      set({ error: t('image.unreadable', { name: file.name, message: errorText(e) }) });
      return;
    }
    await get().runImage(file.name, bytes);
  },

  async runImage(name, bytes, sample = false) {
    if (!app.getState().slots.vit.current) {
      set({ error: t('image.noModel') });
      return;
    }
    set({ running: true });
    try {
      const output = full(await runQueued(name, bytes, get().neuron ? { queries_keys: true } : undefined));
      // Another model may have fewer layers, heads or patches than the views were showing.
      const heads = output.attentions[0]?.shape[0] ?? 0;
      const patches = output.grid[0] * output.grid[1];
      // The first image keeps a patch from the URL; later ones keep it while the grid stays the same.
      const before = get().output;
      const sameGrid = before === null || before.grid.join() === output.grid.join();
      set((s) => ({
        source: { name, bytes, sample },
        output,
        running: false,
        error: null,
        layer: Math.min(s.layer, output.attentions.length - 1),
        head: s.head === 'mean' || s.head < heads ? s.head : 'mean',
        patch: s.patch !== null && s.patch < patches && sameGrid ? s.patch : null,
      }));
      url.write({ image: sample ? name : OWN_IMAGE });
      writeView(get());
      app.getState().reportTimings('vit', output.timings);
    } catch (e) {
      set({ running: false, ...(isSuperseded(e) ? {} : { error: t('image.runFailed', { name, message: errorText(e) }) }) });
    }
  },

  async rerun() {
    const { source } = get();
    if (source) await get().runImage(source.name, source.bytes, source.sample);
  },

  setLayer(layer) {
    set({ layer });
    writeView(get());
  },
  setHead(head) {
    set({ head });
    writeView(get());
  },
  setPatch(patch) {
    set({ patch });
    writeView(get());
  },
  setRollout(patch) {
    set((s) => ({ rollout: { ...s.rollout, ...patch } }));
    writeView(get());
  },
  setOverlayOpacity(opacity) {
    set({ overlayOpacity: opacity });
    writeView(get());
  },
  setNeuron(open) {
    set({ neuron: open });
    writeView(get());
    if (open && get().output && !get().output?.queries_keys) void get().rerun();
  },

  async measureSamples() {
    const model = app.getState().slots.vit.current?.name;
    const { samples, sweeps } = get();
    if (!model || !samples || samples.length === 0) return;
    const existing = sweeps[model];
    if (existing && (existing.perLayer || (existing.done < existing.total && !existing.error))) return;
    const update = (patch: Partial<DistanceSweep>) =>
      set((s) => ({ sweeps: { ...s.sweeps, [model]: { ...s.sweeps[model], ...patch } } }));
    set((s) => ({ sweeps: { ...s.sweeps, [model]: { done: 0, total: samples.length, perLayer: null, error: null } } }));
    let sum: number[][] | null = null;
    try {
      for (const [i, sample] of samples.entries()) {
        // Only the attentions are needed: the hidden states of every sample stay in the worker.
        const output = await runQueued(sample.file, await fetchBytes(samplesUrl(sample.file)), { hidden_states: false });
        if (app.getState().slots.vit.current?.name !== model) throw new Error(t('image.distance.modelChanged'));
        if (!output.attentions) throw new Error(t('image.distance.noAttentions'));
        const distances = meanAttentionDistanceByLayer(output.attentions, output.grid, patchSizeOf(output), output.prefix_tokens);
        sum = distances.map((layer, l) => Array.from(layer, (d, h) => (sum?.[l][h] ?? 0) + d));
        update({ done: i + 1 });
      }
      update({ perLayer: sum && sum.map((layer) => layer.map((d) => d / samples.length)) });
    } catch (e) {
      update({ error: t('image.distance.stopped', { message: errorText(e) }) });
    }
  },
  }));

  // A new model or backend gives new numbers for the same image; with no image yet, start with the
  // sample the URL names, else the first one.
  const showModel = () => {
    if (!app.getState().slots.vit.current) return;
    const { source, samples, rerun } = store.getState();
    if (source) void rerun();
    else if (samples?.[0]) void showSample(samples.find((sample) => sample.file === requestedImage) ?? samples[0]);
  };
  app.subscribe((now, before) => {
    if (now.slots.vit.current !== before.slots.vit.current || now.backend !== before.backend) showModel();
  });
  store.subscribe((now, before) => {
    if (now.samples === before.samples) return;
    // A sample the list does not have (renamed, or a typo in a hand-made link) is reported, not silently replaced.
    const unknown = requestedImage !== null && requestedImage !== OWN_IMAGE && !now.samples?.some((s) => s.file === requestedImage);
    if (unknown && now.samples && now.samples.length > 0) store.setState({ ignoredParams: [...now.ignoredParams, { key: 'image', value: requestedImage }] });
    if (!now.source) showModel();
  });
  return store;
}
