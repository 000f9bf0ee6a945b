// The contract between the model core and everything above it (CLI, worker, stores, views).
// Outputs are plain typed arrays, detached from any tfjs backend, so they can cross the
// worker boundary as transferables and be analysed by pure functions.

/** Dense row-major float32 array. `data.length === shape.reduce((a, b) => a * b, 1)`. */
export interface NdArray {
  shape: number[];
  data: Float32Array;
}

/** Progress of a file download / read, in bytes; `total` is null when unknown. */
export interface LoadProgress {
  file: string;
  loaded: number;
  total: number | null;
}

/** Result of BERT tokenization of `[CLS] A [SEP] (B [SEP])`. */
export interface BertEncoding {
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
  /**
   * For every token, the half-open range [start, end) in UTF-16 code units of the original
   * text it came from (`segment` tells which), or null for special tokens added around the texts.
   */
  offsets: ([number, number] | null)[];
  /** 0 = text A, 1 = text B, -1 = added special token ([CLS], [SEP]). */
  segment: number[];
  /** Index of the whitespace/punctuation-split word each token belongs to (per text), null for added specials. */
  word_ids: (number | null)[];
  /** Number of tokens dropped to fit `max_position_embeddings`; 0 when nothing was cut. */
  truncated: number;
}

export interface MlmCandidate {
  token: string;
  id: number;
  prob: number;
}

export interface MlmResult {
  /** Position of the [MASK] token in the input sequence. */
  position: number;
  /** Top-k candidates, most probable first. */
  top: MlmCandidate[];
  /** log-softmax over the whole vocabulary at this position (for the loss of any target). */
  log_probs: Float32Array;
}

export interface BertOutput {
  model: 'bert';
  encoding: BertEncoding;
  /** The three summed parts of the input embedding, each [seq, hidden], before LayerNorm. */
  embeddings: { word: NdArray; position: NdArray; token_type: NdArray };
  /** num_hidden_layers + 1 entries, each [seq, hidden]; [0] is the embedding output (after LayerNorm). */
  hidden_states: NdArray[];
  /** num_hidden_layers entries, each [heads, seq, seq] (softmax probabilities; rows sum to 1). */
  attentions: NdArray[];
  /** [seq, hidden], equal to hidden_states[last]. */
  last_hidden_state: NdArray;
  /** [hidden] tanh pooler output of [CLS], null when the checkpoint has no pooler. */
  pooler_output: NdArray | null;
  /** One entry per [MASK] token; null when the checkpoint has no MLM head. */
  mlm: MlmResult[] | null;
  /** Softmax of the NSP head (index 0 = IsNext); null when the checkpoint has no NSP head. */
  nsp: { is_next: number; not_next: number } | null;
  timings: Timings;
}

export interface ClassProbability {
  label: string;
  id: number;
  prob: number;
}

export interface VitOutput {
  model: 'vit';
  /** Preprocessed model input [channels, height, width] (after rescale and normalize). */
  pixel_values: NdArray;
  /** Patch grid actually used [rows, cols] (differs from the trained grid at other image sizes). */
  grid: [number, number];
  /** num_hidden_layers + 1 entries, each [1 + rows*cols, hidden]; [0] = patch + [CLS] + position embeddings. */
  hidden_states: NdArray[];
  /** num_hidden_layers entries, each [heads, 1 + N, 1 + N]; token 0 is [CLS]. */
  attentions: NdArray[];
  /** [1 + N, hidden] after the final LayerNorm. */
  last_hidden_state: NdArray;
  /** [hidden] final [CLS] hidden state after the last LayerNorm (= last_hidden_state[0]). */
  cls: NdArray;
  /** [num_labels] classifier logits, null when the checkpoint has no classifier. */
  logits: NdArray | null;
  /** Classes sorted by probability (top-k), null without classifier. */
  top: ClassProbability[] | null;
  timings: Timings;
}

/** Wall-clock milliseconds of each stage of one run, for the backend badge. */
export interface Timings {
  /** Tokenization (BERT) or image preprocessing (ViT). */
  preprocess_ms: number;
  /** Building and executing the forward graph, until the backend has the results. */
  forward_ms: number;
  /** Copying the results back from the backend into typed arrays. */
  readback_ms: number;
}

/** One entry of a mini-CNN's config.json `layers`: a convolution (always followed by ReLU) or a max-pooling. */
export interface CnnLayerSpec {
  type: 'conv' | 'max_pool';
  /** Channels a convolution produces; null for pooling (it keeps the channels). */
  out_channels: number | null;
  kernel_size: number;
  stride: number;
  /** Zero padding (conv) or ignored border (max_pool) on every side, in input units of that layer. */
  padding: number;
}

export interface CnnOutput {
  model: 'cnn';
  /** Preprocessed model input [channels, height, width] (the same pixel_values the ViT gets). */
  pixel_values: NdArray;
  /** One entry per config.layers entry, each [channels, height, width] as PyTorch lays it out; a conv's is after its ReLU. */
  feature_maps: NdArray[];
  /** [channels] mean of the last feature map over height and width: the classifier's input. */
  pooled: NdArray;
  /** [num_labels] classifier logits. */
  logits: NdArray;
  /** Classes sorted by probability (top-k). */
  top: ClassProbability[];
  timings: Timings;
}

export type ModelOutput = BertOutput | VitOutput | CnnOutput;

/** Static facts about a loaded model that the UI shows without running it. */
export interface ModelInfo {
  kind: 'bert' | 'vit';
  /** The parsed config.json as read from the checkpoint. */
  config: Record<string, unknown>;
  num_hidden_layers: number;
  num_attention_heads: number;
  hidden_size: number;
  /** Learned position embeddings: BERT [max_position_embeddings, hidden]; ViT [1 + N, hidden] (row 0 = [CLS]). */
  position_embeddings: NdArray;
  /** Which optional heads the checkpoint provides. */
  heads: { mlm: boolean; nsp: boolean; pooler: boolean; classifier: boolean };
  /** Human-readable notes about what was disabled or adapted while loading (missing heads, legacy names...). */
  warnings: string[];
  /** ViT only: the float steps of the image processor, so views can invert pixel_values exactly. */
  preprocessing?: ImagePreprocessing;
}

/** The resolved float steps of a ViT/DeiT image processor: x -> (x * rescale_factor - mean) / std. */
export interface ImagePreprocessing {
  do_rescale: boolean;
  rescale_factor: number;
  do_normalize: boolean;
  /** One value per model input channel. */
  image_mean: number[];
  image_std: number[];
}

/** Static facts about a loaded mini-CNN. */
export interface CnnInfo {
  kind: 'cnn';
  /** The parsed config.json as read from the checkpoint. */
  config: Record<string, unknown>;
  /** [height, width] the model was trained on (any size works: the network is convolutional up to a global mean). */
  image_size: [number, number];
  num_channels: number;
  /** config.layers, each with the shape [channels, height, width] of its output at image_size. */
  layers: (CnnLayerSpec & { output_shape: [number, number, number] })[];
  num_parameters: number;
  warnings: string[];
  /** The float steps of the image processor, so views can invert pixel_values exactly. */
  preprocessing: ImagePreprocessing;
}
