// The position-structure lab's store against a fake training worker and fake files, in Node:
// the timeline loads from public/ and plays, the live run follows the worker's messages, and a
// saved model goes to the image workspace's slot as dropped files.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppStore } from '../../src/stores/appStore';
import type { InferenceApi, StoreDeps } from '../../src/stores/deps';
import { createPositionLabStore, PLAY_MS, STRUCTURE_TARGET } from '../../src/stores/positionLabStore';
import { memoryUrl } from '../../src/stores/urlState';
import type { TrainingApi } from '../../src/worker/trainingClient';
import type { TrainingRequest, TrainingResponse } from '../../src/worker/trainingProtocol';

function setup(url: Record<string, string> = {}) {
  const sent: TrainingRequest[] = [];
  let listener: (m: TrainingResponse) => void = () => {};
  const training: TrainingApi = { send: (r) => void sent.push(r), onMessage: (l) => void (listener = l) };
  const loads: unknown[] = [];
  const inference = {
    load: (spec: unknown) => {
      loads.push(spec);
      return new Promise(() => {});
    },
    onBackendLost: () => () => {},
  } as unknown as InferenceApi;
  const deps: StoreDeps = {
    inference: () => inference,
    url: memoryUrl(url),
    publicBase: 'http://app.test/',
    fetch: (input) => {
      const file = (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).replace('http://app.test/', 'public/');
      return Promise.resolve(new Response(readFileSync(file)));
    },
    random: () => 0,
    languages: ['en-US'],
    runDelayMs: 0,
  };
  const app = createAppStore(deps);
  const lab = createPositionLabStore(deps, app, () => training);
  return { lab, app, sent, loads, deps, emit: (m: TrainingResponse) => listener(m) };
}

afterEach(() => vi.useRealTimers());

describe('position-structure lab store', () => {
  it('opens from the URL, loads the timeline and plays it frame by frame', async () => {
    const { lab } = setup({ lab: 'position-structure' });
    expect(lab.getState().open).toBe(true);
    await vi.waitFor(() => expect(lab.getState().timeline).not.toBeNull());
    const { frames, positions, grid } = lab.getState().timeline!;
    expect([frames.length, positions.length, grid]).toEqual([23, 23, [7, 7]]);
    vi.useFakeTimers();
    lab.getState().setPlaying(true);
    vi.advanceTimersByTime(PLAY_MS * 3);
    expect(lab.getState().frame).toBe(3);
    lab.getState().setPlaying(false);
    vi.advanceTimersByTime(PLAY_MS * 3);
    expect(lab.getState().frame).toBe(3);
    lab.getState().setFrame(99);
    expect(lab.getState().frame).toBe(3);
  });

  it('follows the live run: steps, evaluations, the time to structure, pause', () => {
    const { lab, sent, emit } = setup();
    lab.getState().start();
    expect(sent).toEqual([{ type: 'start', dataUrl: 'http://app.test/labs/fashion-mnist-live.safetensors' }]);
    expect(lab.getState().live.status).toBe('starting');
    emit({ type: 'started', backend: 'wasm', train_images: 5000, test_images: 200, grid: [7, 7] });
    expect(lab.getState().live.status).toBe('running');
    emit({ type: 'step', step: 1, loss: 2.3, elapsed_ms: 100 });
    const positions = { shape: [50, 64] as [number, number], data: new Float32Array(50 * 64) };
    emit({ type: 'eval', eval: { step: 10, accuracy: 0.2, test_loss: 2, spearman: -0.1, elapsed_ms: 1000 }, positions });
    expect(lab.getState().live.structure_ms).toBeNull();
    emit({ type: 'eval', eval: { step: 20, accuracy: 0.3, test_loss: 2, spearman: STRUCTURE_TARGET - 0.01, elapsed_ms: 2000 }, positions });
    emit({ type: 'eval', eval: { step: 30, accuracy: 0.3, test_loss: 2, spearman: STRUCTURE_TARGET - 0.1, elapsed_ms: 3000 }, positions });
    expect(lab.getState().live.structure_ms).toBe(2000);
    expect(lab.getState().live.evals.map((e) => e.step)).toEqual([10, 20, 30]);
    lab.getState().pause();
    expect(sent[1]).toEqual({ type: 'pause' });
    expect(lab.getState().live.status).toBe('pausing');
    emit({ type: 'paused', step: 30 });
    expect(lab.getState().live.status).toBe('paused');
  });

  it('opens the saved model in the image workspace as dropped files', async () => {
    const { lab, sent, emit, loads } = setup();
    lab.getState().start();
    emit({ type: 'paused', step: 40 });
    const opening = lab.getState().openInWorkspace();
    const save = sent.find((r) => r.type === 'save')!;
    const bytes = new Uint8Array([1, 2, 3]);
    emit({ type: 'saved', id: (save as { id: number }).id, files: { 'config.json': bytes, 'model.safetensors': bytes } });
    await vi.waitFor(() => expect(loads.length).toBe(1));
    const spec = loads[0] as { type: string; name: string; files: File[] };
    expect(spec.type).toBe('files');
    expect(spec.name).toBe('live ViT (step 40)');
    expect(spec.files.map((f) => f.name).sort()).toEqual(['config.json', 'model.safetensors']);
    void opening;
  });

  it('a worker error fails a pending save and shows the message', async () => {
    const { lab, emit } = setup();
    const saving = lab.getState().save();
    emit({ type: 'error', message: 'Nothing to save yet: start training first.' });
    await expect(saving).rejects.toThrow(/Nothing to save/);
    expect(lab.getState().live.status).toBe('error');
    expect(lab.getState().live.saving).toBe(false);
  });
});
