// Messages between the position-structure lab (stores/positionLabStore.ts) and the training worker.
// The page starts, pauses and saves; the worker reports each step, and every EVAL_EVERY steps the
// test accuracy and the position embeddings.

import type { BackendName } from '../models/backend';

export type TrainingRequest =
  | { type: 'start'; dataUrl: string }
  | { type: 'pause' }
  | { type: 'save'; id: number };

/** What the lab plots: test accuracy and position structure after `step` steps. */
export interface TrainingEval {
  step: number;
  accuracy: number;
  test_loss: number;
  /** Mean Spearman ρ of the position embeddings' similarity against grid distance. */
  spearman: number;
  elapsed_ms: number;
}

export type TrainingResponse =
  | { type: 'started'; backend: BackendName; train_images: number; test_images: number; grid: [number, number] }
  | { type: 'step'; step: number; loss: number; elapsed_ms: number }
  | { type: 'eval'; eval: TrainingEval; positions: { shape: [number, number]; data: Float32Array } }
  | { type: 'paused'; step: number }
  | { type: 'saved'; id: number; files: Record<string, Uint8Array> }
  | { type: 'error'; message: string };
