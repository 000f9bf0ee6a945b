// The stores' actions against a fake inference worker, in Node: runs, superseded runs, errors
// that keep the last results, model and backend changes that re-run, and a lost GPU.

import { describe, expect, it, vi } from 'vitest';
import type { BertModelInfo, BertOutput, Timings, VitModelInfo, VitOutput } from '../../src/models/types';
import { createAppStore } from '../../src/stores/appStore';
import type { InferenceApi, StoreDeps } from '../../src/stores/deps';
import { createImageStore } from '../../src/stores/imageStore';
import { createTextStore } from '../../src/stores/textStore';
import { memoryUrl } from '../../src/stores/urlState';
import type { BackendLostListener } from '../../src/worker/client';
import { WorkerCallError } from '../../src/worker/client';
import type { BackendStatus, ModelLoaded } from '../../src/worker/protocol';

const timings: Timings = { preprocess_ms: 1, forward_ms: 2, readback_ms: 3 };
const nd = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
const status = (name: BackendStatus['name']): BackendStatus => ({ name, requested: 'auto', reason: '', precision: 'float32', details: '' });

const bertInfo = (layers: number): BertModelInfo => ({
  kind: 'bert',
  architecture: 'bert',
  tokenizer: 'wordpiece',
  mask_token: '[MASK]',
  weights_file: 'model.safetensors',
  config: {
    model_type: 'bert', architectures: [], vocab_size: 10, hidden_size: 4, num_hidden_layers: layers, num_attention_heads: 2,
    intermediate_size: 8, hidden_act: 'gelu', max_position_embeddings: 8, type_vocab_size: 2, layer_norm_eps: 1e-12, tie_word_embeddings: true,
  },
  position_embeddings: nd([8, 4]),
  heads: { mlm: true, nsp: true, pooler: true, sop: false, rtd: false },
  unk_token: '[UNK]',
  max_length: { tokens: 8, from: 'max_position_embeddings' },
  warnings: [],
});

function bertOutput(text: string, layers: number, heads = 2): BertOutput {
  const tokens = ['[CLS]', ...text.split(' '), '[SEP]'];
  const n = tokens.length;
  return {
    model: 'bert',
    architecture: 'bert',
    encoding: {
      tokens, input_ids: tokens.map((_, i) => i), token_type_ids: tokens.map(() => 0), offsets: tokens.map(() => null), segment: tokens.map(() => 0),
      word_ids: tokens.map(() => null), truncated: 0, mask_token: '[MASK]', tokenizer: 'wordpiece',
    },
    embeddings: { word: nd([n, 4]), position: nd([n, 4]), token_type: nd([n, 4]), normalized: nd([n, 4]) },
    hidden_states: Array.from({ length: layers + 1 }, () => nd([n, 4])),
    attentions: Array.from({ length: layers }, () => nd([heads, n, n])),
    queries_keys: null,
    last_hidden_state: nd([n, 4]),
    pooler_output: null,
    mlm: [],
    nsp: null,
    sop: null,
    rtd: null,
    timings,
  };
}

/** A controllable fake of the worker: every call waits until the test settles it. */
function fakeInference() {
  const lost = new Set<BackendLostListener>();
  const pending: { call: string; args: unknown[]; resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  const deferred = (call: string, args: unknown[]) =>
    new Promise<never>((resolve, reject) => pending.push({ call, args, resolve: resolve as (v: unknown) => void, reject }));
  const api: InferenceApi = {
    setBackend: (...args) => deferred('setBackend', args),
    load: (...args) => deferred('load', args),
    runText: (...args) => deferred('runText', args),
    runImage: (...args) => deferred('runImage', args),
    tokenize: (...args) => deferred('tokenize', args),
    runIds: (...args) => deferred('runIds', args),
    loadLabCnn: (...args) => deferred('loadLabCnn', args),
    preprocess: (...args) => deferred('preprocess', args),
    runPixels: (...args) => deferred('runPixels', args),
    cacheInfo: () => Promise.resolve({ entries: 0, bytes: 0 }),
    clearCache: () => Promise.resolve({ entries: 0, bytes: 0 }),
    memory: () => Promise.resolve({ numTensors: 42, numBytes: 0 }),
    onBackendLost(listener) {
      lost.add(listener);
      return () => lost.delete(listener);
    },
    // As the real client: the worker goes, every open call fails as cancelled.
    restart() {
      restarts++;
      for (const p of pending.splice(0)) p.reject(new WorkerCallError({ code: 'cancelled', message: 'Stopped.' }));
    },
  };
  let restarts = 0;
  /** Settles the oldest open call of that kind. */
  const take = (call: string) => {
    const at = pending.findIndex((p) => p.call === call);
    if (at < 0) throw new Error(`no open ${call} call`);
    return pending.splice(at, 1)[0];
  };
  return { api, pending, take, restarts: () => restarts, lose: (event: Parameters<BackendLostListener>[0]) => lost.forEach((l) => l(event)) };
}

function setup(
  url: Record<string, string> = {},
  languages: readonly string[] = ['en-US'],
  fetch: StoreDeps['fetch'] = () => Promise.reject(new Error('no network in this test')),
) {
  const fake = fakeInference();
  const inference = vi.fn(() => fake.api);
  const params = memoryUrl(url);
  const deps: StoreDeps = {
    inference,
    url: params,
    publicBase: 'http://app.test/',
    fetch,
    random: () => 0,
    languages,
    runDelayMs: 0,
  };
  const app = createAppStore(deps);
  return { fake, deps, params, inference, app, text: createTextStore(deps, app), image: createImageStore(deps, app) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

async function loadBert({ app, fake }: ReturnType<typeof setup>, layers = 2) {
  const loading = app.getState().loadModel('bundled:mini-bert');
  fake.take('load').resolve({ slot: 'bert', name: 'bundled:mini-bert', info: bertInfo(layers) } satisfies ModelLoaded);
  await loading;
}

/** The stores after a model loaded and ran "one": what the text workspace shows. */
async function withResults(url: Record<string, string> = {}) {
  const s = setup({ a: 'one', ...url });
  await loadBert(s);
  await flush();
  s.fake.take('runText').resolve(bertOutput('one', 2));
  await flush();
  return { s, shown: s.text.getState().output };
}

describe('stores with a fake worker', () => {
  it('creating the stores starts no worker; state comes from the URL', () => {
    const { inference, app, text } = setup({ a: 'hello there', tab: 'image', backend: 'wasm' });
    expect(inference).not.toHaveBeenCalled();
    expect(app.getState().tab).toBe('image');
    expect(app.getState().backendChoice).toBe('wasm');
    expect(text.getState().textA).toBe('hello there');
  });

  it('the UI language comes from ?lang=, else the browser; a switch goes into the URL', () => {
    expect(setup({}, ['ko-KR', 'en']).app.getState().language).toBe('ko');
    expect(setup({ lang: 'en' }, ['ko-KR']).app.getState().language).toBe('en');
    const bogus = setup({ lang: 'xx' }, ['ko']);
    expect(bogus.app.getState()).toMatchObject({ language: 'ko', rejectedLanguage: 'xx' });
    bogus.app.getState().setLanguage('en');
    expect(bogus.app.getState()).toMatchObject({ language: 'en', rejectedLanguage: null });
    expect(bogus.deps.url.read('lang')).toBe('en');
  });

  it('a loaded BERT runs the sentences at once, and the result and timings land in the stores', async () => {
    const s = setup({ a: 'the cat sat', b: '' });
    await loadBert(s);
    await flush();
    const run = s.fake.take('runText');
    expect(run.args.slice(0, 3)).toEqual(['the cat sat', null, 5]);
    expect(s.text.getState().running).toBe(true);
    run.resolve(bertOutput('the cat sat', 2));
    await flush();
    expect(s.text.getState().output?.encoding.tokens).toEqual(['[CLS]', 'the', 'cat', 'sat', '[SEP]']);
    expect(s.text.getState().running).toBe(false);
    expect(s.app.getState().timings.bert).toEqual(timings);
    expect(s.app.getState().liveTensors).toBe(42);
    expect(s.fake.pending).toHaveLength(0);
  });

  it('a superseded run is dropped silently; the newer one wins', async () => {
    const s = setup({ a: 'one' });
    await loadBert(s);
    await flush();
    const first = s.fake.take('runText');
    s.text.getState().setTextA('two words');
    await flush();
    const second = s.fake.take('runText');
    expect(second.args[0]).toBe('two words');
    first.reject(new WorkerCallError({ code: 'superseded', message: 'A newer run replaced this one.' }));
    second.resolve(bertOutput('two words', 2));
    await flush();
    expect(s.text.getState().error).toBeNull();
    expect(s.text.getState().output?.encoding.tokens).toContain('words');
  });

  it('an error keeps the last results on screen', async () => {
    const { s, shown } = await withResults();
    s.text.getState().setTextA('two');
    await flush();
    s.fake.take('runText').reject(new WorkerCallError({ code: 'mismatch', message: 'The input has 600 tokens.' }));
    await flush();
    expect(s.text.getState().error).toBe('The input has 600 tokens.');
    expect(s.text.getState().output).toBe(shown);
    expect(s.text.getState().textA).toBe('two');

    s.text.getState().setTextA('   ');
    await flush();
    expect(s.text.getState().error).toMatch(/Sentence A is empty.*previous input/);
    expect(s.fake.pending).toHaveLength(0);
  });

  it('a backend change re-runs; a model with fewer layers clamps the chosen layer and head', async () => {
    const s = setup({ a: 'one' });
    await loadBert(s, 4);
    await flush();
    s.fake.take('runText').resolve(bertOutput('one', 4));
    await flush();
    s.text.getState().setAttention({ layer: 3, head: 1 });

    const choosing = s.app.getState().chooseBackend('cpu');
    s.fake.take('setBackend').resolve(status('cpu'));
    await choosing;
    expect(s.deps.url.read('backend')).toBe('cpu');
    await flush();
    s.fake.take('runText').resolve(bertOutput('one', 2, 1));
    await flush();
    expect(s.text.getState().attention).toMatchObject({ layer: 1, head: 'mean' });
  });

  it('the neuron view asks for queries and keys: at once when it opens, then on every run while it is open', async () => {
    const s = setup({ a: 'one two' });
    await loadBert(s);
    await flush();
    const first = s.fake.take('runText');
    expect(first.args[3]).toBeUndefined();
    first.resolve(bertOutput('one two', 2));
    await flush();
    s.text.getState().setAttention({ view: 'neuron', query: 9 });
    const opened = s.fake.take('runText');
    expect(opened.args[3]).toEqual({ queries_keys: true });
    const withQk = { ...bertOutput('one two', 2), queries_keys: { queries: [nd([2, 4, 2])], keys: [nd([2, 4, 2])] } };
    opened.resolve(withQk);
    await flush();
    // The query token is clamped to the input's four tokens.
    expect(s.text.getState().attention.query).toBe(3);
    s.text.getState().setAttention({ layer: 1 });
    expect(s.fake.pending).toHaveLength(0); // queries and keys are there: no re-run
    s.text.getState().setTextA('three');
    await flush();
    expect(s.fake.take('runText').args[3]).toEqual({ queries_keys: true });
    s.text.getState().setAttention({ view: 'matrix' });
    s.text.getState().setTextA('four');
    await flush();
    expect(s.fake.take('runText').args[3]).toBeUndefined();
  });

  it('a failed load keeps the previous model and explains a likely typo', async () => {
    const s = setup();
    await loadBert(s);
    await flush();
    s.fake.take('runText').resolve(bertOutput('x', 2));
    const loading = s.app.getState().loadModel('someone/missing-repo');
    expect(s.app.getState().slots.bert.loading).toBe(true);
    s.fake.take('load').reject(new WorkerCallError({ code: 'not_found', message: 'no config.json.' }));
    await loading;
    const slot = s.app.getState().slots.bert;
    expect(slot.current?.name).toBe('bundled:mini-bert');
    expect(slot.loading).toBe(false);
    expect(slot.error).toMatch(/no config\.json\. Check the repo id/);
  });

  it('a lost GPU switches backend, puts the reloaded models in their slots and re-runs', async () => {
    const s = setup({ a: 'one' });
    await loadBert(s);
    await flush();
    s.fake.take('runText').resolve(bertOutput('one', 2));
    await flush();
    const reloaded = bertInfo(2);
    s.fake.lose({ status: status('wasm'), message: 'The GPU context was lost; switched to WASM.', reloaded: [{ slot: 'bert', name: 'bundled:mini-bert', info: reloaded }] });
    expect(s.app.getState().backend?.name).toBe('wasm');
    expect(s.app.getState().backendNotice).toMatch(/GPU context was lost/);
    expect(s.app.getState().slots.bert.current?.info).toBe(reloaded);
    await flush();
    expect(s.fake.take('runText').args[0]).toBe('one');
  });

  it('a ViT model opens the first sample once the list is there, and a bad image keeps the last output', async () => {
    const s = setup();
    const vitInfo = { kind: 'vit', trained_grid: [2, 2] } as unknown as VitModelInfo;
    const loading = s.app.getState().loadModel('bundled:mini-vit');
    s.fake.take('load').resolve({ slot: 'vit', name: 'bundled:mini-vit', info: vitInfo } satisfies ModelLoaded);
    await loading;
    expect(s.fake.pending).toHaveLength(0); // no samples yet, nothing to run

    const bytes = new Uint8Array([1, 2, 3]).buffer;
    const opening = s.image.getState().runImage('a.png', bytes);
    await flush();
    const out = { grid: [2, 2], attentions: [nd([1, 5, 5])], hidden_states: [nd([5, 4])], timings } as unknown as VitOutput;
    s.fake.take('runImage').resolve(out);
    await opening;
    expect(s.image.getState().output).toBe(out);
    expect(s.image.getState().source?.name).toBe('a.png');

    const failing = s.image.getState().runImage('b.png', bytes);
    await flush();
    s.fake.take('runImage').reject(new WorkerCallError({ code: 'malformed', message: 'not an image' }));
    await failing;
    expect(s.image.getState().output).toBe(out);
    expect(s.image.getState().source?.name).toBe('a.png');
    expect(s.image.getState().error).toBe('Could not run "b.png": not an image');

    // Opening the neuron view re-runs the image for its queries and keys, and later runs keep asking.
    s.image.getState().setNeuron(true);
    await flush();
    const neuronRun = s.fake.take('runImage');
    expect(neuronRun.args[2]).toEqual({ queries_keys: true });
    neuronRun.resolve({ ...out, queries_keys: { queries: [], keys: [] } });
    await flush();
    s.image.getState().setNeuron(false);
    s.image.getState().setNeuron(true);
    expect(s.fake.pending).toHaveLength(0);
  });

  it('a long run is listed as an activity; Stop restarts the worker, reloads the model and keeps the results', async () => {
    const { s, shown } = await withResults();
    const model = s.app.getState().slots.bert.current;

    s.text.getState().setTextA('a very long text');
    await flush();
    expect(s.fake.pending.map((p) => p.call)).toEqual(['runText']);
    expect(s.app.getState().activities.map((a) => a.what)).toEqual(['Running bundled:mini-bert on the sentences']);

    const stopping = s.app.getState().stop();
    expect(s.fake.restarts()).toBe(1);
    expect(s.app.getState().stopping).toBe('bundled:mini-bert');
    await flush();
    // The run failed as cancelled: nothing new is shown, the earlier results stay, and the user is told.
    expect(s.text.getState()).toMatchObject({ running: false, output: shown, error: 'Stopped. The results below are for an earlier input.' });
    expect(s.app.getState().activities).toEqual([]);
    // The fresh worker gets the same backend choice, then the same model again.
    const backend = s.fake.take('setBackend');
    expect(backend.args).toEqual(['auto', null]);
    backend.resolve(status('wasm'));
    await flush();
    const reload = s.fake.take('load');
    expect(reload.args[0]).toMatchObject({ type: 'url', name: 'bundled:mini-bert', baseUrl: 'http://app.test/models/mini-bert/', cache: false });
    expect(s.app.getState().slots.bert.loading).toBe(true);
    reload.resolve({ slot: 'bert', name: 'bundled:mini-bert', info: bertInfo(2) } satisfies ModelLoaded);
    await stopping;
    await flush();
    expect(s.app.getState().stopping).toBeNull();
    // The same model object stays, so the stopped text is not run again on its own.
    expect(s.app.getState().slots.bert).toMatchObject({ current: model, loading: false, error: null });
    expect(s.fake.pending).toHaveLength(0);
    // The next edit runs as usual.
    s.text.getState().setTextA('short');
    await flush();
    expect(s.fake.take('runText').args[0]).toBe('short');
  });

  it('Stop during a load keeps the previous model (reloaded) and says the load was stopped', async () => {
    const { s } = await withResults({ backend: 'wasm' });
    const loading = s.app.getState().loadModel('someone/huge-model');
    expect(s.app.getState().activities.map((a) => a.what)).toEqual(['Loading hub:someone/huge-model']);
    const stopping = s.app.getState().stop();
    await loading;
    expect(s.app.getState().slots.bert).toMatchObject({ notice: 'Loading hub:someone/huge-model was stopped.', error: null });
    const backend = s.fake.take('setBackend');
    expect(backend.args).toEqual(['wasm', null]);
    backend.resolve(status('wasm'));
    await flush();
    const reload = s.fake.take('load');
    expect((reload.args[0] as { name: string }).name).toBe('bundled:mini-bert');
    reload.reject(new WorkerCallError({ code: 'offline', message: 'Could not reach the server.' }));
    await stopping;
    // A model that cannot come back is not shown as loaded.
    expect(s.app.getState().slots.bert).toMatchObject({
      current: null,
      error: 'Reloading bundled:mini-bert after Stop failed (Could not reach the server.); load it again.',
    });
  });
});

/** An output whose tokens point into sentence A ("the cat sat"), so tokens can be masked. */
function maskableOutput(): BertOutput {
  const out = bertOutput('the cat sat', 2);
  out.encoding = { ...out.encoding, offsets: [null, [0, 3], [4, 7], [8, 11], null], segment: [-1, 0, 0, 0, -1], word_ids: [null, 0, 1, 2, null] };
  return out;
}

describe('the view in the URL', () => {
  it('text workspace: attention view, layer, head, hidden specials, top-k, position and masked originals survive a reload', async () => {
    const s = setup({ a: 'the cat sat', b: '' });
    await loadBert(s, 4);
    await flush();
    s.fake.take('runText').resolve(maskableOutput());
    await flush();
    s.text.getState().maskToken(2, false);
    s.text.getState().setAttention({ view: 'matrix', layer: 2, head: 1, hideSpecial: true });
    s.text.getState().setTopK(7);
    s.text.getState().setPositionFocus(3);
    const url = Object.fromEntries(s.params.values);
    expect(url).toMatchObject({ a: 'the [MASK] sat', masked: '2:cat', view: 'matrix', layer: '3', head: '2', nospecial: '1', topk: '7', pos: '3' });

    const reloaded = setup(url).text.getState();
    expect(reloaded.textA).toBe('the [MASK] sat');
    expect(reloaded.originals).toEqual([{ token: 'cat', id: 2 }]);
    expect(reloaded.attention).toEqual({ view: 'matrix', layer: 2, head: 1, hideSpecial: true, query: 0 });
    expect(reloaded.topK).toBe(7);
    expect(reloaded.positionFocus).toBe(3);
    expect(reloaded.ignoredParams).toEqual([]);
  });

  it('the neuron views: the text query token and the open image neuron view survive a reload', () => {
    const s = setup({ a: 'the cat sat', b: '' });
    s.text.getState().setAttention({ view: 'neuron', layer: 1, head: 0, query: 2 });
    s.image.getState().setNeuron(true);
    const url = Object.fromEntries(s.params.values);
    expect(url).toMatchObject({ view: 'neuron', layer: '2', head: '1', query: '2', ineuron: '1' });
    const reloaded = setup(url);
    expect(reloaded.text.getState().attention).toEqual({ view: 'neuron', layer: 1, head: 0, hideSpecial: false, query: 2 });
    expect(reloaded.image.getState().neuron).toBe(true);
    s.image.getState().setNeuron(false);
    expect(s.params.values.has('ineuron')).toBe(false);
  });

  it('defaults stay out of the URL', () => {
    const s = setup({ a: 'the cat sat', b: 'it slept' });
    s.text.getState().setAttention({ view: 'model' });
    s.text.getState().setAttention({ view: 'head' });
    s.text.getState().setTopK(5);
    s.image.getState().setOverlayOpacity(0.6);
    expect([...s.params.values.keys()].sort()).toEqual(['a', 'b']);
  });

  it('unusable values are reported and replaced by the defaults', () => {
    const s = setup({ a: 'no masks here', view: 'sideways', layer: 'x', head: '0', nospecial: 'yes', topk: '25', masked: '2:cat', pos: '-1', ilayer: '0', ihead: 'all', patch: 'p', fusion: 'avg', discard: '2', opacity: 'abc', query: '-2', ineuron: 'yes' });
    const text = s.text.getState();
    expect(text.ignoredParams.map((p) => p.key).sort()).toEqual(['head', 'layer', 'masked', 'nospecial', 'pos', 'query', 'topk', 'view']);
    expect(text).toMatchObject({ topK: 5, positionFocus: 0, originals: [], attention: { view: 'head', layer: 0, head: 'mean', hideSpecial: false } });
    const image = s.image.getState();
    expect(image.ignoredParams.map((p) => p.key).sort()).toEqual(['discard', 'fusion', 'ihead', 'ilayer', 'ineuron', 'opacity', 'patch']);
    expect(image).toMatchObject({ layer: 0, head: 'mean', patch: null, rollout: { headFusion: 'mean', discardRatio: 0.9 }, overlayOpacity: 0.6, neuron: false });
  });

  it('a bad ?backend= is reported until a backend is chosen', async () => {
    const s = setup({ backend: 'bogus' });
    expect(s.app.getState()).toMatchObject({ backendChoice: 'auto', rejectedBackend: 'bogus' });
    const starting = s.app.getState().chooseBackend('auto');
    s.fake.take('setBackend').resolve(status('wasm'));
    await starting;
    expect(s.app.getState().rejectedBackend).toBe('bogus');
    const choosing = s.app.getState().chooseBackend('cpu');
    s.fake.take('setBackend').resolve(status('cpu'));
    await choosing;
    expect(s.app.getState().rejectedBackend).toBeNull();
  });

  it('a top-k outside 1..20 is refused with a message, not silently', () => {
    const s = setup({ a: 'the cat' });
    s.text.getState().setTopK(25);
    expect(s.text.getState()).toMatchObject({ topK: 5 });
    expect(s.text.getState().topKError).toMatch(/from 1 to 20; 25 was not taken/);
    s.text.getState().setTopK(20);
    expect(s.text.getState()).toMatchObject({ topK: 20, topKError: null });
    expect(s.deps.url.read('topk')).toBe('20');
  });

  it('image workspace: layer, head, patch, rollout, opacity and the sample survive a reload; an own image is only named', async () => {
    const samples = [{ file: 'one.png', label: 'one' }, { file: 'two.png', label: 'two' }];
    const fetch: StoreDeps['fetch'] = (input) =>
      Promise.resolve((input as string).endsWith('index.json') ? Response.json({ samples }) : new Response(new Uint8Array([1])));
    const s = setup({ tab: 'image' }, ['en'], fetch);
    const vitInfo = { kind: 'vit', trained_grid: [2, 2] } as unknown as VitModelInfo;
    const loading = s.app.getState().loadModel('bundled:mini-vit');
    s.fake.take('load').resolve({ slot: 'vit', name: 'bundled:mini-vit', info: vitInfo } satisfies ModelLoaded);
    await loading;
    const out = { grid: [2, 2], attentions: [nd([2, 5, 5]), nd([2, 5, 5]), nd([2, 5, 5])], hidden_states: [nd([5, 4])], timings } as unknown as VitOutput;
    await s.image.getState().loadSamples();
    await flush();
    s.fake.take('runImage').resolve(out); // the first sample, shown by default
    await flush();
    const opening = s.image.getState().openSample(samples[1]);
    await flush();
    s.fake.take('runImage').resolve(out);
    await opening;
    const { setLayer, setHead, setPatch, setRollout, setOverlayOpacity } = s.image.getState();
    setLayer(2);
    setHead(1);
    setPatch(3);
    setRollout({ headFusion: 'max', discardRatio: 0.5 });
    setOverlayOpacity(0.3);
    const url = Object.fromEntries(s.params.values);
    expect(url).toMatchObject({ image: 'two.png', ilayer: '3', ihead: '2', patch: '3', fusion: 'max', discard: '0.5', opacity: '0.3' });

    const reloaded = setup(url, ['en'], fetch);
    expect(reloaded.image.getState()).toMatchObject({ layer: 2, head: 1, patch: 3, rollout: { headFusion: 'max', discardRatio: 0.5 }, overlayOpacity: 0.3, sharedOwnImage: false });
    const reloading = reloaded.app.getState().loadModel('bundled:mini-vit');
    reloaded.fake.take('load').resolve({ slot: 'vit', name: 'bundled:mini-vit', info: vitInfo } satisfies ModelLoaded);
    await reloading;
    await reloaded.image.getState().loadSamples();
    await flush();
    const run = reloaded.fake.take('runImage');
    expect((run.args[0] as { fileName: string }).fileName).toBe('two.png');
    run.resolve(out);
    await flush();
    expect(reloaded.image.getState()).toMatchObject({ layer: 2, head: 1, patch: 3 });

    // An image of the user's own cannot travel in the link: the URL says there was one.
    const own = s.image.getState().runImage('photo.jpg', new Uint8Array([1]).buffer);
    await flush();
    s.fake.take('runImage').resolve(out);
    await own;
    expect(s.deps.url.read('image')).toBe('own');
    expect(setup(Object.fromEntries(s.params.values), ['en'], fetch).image.getState().sharedOwnImage).toBe(true);
  });
});

