// The inductive-bias lab's store against a fake worker whose "models" answer with a known function
// of the input: p(class a) = sigmoid(top-left pixel of channel 0 + offset), offset per model (and
// for the ViT without positions). So which inputs the store sends (shifted, occluded, shuffled:
// recomputed here with the same transforms), and the figures it makes of the answers (curves,
// drops, accuracies, sample averages), can be checked exactly; and a result overtaken by a newer
// setting is dropped.

import { describe, expect, it, vi } from 'vitest';
import { fillValue, occlude, occlusionGrid, patchPermutation, permutePatches, shiftImage } from '../../src/analysis/imageTransforms';
import { mixSeed } from '../../src/analysis/random';
import type { CnnModelInfo, ImagePreprocessing, NdArray, VitModelInfo } from '../../src/models/types';
import { createAppStore } from '../../src/stores/appStore';
import { createBiasLabStore, OCCLUSION_GREY } from '../../src/stores/biasLabStore';
import type { InferenceApi, StoreDeps } from '../../src/stores/deps';
import { createImageStore } from '../../src/stores/imageStore';
import { memoryUrl, type UrlKey } from '../../src/stores/urlState';
import type { ImageInput, LabImageModel, PixelsRun } from '../../src/worker/protocol';

const LABELS = ['a', 'b'];
const prep: ImagePreprocessing = { resize: null, center_crop: null, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] };
const SIDE = 4;
const vitInfo = { kind: 'vit', preprocessing: prep, config: { patch_size: 2, id2label: LABELS } } as unknown as VitModelInfo;
const cnnInfo = { kind: 'cnn', preprocessing: prep, config: { image_size: [SIDE, SIDE] } } as unknown as CnnModelInfo;
const SAMPLES = [
  { file: 's1.png', label: 'a' },
  { file: 's2.png', label: 'b' },
];
const COSTS = {
  data_size_sweep: { sweeps: [{ train_images_per_run: 100, runs: { 'mini-vit': [{ train_size: 10, test_accuracy: 0.5 }], 'mini-cnn': [{ train_size: 10, test_accuracy: 0.7 }] } }] },
  cost: { note: 'n', models: { 'mini-vit': { parameters: 3, flops_per_image: 4e6, latency_ms_batch1_best: 1.5 }, 'mini-cnn': { parameters: 2, flops_per_image: 2e6 } } },
};

/** A [3, 4, 4] image, different for every file name (each model gets the same one). */
function imageOf(name: string): NdArray {
  const seed = [...name].reduce((a, c) => a + c.charCodeAt(0), 0);
  return { shape: [3, SIDE, SIDE], data: Float32Array.from({ length: 3 * SIDE * SIDE }, (_, i) => Math.sin(seed + i * 1.7)) };
}
const OFFSET: Record<string, number> = { vit: 0, cnn: 0.5, bag: -0.5 };
const pA = (x: NdArray, key: string) => 1 / (1 + Math.exp(-(x.data[0] + OFFSET[key])));

function answer(model: LabImageModel, inputs: NdArray[], zero: boolean): PixelsRun {
  const key = zero ? 'bag' : model;
  const probs = new Float32Array(inputs.length * 2);
  inputs.forEach((x, i) => probs.set([pA(x, key), 1 - pA(x, key)], 2 * i));
  return { probs: { shape: [inputs.length, 2], data: probs }, labels: LABELS, ms_per_image: 2 };
}

interface Options {
  url?: Partial<Record<UrlKey, string>>;
  cnnFails?: boolean;
  samples?: typeof SAMPLES;
}

function setup({ url = { lab: 'inductive-bias' }, cnnFails = false, samples = SAMPLES }: Options = {}) {
  /** While set, runPixels calls wait until the test releases them. */
  const gate = { held: [] as (() => void)[], on: false };
  const runPixels = vi.fn((_channel: string, model: LabImageModel, inputs: NdArray[], zero = false) => {
    const result = answer(model, inputs, zero);
    if (!gate.on) return Promise.resolve(result);
    return new Promise<PixelsRun>((resolve) => gate.held.push(() => resolve(result)));
  });
  const loadLabCnn = vi.fn(() => (cnnFails ? Promise.reject(new Error('no weights')) : Promise.resolve(cnnInfo)));
  const api = {
    load: () => Promise.resolve({ slot: 'vit', name: 'bundled:mini-vit', info: vitInfo }),
    loadLabCnn,
    preprocess: (image: ImageInput) => Promise.resolve(imageOf(image.fileName)),
    runPixels,
    memory: () => Promise.resolve({ numTensors: 1, numBytes: 0 }),
    onBackendLost: () => () => true,
  } as unknown as InferenceApi;
  const fetch = vi.fn((input: string | URL | Request) => {
    const path = input instanceof Request ? input.url : input.toString();
    if (path.endsWith('samples/index.json')) return Promise.resolve(new Response(JSON.stringify({ samples })));
    if (path.endsWith('inductive_bias.json')) return Promise.resolve(new Response(JSON.stringify(COSTS)));
    return Promise.resolve(new Response(new TextEncoder().encode(path)));
  });
  const deps: StoreDeps = { inference: () => api, url: memoryUrl(url), publicBase: 'http://app.test/', fetch, random: () => 0, languages: ['en'], runDelayMs: 0 };
  const app = createAppStore(deps);
  const image = createImageStore(deps, app);
  const lab = createBiasLabStore(deps, app, image);
  return { app, image, lab, runPixels, loadLabCnn, deps, gate };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

/** Loads the ViT, lists the samples and makes s1.png the current image (without running the workspace). */
async function ready(s: ReturnType<typeof setup>) {
  s.image.setState({ source: { name: 's1.png', bytes: new ArrayBuffer(4), sample: true } });
  await s.image.getState().loadSamples();
  await s.app.getState().loadModel('bundled:mini-vit');
  await flush();
}

const callsOn = (s: ReturnType<typeof setup>, channel: string, model: LabImageModel) =>
  s.runPixels.mock.calls.filter((c) => c[0] === channel && c[1] === model);

describe('inductive-bias lab store', () => {
  it('runs nothing while closed; opening loads the bundled CNN and the costs, and follows the URL', async () => {
    const s = setup({ url: {} });
    await ready(s);
    expect(s.runPixels).not.toHaveBeenCalled();
    expect(s.lab.getState().open).toBe(false);
    s.lab.getState().setOpen(true);
    expect(s.deps.url.read('lab')).toBe('inductive-bias');
    await flush();
    expect(s.loadLabCnn).toHaveBeenCalledWith({ type: 'url', name: 'mini-cnn', baseUrl: 'http://app.test/models/mini-cnn/', cache: false });
    expect(s.lab.getState().cnn).toBe(cnnInfo);
    expect(s.lab.getState().costs?.models.vit).toEqual({ parameters: 3, flops_per_image: 4e6, latency_ms: 1.5 });
    expect(s.lab.getState().costs?.models.cnn.latency_ms).toBeNull();
    expect(s.lab.getState().costs?.sweeps[0].runs.cnn).toEqual([{ train_size: 10, test_accuracy: 0.7 }]);
    expect(s.runPixels).toHaveBeenCalled();
    s.lab.getState().setOpen(false);
    expect(s.deps.url.read('lab')).toBeNull();
  });

  it('translation of the current image: the shifted inputs, and curves against its true class', async () => {
    const s = setup();
    await ready(s);
    const { current, maxShift } = s.lab.getState();
    expect(s.lab.getState().errors).toEqual({ current: null, samples: null, shuffle: null });
    expect(current).not.toBeNull();
    const x = imageOf('s1.png');
    const shifts = Array.from({ length: 2 * maxShift + 1 }, (_, i) => i - maxShift);
    for (const model of ['vit', 'cnn'] as const) {
      const [call] = callsOn(s, 'bias-current', model);
      const sent = call[2];
      const expected = (['zero', 'cyclic'] as const).flatMap((mode) => shifts.map((d) => shiftImage(x, d, 0, mode, fillValue(prep, 0, 3))));
      expect(sent.map((a) => Array.from(a.data))).toEqual(expected.map((a) => Array.from(a.data)));
      expect(current!.reference[model]).toEqual({ id: 0, label: 'a' });
      for (const [m, mode] of (['zero', 'cyclic'] as const).entries()) {
        const probs = expected.slice(m * shifts.length, (m + 1) * shifts.length).map((e) => pA(e, model));
        current!.curves[model][mode].prob.forEach((p, i) => expect(p).toBeCloseTo(probs[i], 6));
        expect(current!.curves[model][mode].top1).toEqual(probs.map((p) => (p > 0.5 ? 1 : 0)));
        expect(current!.predicted[model][mode]).toEqual(probs.map((p) => (p > 0.5 ? 'a' : 'b')));
      }
      expect(current!.probs[model][0]).toBeCloseTo(pA(x, model), 6);
    }
    // A cyclic shift by the whole width is the image itself.
    expect(s.lab.getState().current!.curves.vit.cyclic.prob[0]).toBeCloseTo(pA(shiftImage(x, -maxShift, 0, 'cyclic', [0, 0, 0]), 'vit'), 6);
  });

  it('occlusion: the grey square at every grid place, and the drop of the reference probability', async () => {
    const s = setup();
    await ready(s);
    s.lab.getState().setOcclusionSize(2);
    await flush();
    const { occlusion } = s.lab.getState().current!;
    const x = imageOf('s1.png');
    const grid = occlusionGrid(SIDE, SIDE, 2, s.lab.getState().occlusionStride);
    expect({ rows: occlusion.rows, cols: occlusion.cols, size: occlusion.size }).toEqual({ ...grid, size: 2 });
    for (const model of ['vit', 'cnn'] as const) {
      const calls = callsOn(s, 'bias-occlusion', model);
      const sent = calls[calls.length - 1][2];
      const squares = grid.rows.flatMap((r) => grid.cols.map((c) => occlude(x, r, c, 2, fillValue(prep, OCCLUSION_GREY, 3))));
      expect(sent.map((a) => Array.from(a.data))).toEqual(squares.map((a) => Array.from(a.data)));
      expect(occlusion.base[model]).toBeCloseTo(pA(x, model), 6);
      squares.forEach((sq, i) => expect(occlusion.drop[model][i]).toBeCloseTo(pA(x, model) - pA(sq, model), 6));
    }
  });

  it('averages translation over the samples, each against its own label', async () => {
    const s = setup();
    await ready(s);
    const { samples, maxShift } = s.lab.getState();
    expect(samples?.count).toBe(2);
    const shifts = samples!.shifts;
    expect(shifts).toHaveLength(2 * maxShift + 1);
    for (const model of ['vit', 'cnn'] as const) {
      const expected = shifts.map((d) => {
        const ps = SAMPLES.map(({ file, label }) => {
          const p = pA(shiftImage(imageOf(file), d, 0, 'zero', fillValue(prep, 0, 3)), model);
          return label === 'a' ? p : 1 - p;
        });
        return { prob: (ps[0] + ps[1]) / 2, top1: ps.filter((p) => p > 0.5).length / 2 };
      });
      samples!.curves[model].zero.prob.forEach((p, i) => expect(p).toBeCloseTo(expected[i].prob, 6));
      expect(samples!.curves[model].zero.top1).toEqual(expected.map((e) => e.top1));
    }
  });

  it('patch shuffle: seeded permutations per sample, the ViT with and without positions and the CNN', async () => {
    const s = setup();
    await ready(s);
    const r = s.lab.getState().shuffle!;
    expect(r).toMatchObject({ seed: 0, patch: 2, count: 2, ms_per_image: { vit: 2, cnn: 2 } });
    const shuffled = SAMPLES.map(({ file }, i) => permutePatches(imageOf(file), 2, patchPermutation(4, mixSeed(0, i))));
    const sent = callsOn(s, 'bias-shuffle', 'cnn')[0][2];
    expect(sent.map((a) => Array.from(a.data))).toEqual(shuffled.map((a) => Array.from(a.data)));
    expect(Array.from(r.example.data)).toEqual(Array.from(shuffled[0].data));
    const bag = s.runPixels.mock.calls.filter((c) => c[0].startsWith('bias-shuffle-bag'));
    expect(bag.map((c) => [c[1], Boolean(c[3])])).toEqual([['vit', true], ['vit', true]]);
    const accuracy = (images: NdArray[], key: string) => SAMPLES.filter((sample, i) => (pA(images[i], key) > 0.5 ? 'a' : 'b') === sample.label).length / 2;
    const originals = SAMPLES.map(({ file }) => imageOf(file));
    expect(r.accuracy).toEqual({
      vit: { original: accuracy(originals, 'vit'), shuffled: accuracy(shuffled, 'vit') },
      vit_no_positions: { original: accuracy(originals, 'bag'), shuffled: accuracy(shuffled, 'bag') },
      cnn: { original: accuracy(originals, 'cnn'), shuffled: accuracy(shuffled, 'cnn') },
    });
    // Another seed reruns the shuffle only.
    const before = s.runPixels.mock.calls.length;
    s.lab.getState().setSeed(5);
    await flush();
    expect(s.runPixels.mock.calls.slice(before).every((c) => c[0].startsWith('bias-shuffle'))).toBe(true);
    expect(s.lab.getState().shuffle!.seed).toBe(5);
  });

  it('a result overtaken by a newer setting is dropped; another image reruns only the current-image part', async () => {
    const s = setup();
    await ready(s);
    s.gate.on = true;
    s.lab.getState().setMaxShift(2);
    await flush();
    s.lab.getState().setMaxShift(3);
    await flush();
    s.gate.on = false;
    while (s.gate.held.length) {
      s.gate.held.splice(0).forEach((release) => release());
      await flush();
    }
    expect(s.lab.getState().current!.shifts).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(s.lab.getState().samples!.shifts).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const before = s.runPixels.mock.calls.length;
    s.image.setState({ source: { name: 'mine.png', bytes: new ArrayBuffer(4), sample: false } });
    await flush();
    const channels = new Set(s.runPixels.mock.calls.slice(before).map((c) => c[0]));
    expect([...channels].sort()).toEqual(['bias-current', 'bias-occlusion']);
    // Not a sample: each model's own prediction on the unchanged image is the reference.
    const x = imageOf('mine.png');
    expect(s.lab.getState().current!.reference.cnn.label).toBe(pA(x, 'cnn') > 0.5 ? 'a' : 'b');
  });

  it('reports a CNN that does not load, and a sample label the model does not know', async () => {
    const failing = setup({ cnnFails: true });
    await ready(failing);
    expect(failing.lab.getState().cnnError).toMatch(/could not be loaded: no weights/);
    expect(failing.runPixels).not.toHaveBeenCalled();

    const unknown = setup({ samples: [{ file: 's1.png', label: 'zebra' }] });
    await ready(unknown);
    expect(unknown.lab.getState().errors.samples).toMatch(/no class "zebra"/);
  });
});
