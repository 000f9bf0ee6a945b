// Typed reads of config.json fields, with Hugging Face's defaults where a key may be absent and a
// clear error where a value is unusable.

import { ModelError } from '../errors';

export type Config = Record<string, unknown>;

export function parseConfig(text: string, fileName = 'config.json'): Config {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new ModelError('malformed', `${fileName} is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ModelError('malformed', `${fileName} must be a JSON object.`);
  }
  return config as Config;
}

export function intField(config: Config, key: string, fallback: number): number {
  const value = config[key] ?? fallback;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new ModelError('malformed', `config.json: "${key}" must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return value as number;
}

export function numberField(config: Config, key: string, fallback: number): number {
  const value = config[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ModelError('malformed', `config.json: "${key}" must be a non-negative number, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function stringField(config: Config, key: string, fallback: string): string {
  const value = config[key] ?? fallback;
  if (typeof value !== 'string') {
    throw new ModelError('malformed', `config.json: "${key}" must be a string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function boolField(config: Config, key: string, fallback: boolean): boolean {
  const value = config[key] ?? fallback;
  if (typeof value !== 'boolean') {
    throw new ModelError('malformed', `config.json: "${key}" must be true or false, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** Multi-head attention splits hidden_size evenly between the heads. */
export function checkHeadSize(config: { hidden_size: number; num_attention_heads: number }): void {
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new ModelError(
      'malformed',
      `config.json: hidden_size=${config.hidden_size} is not a multiple of num_attention_heads=${config.num_attention_heads}.`,
    );
  }
}
