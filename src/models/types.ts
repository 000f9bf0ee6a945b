// The contract between the model core and everything above it (CLI, worker, stores, views).
// Outputs are plain typed arrays, detached from any tfjs backend, so they can cross the
// worker boundary as transferables and be analysed by pure functions.

import type { AlbertConfig } from './albert/configuration_albert';
import type { BertConfig } from './bert/configuration_bert';
import type { CnnConfig, CnnLayerSpec } from './cnn/configuration_cnn';
import type { DistilBertConfig } from './distilbert/configuration_distilbert';
import type { ElectraConfig } from './electra/configuration_electra';
import type { RobertaConfig } from './roberta/configuration_roberta';
import type { VitConfig } from './vit/configuration_vit';
import type { Pixels } from './vit/image_processing_vit';

export type { CnnLayerSpec } from './cnn/configuration_cnn';

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

/** The text encoders the text workspace runs (config.json `model_type`). */
export type TextArchitecture = 'bert' | 'distilbert' | 'roberta' | 'albert' | 'electra';

/** The typed config of any text encoder; every one has the sizes the views show. */
export type TextConfig = BertConfig | DistilBertConfig | RobertaConfig | AlbertConfig | ElectraConfig;

/** How a tokenizer splits words: BERT's WordPiece ("##" continues a word), byte-level BPE ("Ġ" = a space byte), or Unigram ("▁" = a space). */
export type TokenizerKind = 'wordpiece' | 'bpe' | 'unigram';

/**
 * Result of tokenizing one text or a pair with the model's special tokens: `[CLS] A [SEP] (B [SEP])`
 * for BERT-style models, `<s> A </s> (</s> B </s>)` for RoBERTa.
 */
export interface BertEncoding {
  /** Vocabulary tokens as the model knows them (byte-level BPE tokens are not decoded; see token_text.ts). */
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
  /**
   * For every token, the half-open range [start, end) in UTF-16 code units of the original
   * text it came from (`segment` tells which), or null for special tokens added around the texts.
   */
  offsets: ([number, number] | null)[];
  /** 0 = text A, 1 = text B, -1 = added special token ([CLS], [SEP], <s>, </s>). */
  segment: number[];
  /** Index of the whitespace/punctuation-split word each token belongs to (per text), null for added specials. */
  word_ids: (number | null)[];
  /** Number of tokens dropped to fit `max_position_embeddings`; 0 when nothing was cut. */
  truncated: number;
  /** The tokenizer's mask token ([MASK], <mask>), which masking writes into the text. */
  mask_token: string;
  tokenizer: TokenizerKind;
}

export interface MlmCandidate {
  token: string;
  id: number;
  prob: number;
}

export interface MlmResult {
  /** Position predicted in the input sequence: a [MASK] token, or one of the run's `mlmPositions`. */
  position: number;
  /** Top-k candidates, most probable first. */
  top: MlmCandidate[];
  /** log-softmax over the whole vocabulary at this position (for the loss of any target). */
  log_probs: Float32Array;
}

/**
 * Outputs a run returns only when asked, as Hugging Face's output_attentions and
 * output_hidden_states: reading them back is most of the cost of a run on a GPU and most of the
 * memory of the result. Unset means the default: attentions and hidden states on, queries and keys off.
 */
export interface OutputRequest {
  attentions?: boolean;
  /** Every layer's hidden states, and for BERT the three summed parts of the input embedding. */
  hidden_states?: boolean;
  /** Per-head queries and keys of every layer (the neuron view). */
  queries_keys?: boolean;
}

export const DEFAULT_OUTPUTS: Required<OutputRequest> = { attentions: true, hidden_states: true, queries_keys: false };

/** Per-head projections of every layer, each [heads, seq, head_size], before the 1/√d scaling. */
export interface QueriesKeys {
  queries: NdArray[];
  keys: NdArray[];
}

/**
 * The input embedding's parts, each [seq, embedding size]: word, position and token type (null for
 * DistilBERT, which has none) and their sum after LayerNorm. ALBERT and ELECTRA embed in a smaller
 * space than hidden_size and project `normalized` up; for the others it is hidden_states[0].
 */
export interface InputEmbeddings {
  word: NdArray;
  position: NdArray;
  token_type: NdArray | null;
  normalized: NdArray;
}

export interface BertOutput {
  /** The workspace slot; `architecture` says which text encoder it is. */
  model: 'bert';
  architecture: TextArchitecture;
  encoding: BertEncoding;
  /** The parts of the input embedding; with hidden_states. */
  embeddings: InputEmbeddings | null;
  /** num_hidden_layers + 1 entries, each [seq, hidden]; [0] is the embedding output (after LayerNorm, and ALBERT's/ELECTRA's projection). */
  hidden_states: NdArray[] | null;
  /** num_hidden_layers entries, each [heads, seq, seq] (softmax probabilities; rows sum to 1). */
  attentions: NdArray[] | null;
  queries_keys: QueriesKeys | null;
  /** [seq, hidden], the encoder's output (always returned). */
  last_hidden_state: NdArray;
  /** [hidden] tanh pooler output of [CLS], null when the checkpoint has no pooler. */
  pooler_output: NdArray | null;
  /** One entry per [MASK] token (or per requested MLM position); null when the checkpoint has no MLM head. */
  mlm: MlmResult[] | null;
  /** Softmax of the NSP head (index 0 = IsNext); null when the checkpoint has no NSP head. */
  nsp: { is_next: number; not_next: number } | null;
  /** ALBERT's sentence-order prediction, softmax (index 0 = A and B in their original order); null without the head. */
  sop: { in_order: number; swapped: number } | null;
  /** ELECTRA's discriminator: [seq] probability (sigmoid) that each token was replaced; null without the head. */
  rtd: NdArray | null;
  timings: Timings;
}

export interface ClassProbability {
  label: string;
  id: number;
  prob: number;
}

/** DeiT's two heads: the class token's (trained on labels) and the distillation token's (trained on a teacher's predictions). */
export interface DistillationOutput {
  /** [num_labels] cls_classifier(final [CLS]). */
  cls_logits: NdArray;
  /** [num_labels] distillation_classifier(final distillation token). */
  distillation_logits: NdArray;
  cls_top: ClassProbability[];
  distillation_top: ClassProbability[];
}

export interface VitOutput {
  model: 'vit';
  /** Tokens before the patches: 1 ([CLS]) for ViT, 2 ([CLS], distillation) for a distilled DeiT. */
  prefix_tokens: number;
  /** The 8-bit image the processor made (converted, resized, cropped) before its float steps; null for raw pixel_values input. */
  image: Pixels | null;
  /** Preprocessed model input [channels, height, width] (after rescale and normalize). */
  pixel_values: NdArray;
  /** Patch grid actually used [rows, cols] (differs from the trained grid at other image sizes). */
  grid: [number, number];
  /** num_hidden_layers + 1 entries, each [prefix_tokens + rows*cols, hidden]; [0] = [CLS] (+ distillation) + patch + position embeddings. */
  hidden_states: NdArray[] | null;
  /** num_hidden_layers entries, each [heads, P + N, P + N] with P = prefix_tokens; token 0 is [CLS], token 1 a DeiT's distillation token. */
  attentions: NdArray[] | null;
  queries_keys: QueriesKeys | null;
  /** [1 + N, hidden] after the final LayerNorm. */
  last_hidden_state: NdArray;
  /** [hidden] final [CLS] hidden state after the last LayerNorm (= last_hidden_state[0]). */
  cls: NdArray;
  /** [num_labels] classifier logits (a distilled DeiT: the mean of its two heads', as HF reports), null when the checkpoint has no classifier. */
  logits: NdArray | null;
  /** Classes sorted by probability (top-k), null without classifier. */
  top: ClassProbability[] | null;
  /** A distilled DeiT's heads one by one; null for other models. */
  distillation: DistillationOutput | null;
  timings: Timings;
}

/** An output run with the default request: what the workspaces show. */
export type FullBertOutput = BertOutput & {
  embeddings: NonNullable<BertOutput['embeddings']>;
  hidden_states: NdArray[];
  attentions: NdArray[];
};
export type FullVitOutput = VitOutput & { hidden_states: NdArray[]; attentions: NdArray[] };

/** Narrows an output whose request included attentions and hidden states (throws if it did not). */
export function full<T extends BertOutput | VitOutput>(output: T): T extends BertOutput ? FullBertOutput : FullVitOutput {
  const missing = output.attentions === null || output.hidden_states === null || ('embeddings' in output && output.embeddings === null);
  if (missing) throw new Error('This output was run without attentions or hidden states.');
  return output as unknown as T extends BertOutput ? FullBertOutput : FullVitOutput;
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

export interface CnnOutput {
  model: 'cnn';
  /** The 8-bit image the processor made (converted, resized, cropped) before its float steps; null for raw pixel_values input. */
  image: Pixels | null;
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

/** The weights files a checkpoint can have, in the order they are looked for. */
export type WeightsFile = 'model.safetensors' | 'pytorch_model.bin';

interface InfoBase {
  /** Which file the weights were read from. */
  weights_file: WeightsFile;
  /** Human-readable notes about what was disabled or adapted while loading (missing heads, legacy names...). */
  warnings: string[];
}

interface ModelInfoBase extends InfoBase {
  /**
   * Learned position embeddings: text models [positions, embedding size] (RoBERTa: from row padding_idx + 1,
   * the first one a token uses); ViT [P + N, hidden] (rows 0..P-1 = [CLS] and a DeiT's distillation token).
   */
  position_embeddings: NdArray;
}

/** Static facts about a loaded text encoder that the UI shows without running it. */
export interface BertModelInfo extends ModelInfoBase {
  kind: 'bert';
  architecture: TextArchitecture;
  config: TextConfig;
  /** Which optional heads the checkpoint provides (sop: ALBERT; rtd: ELECTRA's discriminator). */
  heads: { mlm: boolean; nsp: boolean; pooler: boolean; sop: boolean; rtd: boolean };
  tokenizer: TokenizerKind;
  mask_token: string;
  /** What a word the vocabulary cannot spell becomes ([UNK], <unk>); null for byte-level BPE, which spells anything. */
  unk_token: string | null;
}

/** Static facts about a loaded ViT that the UI shows without running it. */
export interface VitModelInfo extends ModelInfoBase {
  kind: 'vit';
  config: VitConfig;
  /** classifier: any class prediction; distillation: a distilled DeiT's two heads. */
  heads: { classifier: boolean; distillation: boolean };
  /** Tokens before the patches: 1 ([CLS]), 2 for a distilled DeiT ([CLS], distillation token). */
  prefix_tokens: number;
  /** Patch grid [rows, cols] the position embeddings were trained for (config image_size / patch_size). */
  trained_grid: [number, number];
  /** The image processor's resolved steps. */
  preprocessing: ImagePreprocessing;
}

/** Static facts about a loaded mini-CNN (it has no position embeddings: locality is built in). */
export interface CnnModelInfo extends InfoBase {
  kind: 'cnn';
  config: CnnConfig;
  /** config.layers, each with the shape [channels, height, width] of its output at config.image_size. */
  layers: (CnnLayerSpec & { output_shape: [number, number, number] })[];
  num_parameters: number;
  /** The image processor's resolved steps, so views can invert pixel_values exactly. */
  preprocessing: ImagePreprocessing;
}

export type ModelInfo = BertModelInfo | VitModelInfo | CnnModelInfo;

/** The resolved steps of a ViT/DeiT image processor: resize, centre crop, then x -> (x * rescale_factor - mean) / std. */
export interface ImagePreprocessing {
  /** Size every image is resized to (ignoring its aspect ratio, as HF's processors do), or null without a resize. */
  resize: { width: number; height: number } | null;
  /** Size of the centre crop after the resize, or null without one. */
  center_crop: { width: number; height: number } | null;
  do_rescale: boolean;
  rescale_factor: number;
  do_normalize: boolean;
  /** One value per model input channel. */
  image_mean: number[];
  image_std: number[];
}
