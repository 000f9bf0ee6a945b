// Entry point of the model core: read a checkpoint from any source, decide what it is, and return a
// ready-to-run model that owns its tfjs tensors until dispose().

import { albertConfig } from './albert/configuration_albert';
import { createAlbertModel } from './albert/modeling_albert';
import { bertConfig } from './bert/configuration_bert';
import { createBertModel } from './bert/modeling_bert';
import { BertTokenizer } from './bert/tokenization_bert';
import { JsonFields } from './checkpoint/json';
import { parseSafetensors, type Safetensors } from './checkpoint/safetensors';
import type { CheckpointSource } from './checkpoint/source';
import { detectModelKind, isImageArchitecture, StateDict } from './checkpoint/weights';
import { cnnConfig } from './cnn/configuration_cnn';
import { createCnnModel, type CnnModel } from './cnn/modeling_cnn';
import { distilBertConfig } from './distilbert/configuration_distilbert';
import { createDistilBertModel } from './distilbert/modeling_distilbert';
import { electraConfig } from './electra/configuration_electra';
import { createElectraModel } from './electra/modeling_electra';
import { ModelError } from './errors';
import { robertaConfig, robertaMaxTokens } from './roberta/configuration_roberta';
import { createRobertaModel } from './roberta/modeling_roberta';
import type { BertModel, TextTokenizer } from './shared/text_model';
import type { LoadProgress, TextArchitecture, TextConfig, WeightsFile } from './types';
import { vitConfig } from './vit/configuration_vit';
import { ViTImageProcessor } from './vit/image_processing_vit';
import { createVitModel, type VitModel } from './vit/modeling_vit';

export type { BertModel, TextTokenizer } from './shared/text_model';
export type { VitModel } from './vit/modeling_vit';
export type { CnnModel } from './cnn/modeling_cnn';
export type { CheckpointSource } from './checkpoint/source';
export { fromFiles, fromUrl } from './checkpoint/source';
export { ModelError, type ModelErrorCode } from './errors';

export type Model = BertModel | VitModel | CnnModel;

async function readOptional(source: CheckpointSource, name: string): Promise<string | undefined> {
  return (await source.exists(name)) ? source.readText(name) : undefined;
}

/** The checkpoint's weights: model.safetensors when present (as transformers prefers it), else pytorch_model.bin. */
async function readWeights(
  source: CheckpointSource,
  onProgress?: (p: LoadProgress) => void,
): Promise<{ file: Safetensors; fileName: WeightsFile }> {
  if (await source.exists('model.safetensors')) {
    return { file: parseSafetensors(await source.read('model.safetensors', onProgress)), fileName: 'model.safetensors' };
  }
  if (await source.exists('pytorch_model.bin')) {
    // The zip reader and the unpickler are only downloaded by the app when a checkpoint needs them.
    const { parsePytorchBin } = await import('./checkpoint/pytorch_bin');
    return { file: parsePytorchBin(await source.read('pytorch_model.bin', onProgress)), fileName: 'pytorch_model.bin' };
  }
  for (const index of ['model.safetensors.index.json', 'pytorch_model.bin.index.json']) {
    if (await source.exists(index)) {
      throw new ModelError('unsupported', `${source.label} is a sharded checkpoint (${index}); only a single model.safetensors or pytorch_model.bin is supported.`);
    }
  }
  throw new ModelError('not_found', `${source.label} has no model.safetensors or pytorch_model.bin.`);
}

/**
 * The tokenizer of a text checkpoint alone: tokenizer.json with a BPE or Unigram model goes to
 * @huggingface/tokenizers (loaded only then), anything else to the WordPiece port (tokenizer.json,
 * else vocab.txt; plus tokenizer_config.json).
 */
export async function loadTextTokenizer(
  source: CheckpointSource,
  config: { vocab_size: number; max_position_embeddings: number },
  maxTokens = config.max_position_embeddings,
): Promise<TextTokenizer> {
  const tokenizerJson = await readOptional(source, 'tokenizer.json');
  const tokenizerConfig = await readOptional(source, 'tokenizer_config.json');
  if (tokenizerJson !== undefined && SUBWORD_MODEL.test(tokenizerJson)) {
    const { SubwordTokenizer } = await import('./shared/tokenization_subword');
    return SubwordTokenizer.fromFiles({ tokenizerJson, tokenizerConfig }, { vocab_size: config.vocab_size, maxTokens });
  }
  const vocab = await readOptional(source, 'vocab.txt');
  if (tokenizerJson === undefined && vocab === undefined && (await source.exists('spiece.model'))) {
    throw new ModelError('unsupported', `${source.label} has only spiece.model (SentencePiece); this playground reads the tokenizer from tokenizer.json.`);
  }
  if (tokenizerJson === undefined && vocab === undefined && (await source.exists('merges.txt'))) {
    throw new ModelError('unsupported', `${source.label} has only vocab.json and merges.txt; this playground reads a BPE tokenizer from tokenizer.json.`);
  }
  return BertTokenizer.fromFiles({ vocab, tokenizerJson, tokenizerConfig }, { max_position_embeddings: maxTokens, vocab_size: config.vocab_size });
}

// A tokenizer.json whose model is BPE or Unigram (tokenization_subword.ts checks the file properly).
const SUBWORD_MODEL = /"type"\s*:\s*"(BPE|Unigram)"/;

/** The typed config of a text encoder. */
function textConfig(architecture: TextArchitecture, config: JsonFields) {
  switch (architecture) {
    case 'bert':
      return { architecture, cfg: bertConfig(config) } as const;
    case 'distilbert':
      return { architecture, cfg: distilBertConfig(config) } as const;
    case 'roberta':
      return { architecture, cfg: robertaConfig(config) } as const;
    case 'albert':
      return { architecture, cfg: albertConfig(config) } as const;
    case 'electra':
      return { architecture, cfg: electraConfig(config) } as const;
  }
}

const maxTokensOf = (cfg: TextConfig) => (cfg.model_type === 'roberta' ? robertaMaxTokens(cfg) : cfg.max_position_embeddings);

/** The tokenizer of a text checkpoint, from its config.json and tokenizer files alone (the CLI's --tokenize-only). */
export async function loadTokenizer(source: CheckpointSource): Promise<TextTokenizer> {
  const config = JsonFields.parse(await source.readText('config.json'), 'config.json');
  const architecture = detectModelKind(config, []);
  if (isImageArchitecture(architecture)) throw new ModelError('unsupported', `${source.label} is an image model; it has no tokenizer.`);
  const { cfg } = textConfig(architecture, config);
  return loadTextTokenizer(source, cfg, maxTokensOf(cfg));
}

export async function loadModel(
  source: CheckpointSource,
  { onProgress }: { onProgress?: (p: LoadProgress) => void } = {},
): Promise<Model> {
  if (!(await source.exists('config.json'))) throw new ModelError('not_found', `${source.label} has no config.json.`);
  const config = JsonFields.parse(await source.readText('config.json'), 'config.json');
  const { file, fileName } = await readWeights(source, onProgress);
  const architecture = detectModelKind(config, file.tensors.keys());
  const sd = new StateDict(file, architecture, fileName);

  // Configs, tokenizer and processor are read before any weight is uploaded, so their errors leave nothing to clean up.
  if (isImageArchitecture(architecture)) {
    // ViT, DeiT and the mini-CNN take the same pixel_values, from the same processor.
    const image = architecture === 'mini_cnn' ? ({ kind: 'cnn', cfg: cnnConfig(config) } as const) : ({ kind: 'vit', cfg: vitConfig(config) } as const);
    const preprocessor = await readOptional(source, 'preprocessor_config.json');
    const processor = ViTImageProcessor.fromConfig(
      preprocessor === undefined ? null : JsonFields.parse(preprocessor, 'preprocessor_config.json'),
      image.cfg.num_channels,
    );
    return image.kind === 'cnn' ? createCnnModel(sd, image.cfg, processor) : createVitModel(sd, image.cfg, processor);
  }
  const text = textConfig(architecture, config);
  const tokenizer = await loadTextTokenizer(source, text.cfg, maxTokensOf(text.cfg));
  switch (text.architecture) {
    case 'bert':
      return createBertModel(sd, text.cfg, tokenizer);
    case 'distilbert':
      return createDistilBertModel(sd, text.cfg, tokenizer);
    case 'roberta':
      return createRobertaModel(sd, text.cfg, tokenizer);
    case 'albert':
      return createAlbertModel(sd, text.cfg, tokenizer);
    case 'electra':
      return createElectraModel(sd, text.cfg, tokenizer);
  }
}
