// App-wide state: which backend runs the models, which model sits in each slot (one BERT, one
// ViT), download progress, the checkpoint cache and the timings of the latest run. Loading a
// model never clears the current one: it is replaced only when the new one is ready.

import { create } from 'zustand';
import type { BertModelInfo, LoadProgress, Timings, VitModelInfo } from '../models/types';
import { WorkerCallError } from '../worker/client';
import type { BackendChoice, BackendStatus, CacheInfo, ModelLoaded, ModelSlot, ModelSourceSpec, WasmThreads } from '../worker/protocol';
import type { InferenceApi, StoreDeps } from './deps';
import { DEFAULT_HUB, DEFAULT_MODEL, PRESETS, sourceFor } from './presets';
import { pickLanguage, t, type Language } from '../i18n';

export type Tab = 'text' | 'image';

export interface SlotState<Info = BertModelInfo | VitModelInfo> {
  current: { name: string; info: Info } | null;
  /** The load in flight (or the last one, kept to show that every file reached 100%). */
  progress: { name: string; files: LoadProgress[]; done: boolean } | null;
  loading: boolean;
  error: string | null;
  /** Something to know that is not an error, e.g. that a model went to the other workspace. */
  notice: string | null;
}

export interface AppState {
  tab: Tab;
  /** The UI language: `?lang=`, else the browser's language, else English. */
  language: Language;
  /** A `?lang=` value we have no catalogue for (ignored; the UI says so), or null. */
  rejectedLanguage: string | null;
  hubBaseUrl: string;
  backendChoice: BackendChoice;
  /** WASM threads asked for with ?threads=N; null lets the worker pick for this machine. */
  wasmThreads: WasmThreads;
  backend: BackendStatus | null;
  backendBusy: boolean;
  /** Something the user should know about the backend (a fallback, a lost GPU). */
  backendNotice: string | null;
  /** A `?backend=` value that is no backend (ignored, so the choice is automatic; the UI says so), or null. */
  rejectedBackend: string | null;
  slots: { bert: SlotState<BertModelInfo>; vit: SlotState<VitModelInfo> };
  cache: CacheInfo | null;
  timings: Partial<Record<ModelSlot, Timings>>;
  /** Live tensors in the worker after the latest run; constant across runs unless something leaks. */
  liveTensors: number | null;

  setTab: (tab: Tab) => void;
  /** Switches the UI language and keeps it in the URL, so a shared link opens in it. */
  setLanguage: (language: Language) => void;
  setHubBaseUrl: (url: string) => void;
  chooseBackend: (choice: BackendChoice) => Promise<void>;
  /** Loads a preset id, repo id or dropped files into the slot the checkpoint's config says. */
  loadModel: (source: string | ModelSourceSpec, slotHint?: ModelSlot) => Promise<void>;
  /** Loads the slot's model from the URL or the default, unless one is there or on its way. */
  ensureModel: (slot: ModelSlot) => Promise<void>;
  refreshCache: () => Promise<void>;
  clearCache: () => Promise<void>;
  /** Records the timings of a finished run (shown in the backend badge) and the worker's tensor count. */
  reportTimings: (slot: ModelSlot, timings: Timings) => void;
}

export type AppStore = ReturnType<typeof createAppStore>;

const emptySlot = <Info>(): SlotState<Info> => ({ current: null, progress: null, loading: false, error: null, notice: null });

const BACKENDS: BackendChoice[] = ['auto', 'webgl', 'wasm', 'cpu'];

/** ?threads=N: a positive whole number, else null (the worker picks for this machine). */
function wasmThreadsParam(value: string | null): WasmThreads {
  const threads = Number(value ?? NaN);
  return Number.isInteger(threads) && threads >= 1 ? threads : null;
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function createAppStore(deps: StoreDeps) {
  return create<AppState>()((set, get) => {
    const patchSlot = <S extends ModelSlot>(slot: S, patch: Partial<AppState['slots'][S]>) =>
      set((s) => ({ slots: { ...s.slots, [slot]: { ...s.slots[slot], ...patch } } }));
    const setCurrent = (loaded: ModelLoaded, patch: Partial<SlotState> = {}) =>
      loaded.slot === 'bert'
        ? patchSlot('bert', { ...patch, current: { name: loaded.name, info: loaded.info } })
        : patchSlot('vit', { ...patch, current: { name: loaded.name, info: loaded.info } });

    // The worker starts on the first call; from then on the store hears when the GPU goes away.
    let client: InferenceApi | null = null;
    const inference = (): InferenceApi => {
      if (client) return client;
      client = deps.inference();
      client.onBackendLost(({ status, message, reloaded }) => {
        set({ backend: status, backendNotice: message });
        for (const loaded of reloaded) setCurrent(loaded);
      });
      return client;
    };

    // Which slot shows the progress of a load. The checkpoint's config decides where the model
    // goes; until it is read, dropped files and typed repo ids are assumed to suit the open tab.
    const progressSlot = (source: string | ModelSourceSpec, hint?: ModelSlot): ModelSlot =>
      hint ?? PRESETS.find((p) => p.id === source)?.slot ?? (get().tab === 'image' ? 'vit' : 'bert');

    const requested = deps.url.read('backend');
    const { language, rejected: rejectedLanguage } = pickLanguage(deps.url.read('lang'), deps.languages);
    return {
      tab: deps.url.read('tab') === 'image' ? 'image' : 'text',
      language,
      rejectedLanguage,
      hubBaseUrl: deps.url.read('hub') ?? DEFAULT_HUB,
      backendChoice: BACKENDS.includes(requested as BackendChoice) ? (requested as BackendChoice) : 'auto',
      rejectedBackend: requested && !BACKENDS.includes(requested as BackendChoice) ? requested : null,
      wasmThreads: wasmThreadsParam(deps.url.read('threads')),
      backend: null,
      backendBusy: false,
      backendNotice: null,
      slots: { bert: emptySlot(), vit: emptySlot() },
      cache: null,
      timings: {},
      liveTensors: null,

      setTab(tab) {
        set({ tab });
        deps.url.write({ tab: tab === 'text' ? null : tab });
      },

      setLanguage(language) {
        set({ language, rejectedLanguage: null });
        deps.url.write({ lang: language });
      },

      setHubBaseUrl(url) {
        set({ hubBaseUrl: url });
        deps.url.write({ hub: url === DEFAULT_HUB ? null : url });
      },

      async chooseBackend(choice) {
        // The first call passes the URL's choice; a later one is the user's, which settles a bad `?backend=`.
        const rejectedBackend = choice === get().backendChoice ? get().rejectedBackend : null;
        set({ backendChoice: choice, backendBusy: true, rejectedBackend });
        deps.url.write({ backend: choice === 'auto' ? null : choice });
        try {
          const status = await inference().setBackend(choice, get().wasmThreads);
          const fellBack = choice !== 'auto' && status.name !== choice;
          set({ backend: status, backendNotice: fellBack ? t('backend.fellBack', { choice, used: status.name }) : null });
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
          spec = typeof source === 'string' ? sourceFor(source, get().hubBaseUrl, deps.publicBase) : source;
        } catch (e) {
          patchSlot(slot, { error: errorText(e) });
          return;
        }
        const files: LoadProgress[] = [];
        patchSlot(slot, { loading: true, error: null, notice: null, progress: { name: spec.name, files, done: false } });
        try {
          const loaded = await inference().load(spec, (p) => {
            const at = files.findIndex((f) => f.file === p.file);
            if (at >= 0) files[at] = p;
            else files.push(p);
            patchSlot(slot, { progress: { name: spec.name, files: [...files], done: false } });
          });
          if (loaded.slot !== slot) {
            patchSlot(slot, {
              loading: false,
              progress: null,
              notice: t('picker.movedToOtherTab', {
                name: loaded.name,
                kind: loaded.slot.toUpperCase(),
                tab: t(`app.tabs.${loaded.slot === 'vit' ? 'image' : 'text'}`),
              }),
            });
          }
          setCurrent(loaded, { loading: false, error: null, progress: { name: spec.name, files: [...files], done: true } });
          if (spec.type === 'url') deps.url.write({ [loaded.slot]: loaded.name === DEFAULT_MODEL[loaded.slot] ? null : loaded.name });
          // Only informative (the size shown next to "clear cache"); a failure here is no load failure.
          if (spec.type === 'url' && spec.cache) get().refreshCache().catch(() => undefined);
        } catch (e) {
          // The hub answers 404 alike for a missing file and for a repo that does not exist.
          const typo = e instanceof WorkerCallError && e.code === 'not_found' && spec.type === 'url' && spec.cache;
          const hint = typo ? ` ${t('picker.checkRepoId')}` : '';
          patchSlot(slot, { loading: false, error: errorText(e) + hint });
        }
      },

      async ensureModel(slot) {
        const state = get().slots[slot];
        if (state.current || state.loading) return;
        await get().loadModel(deps.url.read(slot) ?? DEFAULT_MODEL[slot], slot);
      },

      async refreshCache() {
        set({ cache: await inference().cacheInfo() });
      },

      async clearCache() {
        set({ cache: await inference().clearCache() });
      },

      reportTimings(slot, timings) {
        set((s) => ({ timings: { ...s.timings, [slot]: timings } }));
        inference()
          .memory()
          .then(({ numTensors }) => set({ liveTensors: numTensors }))
          .catch(() => set({ liveTensors: null }));
      },
    };
  });
}
