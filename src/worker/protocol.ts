// Messages between the UI thread (client.ts) and the inference worker. Every request carries an
// id; the worker answers it with exactly one `ok` or `error`, optionally preceded by `progress`.
// Events without an id tell the UI about things nobody asked for (the GPU went away).

import type { ModelErrorCode } from '../models/errors';
import type { BackendName } from '../models/backend';
import type { BertEncoding, BertModelInfo, BertOutput, CnnModelInfo, LoadProgress, NdArray, OutputRequest, VitModelInfo, VitOutput } from '../models/types';

export type { BackendName };
export type BackendChoice = BackendName | 'auto';

export interface BackendStatus {
  name: BackendName;
  /** What the user asked for; differs from `name` after a fallback. */
  requested: BackendChoice;
  /** Plain-language reason for this backend (policy decision, override, or fallback and its cause). */
  reason: string;
  /** Float precision the kernels compute in, e.g. "float32" or "float16 (no float32 render targets)". */
  precision: string;
  /** Renderer for WebGL, SIMD/threads for WASM. */
  details: string;
}

/** Threads for the WASM backend: a count, or null for the default (see defaultWasmThreads). */
export type WasmThreads = number | null;

/** Where the checkpoint files come from. `cache` keeps downloads in Cache Storage (hub models). */
export type ModelSourceSpec =
  /** `files`: every file under `baseUrl`, when known (bundled models), so nothing missing is requested. */
  | { type: 'url'; name: string; baseUrl: string; cache: boolean; files?: string[] }
  | { type: 'files'; name: string; files: File[] };

export type ModelSlot = 'bert' | 'vit';

/** A model now in its slot; the slot is the model's kind. */
export type ModelLoaded =
  | { slot: 'bert'; name: string; info: BertModelInfo }
  | { slot: 'vit'; name: string; info: VitModelInfo };

/** An encoded image file (PNG, JPEG, WebP…), decoded in the worker. */
export interface ImageInput {
  type: 'encoded';
  bytes: ArrayBuffer;
  fileName: string;
}

export interface CacheInfo {
  entries: number;
  bytes: number;
}

/** One BERT input given as token ids (e.g. a masked-LM example with random replacements). */
export interface IdsInput {
  input_ids: number[];
  token_type_ids: number[];
  /** Positions the MLM head predicts; by default the [MASK] tokens. */
  mlm_positions?: number[];
}

/** The two image models of the inductive-bias lab: the user's ViT, and the lab's own CNN. */
export type LabImageModel = 'vit' | 'cnn';

/** Class probabilities of a batch of images, and how long the model took per image. */
export interface PixelsRun {
  /** [images, labels] softmax of the logits. */
  probs: NdArray;
  labels: string[];
  /** Wall time in the worker from the first upload to the last read-back, over the number of images. */
  ms_per_image: number;
}

/** Texts as the loaded BERT tokenizes them, and what its vocabulary holds. */
export interface Tokenized {
  encodings: BertEncoding[];
  /** Ids run from 0 to vocab_size − 1 (the smaller of the tokenizer's and config.json's). */
  vocab_size: number;
  /** Special and added tokens. */
  special_ids: number[];
  mask_id: number;
}

/** Request payloads and the value each one resolves to. */
export interface Calls {
  setBackend: { args: { backend: BackendChoice; threads: WasmThreads }; result: BackendStatus };
  load: { args: { source: ModelSourceSpec }; result: ModelLoaded };
  runText: { args: { textA: string; textB: string | null; topK: number; outputs?: OutputRequest }; result: BertOutput };
  runImage: { args: { image: ImageInput; topK: number; outputs?: OutputRequest }; result: VitOutput };
  /** Tokenizes `[CLS] a [SEP] (b [SEP])` pairs, cut to max_position_embeddings as runText does. */
  tokenize: { args: { pairs: { a: string; b: string | null }[] }; result: Tokenized };
  /**
   * Runs BERT on each input in turn. A newer runIds call on the same `channel` supersedes one that
   * has not started, as a newer runText does.
   */
  runIds: { args: { inputs: IdsInput[]; topK: number; outputs?: OutputRequest; channel: string }; result: BertOutput[] };
  /** Loads the inductive-bias lab's CNN beside the user's models (it replaces no slot). */
  loadLabCnn: { args: { source: ModelSourceSpec }; result: CnnModelInfo };
  /** An image as `model`'s processor prepares it: pixel_values [channels, height, width]. */
  preprocess: { args: { image: ImageInput; model: LabImageModel }; result: NdArray };
  /**
   * Runs `model` on each pixel_values in turn (the ViT optionally without position embeddings).
   * A newer call for the same model and `channel` supersedes one that has not started.
   */
  runPixels: {
    args: { model: LabImageModel; inputs: NdArray[]; zeroPositionEmbeddings: boolean; channel: string };
    result: PixelsRun;
  };
  cacheInfo: { args: object; result: CacheInfo };
  clearCache: { args: object; result: CacheInfo };
  /** Live tfjs tensors in the worker: flat across runs unless something leaks. */
  memory: { args: object; result: { numTensors: number; numBytes: number } };
}

export type CallType = keyof Calls;

export type Request = { [K in CallType]: { id: number; type: K } & Calls[K]['args'] }[CallType];

/**
 * `superseded`: a newer run of the same kind arrived before this one started. `cancelled`: the
 * worker was stopped (InferenceClient.restart) before it answered.
 */
export type WorkerErrorCode = ModelErrorCode | 'superseded' | 'cancelled' | 'bad_input' | 'internal';

export interface WorkerError {
  code: WorkerErrorCode;
  message: string;
}

export type Response =
  | { id: number; type: 'ok'; value: Calls[CallType]['result'] }
  | { id: number; type: 'error'; error: WorkerError }
  | { id: number; type: 'progress'; progress: LoadProgress }
  | { type: 'backendLost'; status: BackendStatus; message: string; reloaded: ModelLoaded[] };
