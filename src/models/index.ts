// Entry point of the model core: read a checkpoint from any source, decide what it is, and return a
// ready-to-run model that owns its tfjs tensors until dispose().

import { bertConfig, type BertConfig } from './bert/configuration_bert';
import { createBertModel, type BertModel } from './bert/modeling_bert';
import { BertTokenizer } from './bert/tokenization_bert';
import { JsonFields } from './checkpoint/json';
import { readSafetensors, weightsOf, type CheckpointWeights } from './checkpoint/safetensors';
import { ByteReader, type CheckpointSource } from './checkpoint/source';
import { detectModelKind, StateDict } from './checkpoint/weights';
import { ModelError } from './errors';
import type { LoadProgress } from './types';
import { vitConfig } from './vit/configuration_vit';
import { ViTImageProcessor } from './vit/image_processing_vit';
import { createVitModel, type VitModel } from './vit/modeling_vit';

export type { BertModel } from './bert/modeling_bert';
export type { VitModel } from './vit/modeling_vit';
export type { CheckpointSource } from './checkpoint/source';
export { fromFiles, fromUrl } from './checkpoint/source';
export { ModelError, type ModelErrorCode } from './errors';

export type Model = BertModel | VitModel;

async function readOptional(source: CheckpointSource, name: string): Promise<string | undefined> {
  return (await source.exists(name)) ? source.readText(name) : undefined;
}

/**
 * The checkpoint's weights, model.safetensors when present (as transformers prefers it), else
 * pytorch_model.bin. A safetensors file is opened as a stream and only its header is read here;
 * a pytorch_model.bin is read whole, as a zip archive or pickle must be.
 */
async function openWeights(source: CheckpointSource, onProgress?: (p: LoadProgress) => void): Promise<CheckpointWeights> {
  if (await source.exists('model.safetensors')) {
    const reader = new ByteReader(await source.open('model.safetensors'), 'model.safetensors', onProgress);
    try {
      return await readSafetensors(reader);
    } catch (e) {
      reader.close();
      throw e;
    }
  }
  if (await source.exists('pytorch_model.bin')) {
    // The zip reader and the unpickler are only downloaded by the app when a checkpoint needs them.
    const { parsePytorchBin } = await import('./checkpoint/pytorch_bin');
    return weightsOf(parsePytorchBin(await source.read('pytorch_model.bin', onProgress)).tensors, 'pytorch_model.bin');
  }
  for (const index of ['model.safetensors.index.json', 'pytorch_model.bin.index.json']) {
    if (await source.exists(index)) {
      throw new ModelError('unsupported', `${source.label} is a sharded checkpoint (${index}); only a single model.safetensors or pytorch_model.bin is supported.`);
    }
  }
  throw new ModelError('not_found', `${source.label} has no model.safetensors or pytorch_model.bin.`);
}

/** The tokenizer of a BERT checkpoint alone (tokenizer.json, else vocab.txt; plus tokenizer_config.json). */
export async function loadBertTokenizer(source: CheckpointSource, config?: BertConfig): Promise<BertTokenizer> {
  const modelConfig = config ?? bertConfig(JsonFields.parse(await source.readText('config.json'), 'config.json'));
  return BertTokenizer.fromFiles(
    {
      vocab: await readOptional(source, 'vocab.txt'),
      tokenizerJson: await readOptional(source, 'tokenizer.json'),
      tokenizerConfig: await readOptional(source, 'tokenizer_config.json'),
    },
    modelConfig,
  );
}

export async function loadModel(
  source: CheckpointSource,
  { onProgress }: { onProgress?: (p: LoadProgress) => void } = {},
): Promise<Model> {
  if (!(await source.exists('config.json'))) throw new ModelError('not_found', `${source.label} has no config.json.`);
  const config = JsonFields.parse(await source.readText('config.json'), 'config.json');
  const weights = await openWeights(source, onProgress);
  try {
    const kind = detectModelKind(config, weights.tensors.keys());
    // Configs, tokenizer and processor are read before any weight data, so their errors leave nothing to clean up.
    if (kind === 'bert') {
      const cfg = bertConfig(config);
      const tokenizer = await loadBertTokenizer(source, cfg);
      return await createBertModel(new StateDict(weights, kind), cfg, tokenizer);
    }
    const cfg = vitConfig(config);
    const preprocessor = await readOptional(source, 'preprocessor_config.json');
    const processor = ViTImageProcessor.fromConfig(
      preprocessor === undefined ? null : JsonFields.parse(preprocessor, 'preprocessor_config.json'),
      cfg.num_channels,
    );
    return await createVitModel(new StateDict(weights, kind), cfg, processor);
  } finally {
    // Stops a download that an error left unfinished; a complete one is already closed.
    weights.close();
  }
}
