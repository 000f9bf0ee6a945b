// App-wide state: which backend runs the models, which model sits in each slot (one BERT, one
// ViT), download progress, the checkpoint cache and the timings of the latest run. Loading a
// model never clears the current one: it is replaced only when the new one is ready.

import { create } from 'zustand';
import type { LoadProgress, ModelInfo, Timings } from '../models/types';
import { getClient, WorkerCallError } from '../worker/client';
import type { BackendChoice, BackendStatus, CacheInfo, ModelSlot, ModelSourceSpec, WasmThreads } from '../worker/protocol';
import { DEFAULT_HUB, DEFAULT_MODEL, PRESETS, sourceFor } from './presets';
import { readParam, writeParams } from './urlState';

export type Tab = 'text' | 'image';

export interface SlotState {
  current: { name: string; info: ModelInfo } | null;
  /** The load in flight (or the last one, kept to show that every file reached 100%). */
  progress: { name: string; files: LoadProgress[]; done: boolean } | null;
  loading: boolean;
  error: string | null;
  /** Something to know that is not an error, e.g. that a model went to the other workspace. */
  notice: string | null;
}

interface AppState {
  tab: Tab;
  hubBaseUrl: string;
  backendChoice: BackendChoice;
  /** WASM threads asked for with ?threads=N; null lets the worker pick for this machine. */
  wasmThreads: WasmThreads;
  backend: BackendStatus | null;
  backendBusy: boolean;
  /** Something the user should know about the backend (a fallback, a lost GPU). */
  backendNotice: string | null;
  slots: Record<ModelSlot, SlotState>;
  cache: CacheInfo | null;
  timings: Partial<Record<ModelSlot, Timings>>;
  /** Live tensors in the worker after the latest run; constant across runs unless something leaks. */
  liveTensors: number | null;

  setTab(tab: Tab): void;
  setHubBaseUrl(url: string): void;
  chooseBackend(choice: BackendChoice): Promise<void>;
  /** Loads a preset id, repo id or dropped files into the slot the checkpoint's config says. */
  loadModel(source: string | ModelSourceSpec, slotHint?: ModelSlot): Promise<void>;
  /** Loads the slot's model from the URL or the default, unless one is there or on its way. */
  ensureModel(slot: ModelSlot): Promise<void>;
  refreshCache(): Promise<void>;
  clearCache(): Promise<void>;
  /** Records the timings of a finished run (shown in the backend badge) and the worker's tensor count. */
  reportTimings(slot: ModelSlot, timings: Timings): void;
}

const emptySlot = (): SlotState => ({ current: null, progress: null, loading: false, error: null, notice: null });

const BACKENDS: BackendChoice[] = ['auto', 'webgl', 'wasm', 'cpu'];

function initialBackendChoice(): BackendChoice {
  const param = readParam('backend');
  return BACKENDS.includes(param as BackendChoice) ? (param as BackendChoice) : 'auto';
}

function initialWasmThreads(): WasmThreads {
  const threads = Number(readParam('threads') ?? NaN);
  return Number.isInteger(threads) && threads >= 1 ? threads : null;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const useAppStore = create<AppState>()((set, get) => {
  const patchSlot = (slot: ModelSlot, patch: Partial<SlotState>) =>
    set((s) => ({ slots: { ...s.slots, [slot]: { ...s.slots[slot], ...patch } } }));

  // Which slot shows the progress of a load. The checkpoint's config decides where the model
  // goes; until it is read, dropped files and typed repo ids are assumed to suit the open tab.
  const progressSlot = (source: string | ModelSourceSpec, hint?: ModelSlot): ModelSlot =>
    hint ?? PRESETS.find((p) => p.id === source)?.slot ?? (get().tab === 'image' ? 'vit' : 'bert');

  getClient().onBackendLost(({ status, message, reloaded }) => {
    set({ backend: status, backendNotice: message });
    for (const { slot, name, info } of reloaded) patchSlot(slot, { current: { name, info } });
  });

  return {
    tab: readParam('tab') === 'image' ? 'image' : 'text',
    hubBaseUrl: readParam('hub') ?? DEFAULT_HUB,
    backendChoice: initialBackendChoice(),
    wasmThreads: initialWasmThreads(),
    backend: null,
    backendBusy: false,
    backendNotice: null,
    slots: { bert: emptySlot(), vit: emptySlot() },
    cache: null,
    timings: {},
    liveTensors: null,

    setTab(tab) {
      set({ tab });
      writeParams({ tab: tab === 'text' ? null : tab });
    },

    setHubBaseUrl(url) {
      set({ hubBaseUrl: url });
      writeParams({ hub: url === DEFAULT_HUB ? null : url });
    },

    async chooseBackend(choice) {
      set({ backendChoice: choice, backendBusy: true });
      writeParams({ backend: choice === 'auto' ? null : choice });
      try {
        const status = await getClient().setBackend(choice, get().wasmThreads);
        const fellBack = choice !== 'auto' && status.name !== choice;
        set({ backend: status, backendNotice: fellBack ? `${choice} could not start; using ${status.name}.` : null });
      } catch (e) {
        set({ backendNotice: errorText(e) });
      } finally {
        set({ backendBusy: false });
      }
    },

    async loadModel(source, slotHint) {
      const slot = progressSlot(source, slotHint);
      let spec: ModelSourceSpec;
      try {
        spec = typeof source === 'string' ? sourceFor(source, get().hubBaseUrl) : source;
      } catch (e) {
        patchSlot(slot, { error: errorText(e) });
        return;
      }
      const files: LoadProgress[] = [];
      patchSlot(slot, { loading: true, error: null, notice: null, progress: { name: spec.name, files, done: false } });
      try {
        const loaded = await getClient().load(spec, (p) => {
          const at = files.findIndex((f) => f.file === p.file);
          if (at >= 0) files[at] = p;
          else files.push(p);
          patchSlot(slot, { progress: { name: spec.name, files: [...files], done: false } });
        });
        if (loaded.slot !== slot) {
          const where = loaded.slot === 'vit' ? 'Image · ViT' : 'Text · BERT';
          patchSlot(slot, { loading: false, progress: null, notice: `${loaded.name} is a ${loaded.slot.toUpperCase()} model; it is now the model of the ${where} tab.` });
        }
        patchSlot(loaded.slot, {
          current: { name: loaded.name, info: loaded.info },
          loading: false,
          error: null,
          progress: { name: spec.name, files: [...files], done: true },
        });
        if (spec.type === 'url') writeParams({ [loaded.slot]: loaded.name === DEFAULT_MODEL[loaded.slot] ? null : loaded.name });
        if (spec.type === 'url' && spec.cache) void get().refreshCache();
      } catch (e) {
        // The hub answers 404 alike for a missing file and for a repo that does not exist.
        const typo = e instanceof WorkerCallError && e.code === 'not_found' && spec.type === 'url' && spec.cache;
        const hint = typo ? ' Check the repo id ("org/name"): a repo that does not exist looks the same.' : '';
        patchSlot(slot, { loading: false, error: errorText(e) + hint });
      }
    },

    async ensureModel(slot) {
      const state = get().slots[slot];
      if (state.current || state.loading) return;
      await get().loadModel(readParam(slot) ?? DEFAULT_MODEL[slot], slot);
    },

    async refreshCache() {
      set({ cache: await getClient().cacheInfo() });
    },

    async clearCache() {
      set({ cache: await getClient().clearCache() });
    },

    reportTimings(slot, timings) {
      set((s) => ({ timings: { ...s.timings, [slot]: timings } }));
      void getClient()
        .memory()
        .then(({ numTensors }) => set({ liveTensors: numTensors }));
    },
  };
});
