// Entry point of the model core: read a checkpoint from any source, decide what it is, and return a
// ready-to-run model that owns its tfjs tensors until dispose().

import { createBertModel, type BertModel } from './bert/modeling_bert';
import { createCnnModel, type CnnModel } from './cnn/modeling_cnn';
import { BertTokenizer } from './bert/tokenization_bert';
import { parseConfig, type Config } from './checkpoint/config';
import { parseSafetensors } from './checkpoint/safetensors';
import type { CheckpointSource } from './checkpoint/source';
import { detectModelKind, StateDict } from './checkpoint/weights';
import { ModelError } from './errors';
import type { LoadProgress } from './types';
import { createVitModel, type VitModel } from './vit/modeling_vit';

export type { BertModel } from './bert/modeling_bert';
export type { VitModel } from './vit/modeling_vit';
export type { CnnModel } from './cnn/modeling_cnn';
export type { CheckpointSource } from './checkpoint/source';
export { fromFiles, fromUrl } from './checkpoint/source';
export { ModelError, type ModelErrorCode } from './errors';

export type LoadedModel = BertModel | VitModel | CnnModel;

const WEIGHTS = 'model.safetensors';

async function readOptional(source: CheckpointSource, name: string): Promise<string | undefined> {
  return (await source.exists(name)) ? source.readText(name) : undefined;
}

async function readWeights(source: CheckpointSource, onProgress?: (p: LoadProgress) => void): Promise<Uint8Array> {
  if (await source.exists(WEIGHTS)) return source.read(WEIGHTS, onProgress);
  if (await source.exists('model.safetensors.index.json')) {
    throw new ModelError('unsupported', `${source.label} is a sharded checkpoint; only a single ${WEIGHTS} is supported.`);
  }
  if (await source.exists('pytorch_model.bin')) {
    throw new ModelError(
      'unsupported',
      `${source.label} has only pytorch_model.bin; convert it to ${WEIGHTS} (e.g. with the safetensors "convert" Space) and try again.`,
    );
  }
  throw new ModelError('not_found', `${source.label} has no ${WEIGHTS}.`);
}

/** The tokenizer of a BERT checkpoint alone (tokenizer.json, else vocab.txt; plus tokenizer_config.json). */
export async function loadBertTokenizer(source: CheckpointSource, config?: Config): Promise<BertTokenizer> {
  const modelConfig = config ?? parseConfig(await source.readText('config.json'));
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
): Promise<LoadedModel> {
  if (!(await source.exists('config.json'))) throw new ModelError('not_found', `${source.label} has no config.json.`);
  const config = parseConfig(await source.readText('config.json'));
  const file = parseSafetensors(await readWeights(source, onProgress), WEIGHTS);
  const kind = detectModelKind(config, file.tensors.keys());

  if (kind === 'bert') {
    // The tokenizer is built before any weight is uploaded, so its errors leave nothing to clean up.
    const tokenizer = await loadBertTokenizer(source, config);
    return createBertModel(new StateDict(file, kind, WEIGHTS), config, tokenizer);
  }
  const preprocessor = await readOptional(source, 'preprocessor_config.json');
  const preprocessorConfig = preprocessor === undefined ? null : parseConfig(preprocessor, 'preprocessor_config.json');
  const stateDict = new StateDict(file, kind, WEIGHTS);
  if (kind === 'cnn') return createCnnModel(stateDict, config, preprocessorConfig);
  return createVitModel(stateDict, config, preprocessorConfig);
}

