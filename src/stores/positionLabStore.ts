// State of the position-structure lab (image workspace): how ViT's position embeddings go from
// noise to the 2-D layout of the patches.
//   - Timeline: mini-ViT's position embeddings saved during a retrain from random initialisation
//     (public/models/mini-vit/position_timeline.*, made by scripts/train/vit/timeline.py), one frame
//     per saved step, with a slider and play/pause.
//   - Live: a small ViT trained in the training worker on a slice of Fashion-MNIST, with its loss,
//     test accuracy and position structure as it goes; saved as a checkpoint in Hugging Face layout,
//     downloadable or opened in the image workspace.

import { create } from 'zustand';
import { t } from '../i18n';
import { parseSafetensors, toFloat32 } from '../models/checkpoint/safetensors';
import type { NdArray } from '../models/types';
import type { TrainingApi } from '../worker/trainingClient';
import type { TrainingEval, TrainingResponse } from '../worker/trainingProtocol';
import { errorText, type AppStore } from './appStore';
import type { StoreDeps } from './deps';

/** The lab's section id (the URL's `lab` value). */
export const POSITION_LAB = 'position-structure';
/** The mean Spearman ρ the lab calls visible 2-D structure. */
export const STRUCTURE_TARGET = -0.3;
/** Milliseconds per frame when the timeline plays. */
export const PLAY_MS = 700;
export const TIMELINE_BASE = 'models/mini-vit/position_timeline';
export const LIVE_DATA = 'labs/fashion-mnist-live.safetensors';

/** One saved point of the timeline run, as position_timeline.json lists it. */
export interface TimelineFrame {
  step: number;
  images: number;
  minutes: number;
  test_images: number;
  test_accuracy: number;
  /** Spearman ρ as the training script computed it (4 decimals). */
  spearman: number;
}

export interface Timeline {
  frames: TimelineFrame[];
  /** Per frame, [1 + rows·cols, hidden] ([CLS] first), float16 in the file. */
  positions: NdArray[];
  grid: [number, number];
}

export type LiveStatus = 'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'error';

export interface LiveState {
  status: LiveStatus;
  backend: string | null;
  train_images: number;
  test_images: number;
  step: number;
  /** Training time, pauses excluded. */
  elapsed_ms: number;
  losses: { step: number; loss: number }[];
  evals: TrainingEval[];
  /** The latest position embeddings ([CLS] first) and their grid. */
  positions: NdArray | null;
  grid: [number, number] | null;
  /** Training time at the first evaluation with ρ below STRUCTURE_TARGET. */
  structure_ms: number | null;
  error: string | null;
  saving: boolean;
}

export interface PositionLabState {
  open: boolean;
  timeline: Timeline | null;
  timelineError: string | null;
  frame: number;
  playing: boolean;
  live: LiveState;

  setOpen: (open: boolean) => void;
  loadTimeline: () => Promise<void>;
  setFrame: (frame: number) => void;
  setPlaying: (playing: boolean) => void;
  start: () => void;
  pause: () => void;
  /** The live model as checkpoint files (model.safetensors, config.json, preprocessor_config.json). */
  save: () => Promise<Record<string, Uint8Array>>;
  /** Saves the live model and loads it into the image workspace's ViT slot. */
  openInWorkspace: () => Promise<void>;
}

const idle = (): LiveState => ({
  status: 'idle', backend: null, train_images: 0, test_images: 0, step: 0, elapsed_ms: 0, losses: [], evals: [],
  positions: null, grid: null, structure_ms: null, error: null, saving: false,
});

/** position_timeline.json: `{ grid: [rows, cols], frames: [{ step, images, minutes, test_images, test_accuracy, spearman }] }`. */
export function parseTimelineIndex(value: unknown): { grid: [number, number]; frames: TimelineFrame[] } {
  const fail = (problem: string): never => {
    throw new Error(t('positionLab.timeline.format', { problem }));
  };
  const { grid, frames } = (value ?? {}) as Record<string, unknown>;
  if (!Array.isArray(grid) || grid.length !== 2 || !grid.every((g) => Number.isSafeInteger(g) && (g as number) > 0)) fail('"grid" must be [rows, cols]');
  if (!Array.isArray(frames) || frames.length === 0) fail('no "frames"');
  const keys = ['step', 'images', 'minutes', 'test_images', 'test_accuracy', 'spearman'] as const;
  return {
    grid: grid as [number, number],
    frames: (frames as unknown[]).map((entry, i) => {
      const f = (entry ?? {}) as Record<string, unknown>;
      const missing = keys.find((k) => typeof f[k] !== 'number');
      if (missing) fail(`frame ${i} has no number "${missing}"`);
      return Object.fromEntries(keys.map((k) => [k, f[k]])) as unknown as TimelineFrame;
    }),
  };
}

/** position_timeline.safetensors: `position_embeddings` [frames, 1 + rows·cols, hidden], one NdArray per frame. */
export function timelinePositions(file: Uint8Array, frames: number, grid: [number, number]): NdArray[] {
  const entry = parseSafetensors(file, 'position_timeline.safetensors').tensors.get('position_embeddings');
  const [count, n, hidden] = entry?.shape ?? [];
  if (!entry || entry.shape.length !== 3 || count !== frames || n !== 1 + grid[0] * grid[1]) {
    throw new Error(t('positionLab.timeline.format', { problem: `position_embeddings must be [${frames}, ${1 + grid[0] * grid[1]}, hidden]` }));
  }
  const values = toFloat32(entry);
  return Array.from({ length: count }, (_, i) => ({ shape: [n, hidden], data: values.subarray(i * n * hidden, (i + 1) * n * hidden) }));
}

export type PositionLabStore = ReturnType<typeof createPositionLabStore>;

export function createPositionLabStore(deps: StoreDeps, app: AppStore, training: () => TrainingApi) {
  let player: ReturnType<typeof setInterval> | undefined;
  let client: TrainingApi | null = null;
  let saveId = 0;
  const saves = new Map<number, { resolve: (files: Record<string, Uint8Array>) => void; reject: (e: Error) => void }>();

  const store = create<PositionLabState>()((set, get) => {
    const patchLive = (patch: Partial<LiveState> | ((live: LiveState) => Partial<LiveState>)) =>
      set((s) => ({ live: { ...s.live, ...(typeof patch === 'function' ? patch(s.live) : patch) } }));

    function receive(message: TrainingResponse): void {
      switch (message.type) {
        case 'started':
          patchLive({ status: get().live.status === 'pausing' ? 'pausing' : 'running', backend: message.backend, train_images: message.train_images, test_images: message.test_images, grid: message.grid });
          break;
        case 'step':
          patchLive((live) => ({ step: message.step, elapsed_ms: message.elapsed_ms, losses: [...live.losses, { step: message.step, loss: message.loss }] }));
          break;
        case 'eval': {
          const e = message.eval;
          patchLive((live) => ({
            evals: [...live.evals, e],
            positions: message.positions,
            structure_ms: live.structure_ms ?? (e.spearman < STRUCTURE_TARGET ? e.elapsed_ms : null),
          }));
          break;
        }
        case 'paused':
          patchLive({ status: 'paused', step: message.step });
          break;
        case 'saved':
          saves.get(message.id)?.resolve(message.files);
          saves.delete(message.id);
          break;
        case 'error':
          for (const pending of saves.values()) pending.reject(new Error(message.message));
          saves.clear();
          patchLive({ status: 'error', error: message.message, saving: false });
          break;
      }
    }

    const worker = () => {
      if (!client) {
        client = training();
        client.onMessage(receive);
      }
      return client;
    };

    return {
      open: deps.url.read('lab') === POSITION_LAB,
      timeline: null,
      timelineError: null,
      frame: 0,
      playing: false,
      live: idle(),

      setOpen(open) {
        set({ open });
        deps.url.write({ lab: open ? POSITION_LAB : null });
        if (open && !get().timeline) void get().loadTimeline();
        if (!open) get().setPlaying(false);
      },

      async loadTimeline() {
        try {
          const [index, weights] = await Promise.all(
            ['json', 'safetensors'].map(async (ext) => {
              const response = await deps.fetch(`${deps.publicBase}${TIMELINE_BASE}.${ext}`);
              if (!response.ok) throw new Error(t('positionLab.timeline.http', { file: `position_timeline.${ext}`, status: response.status }));
              return ext === 'json' ? ((await response.json()) as unknown) : new Uint8Array(await response.arrayBuffer());
            }),
          );
          const { grid, frames } = parseTimelineIndex(index);
          set({ timeline: { frames, grid, positions: timelinePositions(weights as Uint8Array, frames.length, grid) }, timelineError: null });
        } catch (e) {
          set({ timelineError: errorText(e) });
        }
      },

      setFrame(frame) {
        const count = get().timeline?.frames.length ?? 0;
        if (Number.isInteger(frame) && frame >= 0 && frame < count) set({ frame });
      },

      setPlaying(playing) {
        clearInterval(player);
        const frames = get().timeline?.frames.length ?? 0;
        if (!playing || frames === 0) {
          set({ playing: false });
          return;
        }
        // Playing from the last frame starts over.
        if (get().frame === frames - 1) set({ frame: 0 });
        set({ playing: true });
        player = setInterval(() => {
          const next = get().frame + 1;
          if (next >= frames) get().setPlaying(false);
          else set({ frame: next });
        }, PLAY_MS);
      },

      start() {
        const { status } = get().live;
        if (status === 'running' || status === 'starting') return;
        patchLive({ status: status === 'idle' || status === 'error' ? 'starting' : 'running', error: null });
        worker().send({ type: 'start', dataUrl: `${deps.publicBase}${LIVE_DATA}` });
      },

      pause() {
        if (get().live.status !== 'running' && get().live.status !== 'starting') return;
        patchLive({ status: 'pausing' });
        worker().send({ type: 'pause' });
      },

      save() {
        const id = ++saveId;
        patchLive({ saving: true });
        return new Promise<Record<string, Uint8Array>>((resolve, reject) => {
          saves.set(id, { resolve, reject });
          worker().send({ type: 'save', id });
        }).finally(() => patchLive({ saving: false }));
      },

      async openInWorkspace() {
        let files: Record<string, Uint8Array>;
        try {
          files = await get().save();
        } catch (e) {
          patchLive({ error: errorText(e) });
          return;
        }
        const step = get().live.step;
        const name = t('positionLab.live.modelName', { step });
        await app.getState().loadModel(
          { type: 'files', name, files: Object.entries(files).map(([file, bytes]) => new File([bytes as Uint8Array<ArrayBuffer>], file)) },
          'vit',
        );
        if (!app.getState().slots.vit.error) get().setOpen(false);
      },
    };
  });
  if (store.getState().open) void store.getState().loadTimeline();
  return store;
}
