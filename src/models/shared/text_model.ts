// What every text encoder (BERT, DistilBERT, RoBERTa, ALBERT, ELECTRA) does around its forward pass:
// tokenize, check the ids against the config, run, read back what was asked for, and turn head
// logits into probabilities. Each architecture's modeling file supplies its weights and forward.

import type * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import { ModelError } from '../errors';
import {
  DEFAULT_OUTPUTS,
  full,
  type BertEncoding,
  type BertModelInfo,
  type BertOutput,
  type FullBertOutput,
  type OutputRequest,
  type TextArchitecture,
  type TextConfig,
  type TokenizerKind,
} from '../types';
import { queriesAndKeys, type LayerResult } from './layers';
import { logSoftmax, softmax, topKIndices } from './math';
import { readAll, runForward } from './readback';

/** The tokenizer interface the text models use: WordPiece (tokenization_bert.ts) or byte-level BPE / Unigram (tokenization_subword.ts). */
export interface TextTokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  readonly maskToken: string;
  readonly maskTokenId: number;
  /** The unknown token, or null when the tokenizer has none (byte-level BPE spells any text). */
  readonly unkToken: string | null;
  /** Default truncation length of `encode`; null when neither the tokenizer nor the model sets one. */
  readonly maxLength: number | null;
  /** One text, or a pair (B given, even empty), with the model's special tokens, cut to `maxLength` tokens in all. */
  encode(textA: string, textB?: string | null, maxLength?: number): BertEncoding;
  idToToken(id: number): string;
  /** Whether an id is one of the special tokens the tokenizer adds around texts ([CLS], [SEP], <s>, </s>). */
  isAddedSpecial(id: number): boolean;
  /** Ids a masked-LM example never chooses or draws: the special tokens and every added token. */
  specialIds(): number[];
}

/** Head logits are absent when the architecture or the checkpoint lacks the head. */
export interface TextForwardTensors {
  word: tf.Tensor2D;
  position: tf.Tensor2D;
  token_type: tf.Tensor2D | null;
  /** The embedding LayerNorm's output, before any projection to hidden_size. */
  normalized: tf.Tensor2D;
  hidden_states: tf.Tensor2D[];
  attentions: LayerResult['attention'][];
  pooler_output?: tf.Tensor1D | null;
  /** MLM logits [positions.length, vocab] at the requested positions. */
  prediction_logits?: tf.Tensor2D | null;
  /** BERT's next-sentence logits [2], index 0 = IsNext. */
  seq_relationship_logits?: tf.Tensor1D | null;
  /** ALBERT's sentence-order logits [2], index 0 = original order. */
  sop_logits?: tf.Tensor1D | null;
  /** ELECTRA's replaced-token-detection logits [seq]. */
  rtd_logits?: tf.Tensor1D | null;
}

/** One architecture's loaded weights and forward, as the shared runner needs them. */
export interface TextArchitectureModel {
  architecture: TextArchitecture;
  config: TextConfig;
  heads: BertModelInfo['heads'];
  /** The position table, for the position-similarity view; sequences use its rows from `firstPosition` on. */
  positionEmbeddings: tf.Tensor2D;
  firstPosition: number;
  /** Longest sequence the position table allows. */
  maxTokens: number;
  /** Token types the model has (type_vocab_size; 0 = no token-type embedding at all). */
  typeVocabSize: number;
  /** One unpadded forward. Called inside tf.tidy. */
  forward(inputIds: number[], tokenTypeIds: number[], mlmPositions: number[]): TextForwardTensors;
}

export interface RunOptions {
  topK?: number;
  /**
   * Positions to predict with the MLM head, as in pretraining, where a chosen token may also have
   * been replaced by a random one or left as it is; by default the mask tokens.
   */
  mlmPositions?: number[];
  /** Which optional outputs to read back (default DEFAULT_OUTPUTS). */
  outputs?: OutputRequest;
}

export interface BertModel {
  /** The workspace slot; info.architecture says which encoder. */
  kind: 'bert';
  info: BertModelInfo;
  tokenizer: TextTokenizer;
  /** With the default outputs, everything the workspace shows comes back. */
  run(textA: string, textB?: string | null, opts?: { topK?: number }): Promise<FullBertOutput>;
  run(textA: string, textB: string | null | undefined, opts: RunOptions): Promise<BertOutput>;
  runIds(input_ids: number[], token_type_ids: number[], opts?: { topK?: number }): Promise<FullBertOutput>;
  runIds(input_ids: number[], token_type_ids: number[], opts: RunOptions): Promise<BertOutput>;
  /**
   * A throwaway forward on a few mask tokens that touches every weight, so the backend's one-time
   * work happens now rather than in the first real run: on WASM, the GEMM packs each weight matrix
   * the first time it multiplies by it, and the browser compiles its kernels' optimised code.
   */
  warmUp(): Promise<void>;
  dispose(): void;
}

/** Wraps an architecture's weights (already loaded through `sd`) and forward as a runnable model. */
export async function createTextModel(sd: StateDict, tokenizer: TextTokenizer, model: TextArchitectureModel): Promise<BertModel> {
  const cfg = model.config;
  if (tokenizer.vocabSize !== cfg.vocab_size) {
    sd.warnings.push(`The tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocab_size=${cfg.vocab_size}.`);
  }
  const [table] = await readAll([model.positionEmbeddings]);
  const width = table.shape[1];
  const positionEmbeddings = { shape: [table.shape[0] - model.firstPosition, width], data: table.data.subarray(model.firstPosition * width) };
  const info: BertModelInfo = {
    kind: 'bert',
    architecture: model.architecture,
    weights_file: sd.fileName,
    config: cfg,
    position_embeddings: positionEmbeddings,
    heads: model.heads,
    max_length:
      tokenizer.maxLength !== null && tokenizer.maxLength < model.maxTokens
        ? { tokens: tokenizer.maxLength, from: 'model_max_length' }
        : { tokens: model.maxTokens, from: 'max_position_embeddings' },
    warnings: sd.warnings,
    tokenizer: tokenizer.kind,
    mask_token: tokenizer.maskToken,
    unk_token: tokenizer.unkToken,
  };
  let disposed = false;

  function validate(ids: number[], types: number[]): void {
    const bad = (msg: string) => new ModelError('mismatch', msg);
    if (ids.length === 0) throw bad('The input has no tokens.');
    if (ids.length !== types.length) throw bad(`input_ids has ${ids.length} entries but token_type_ids has ${types.length}.`);
    if (ids.length > model.maxTokens) {
      const limit =
        model.maxTokens === cfg.max_position_embeddings
          ? `max_position_embeddings=${model.maxTokens}`
          : `${model.maxTokens} (max_position_embeddings=${cfg.max_position_embeddings}, of which ${model.firstPosition} come before the first position)`;
      throw bad(`The input has ${ids.length} tokens; this model takes at most ${limit}.`);
    }
    const badId = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= cfg.vocab_size);
    if (badId >= 0) throw bad(`input_ids[${badId}] = ${ids[badId]} is outside the vocabulary (vocab_size=${cfg.vocab_size}).`);
    // A model without token-type embeddings (DistilBERT) ignores them, as HF does.
    const badType = model.typeVocabSize === 0 ? -1 : types.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= model.typeVocabSize);
    if (badType >= 0) {
      throw bad(`token_type_ids[${badType}] = ${types[badType]} is outside 0..${model.typeVocabSize - 1} (type_vocab_size).`);
    }
  }

  async function execute(encoding: BertEncoding, opts: RunOptions, preprocess_ms: number): Promise<BertOutput> {
    if (disposed) throw new ModelError('unsupported', 'This model was unloaded; load it again.');
    const request = { ...DEFAULT_OUTPUTS, ...opts.outputs };
    const { input_ids, token_type_ids } = encoding;
    const maskPositions = opts.mlmPositions ?? input_ids.flatMap((id, i) => (id === tokenizer.maskTokenId ? [i] : []));
    const badPosition = maskPositions.findIndex((p) => !Number.isInteger(p) || p < 0 || p >= input_ids.length);
    if (badPosition >= 0) {
      throw new ModelError('mismatch', `MLM position ${maskPositions[badPosition]} is outside the input's ${input_ids.length} tokens.`);
    }

    const { arrays: r, forward_ms, readback_ms } = await runForward(() => {
      const t = model.forward(input_ids, token_type_ids, maskPositions);
      return {
        embeddings: request.hidden_states ? { word: t.word, position: t.position, token_type: t.token_type, normalized: t.normalized } : null,
        hidden_states: request.hidden_states ? t.hidden_states : null,
        attentions: request.attentions ? t.attentions.map((a) => a.probs) : null,
        queries_keys: request.queries_keys ? queriesAndKeys(t.attentions) : null,
        last_hidden_state: t.hidden_states[t.hidden_states.length - 1],
        pooler_output: t.pooler_output ?? null,
        prediction_logits: t.prediction_logits ?? null,
        seq_relationship_logits: t.seq_relationship_logits ?? null,
        sop_logits: t.sop_logits ?? null,
        rtd_logits: t.rtd_logits ?? null,
      };
    });

    let mlm: BertOutput['mlm'] = null;
    if (model.heads.mlm) {
      const V = cfg.vocab_size;
      mlm = maskPositions.map((position, j) => {
        const log_probs = logSoftmax(r.prediction_logits!.data.subarray(j * V, (j + 1) * V));
        const top = topKIndices(log_probs, opts.topK ?? 10).map((id) => ({ id, token: tokenizer.idToToken(id), prob: Math.exp(log_probs[id]) }));
        return { position, top, log_probs };
      });
    }
    const nsp = r.seq_relationship_logits ? softmax(r.seq_relationship_logits.data) : null;
    const sop = r.sop_logits ? softmax(r.sop_logits.data) : null;
    // Computed on the host in float64, like the softmaxes, so WebGL's exp does not enter the probabilities.
    const rtd = r.rtd_logits ? { shape: r.rtd_logits.shape, data: r.rtd_logits.data.map((x) => 1 / (1 + Math.exp(-x))) } : null;
    return {
      model: 'bert',
      architecture: model.architecture,
      encoding,
      embeddings: r.embeddings,
      hidden_states: r.hidden_states,
      attentions: r.attentions,
      queries_keys: r.queries_keys,
      last_hidden_state: r.last_hidden_state,
      pooler_output: r.pooler_output,
      mlm,
      nsp: nsp ? { is_next: nsp[0], not_next: nsp[1] } : null,
      sop: sop ? { in_order: sop[0], swapped: sop[1] } : null,
      rtd,
      timings: { preprocess_ms, forward_ms, readback_ms },
    };
  }

  async function run(textA: string, textB: string | null = null, opts: RunOptions = {}) {
    const start = performance.now();
    const encoding = tokenizer.encode(textA, textB, info.max_length.tokens);
    validate(encoding.input_ids, encoding.token_type_ids);
    const output = await execute(encoding, opts, performance.now() - start);
    return opts.outputs ? output : full(output);
  }

  async function runIds(input_ids: number[], token_type_ids: number[], opts: RunOptions = {}) {
    validate(input_ids, token_type_ids);
    const tokens = input_ids.map((id) => tokenizer.idToToken(id));
    const encoding: BertEncoding = {
      tokens,
      input_ids: [...input_ids],
      token_type_ids: [...token_type_ids],
      offsets: tokens.map(() => null),
      segment: input_ids.map((id, i) => (tokenizer.isAddedSpecial(id) ? -1 : token_type_ids[i])),
      word_ids: tokens.map(() => null),
      truncated: 0,
      mask_token: tokenizer.maskToken,
      tokenizer: tokenizer.kind,
    };
    const output = await execute(encoding, opts, 0);
    return opts.outputs ? output : full(output);
  }

  return {
    kind: 'bert',
    info,
    tokenizer,
    run: run as BertModel['run'],
    runIds: runIds as BertModel['runIds'],
    async warmUp() {
      // Six mask tokens: eight rows with the special tokens, so the WASM GEMM's 4-row kernel runs (and is compiled) too.
      await run(Array<string>(6).fill(tokenizer.maskToken).join(' '), null, { outputs: { attentions: false, hidden_states: false } });
    },
    dispose() {
      disposed = true;
      sd.dispose();
    },
  };
}
