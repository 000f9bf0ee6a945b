// The one reader for fields of the JSON files a checkpoint ships (config.json,
// preprocessor_config.json, tokenizer_config.json, tokenizer.json): Hugging Face's defaults where
// a key may be absent, a ModelError naming the file and the key where a value is unusable.
//
// Keys come from untrusted files, so every lookup is an own-property lookup: "constructor" or
// "__proto__" in a file are plain absent keys, never Object.prototype's members.

import { ModelError, type ModelErrorCode } from '../errors';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An own-property lookup in a table keyed by names that come from files. */
export function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

export class JsonFields {
  /** `file` names the file in messages; `path` the enclosing key for nested objects ("normalizer."). */
  private constructor(
    readonly file: string,
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}

  static parse(text: string, file: string): JsonFields {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ModelError('malformed', `${file} is not valid JSON (${(e as Error).message}).`);
    }
    if (!isObject(value)) throw new ModelError('malformed', `${file} must be a JSON object.`);
    return new JsonFields(file, value, '');
  }

  /** Fields of an object already parsed (e.g. defaults when a file is absent). */
  static of(value: Record<string, unknown>, file: string, path = ''): JsonFields {
    return new JsonFields(file, value, path);
  }

  /** The plain object, for showing or re-serialising it. */
  toJSON(): Record<string, unknown> {
    return this.value;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.value, key) && this.value[key] !== undefined;
  }

  /** The raw value of `key` (own properties only), undefined when absent. */
  get(key: string): unknown {
    return Object.hasOwn(this.value, key) ? this.value[key] : undefined;
  }

  /** `"key"` as messages quote it, with the enclosing path. */
  name(key: string): string {
    return `"${this.path}${key}"`;
  }

  fail(problem: string, code: ModelErrorCode = 'malformed'): never {
    throw new ModelError(code, `${this.file}: ${problem}.`);
  }

  private invalid(key: string, expected: string, value: unknown): never {
    return this.fail(`${this.name(key)} must be ${expected}, got ${JSON.stringify(value)}`);
  }

  /** A positive integer (sizes, counts). */
  int(key: string, fallback: number): number {
    const value = this.get(key) ?? fallback;
    if (!Number.isSafeInteger(value) || (value as number) <= 0) this.invalid(key, 'a positive integer', value);
    return value as number;
  }

  /** A positive integer, or null when the key is absent or null. */
  optionalInt(key: string): number | null {
    const value = this.get(key);
    return value === undefined || value === null ? null : this.int(key, 0);
  }

  /** A finite number ≥ 0 (epsilons, factors). */
  number(key: string, fallback: number): number {
    const value = this.get(key) ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.invalid(key, 'a non-negative number', value);
    return value;
  }

  string(key: string, fallback: string): string {
    const value = this.get(key) ?? fallback;
    if (typeof value !== 'string') this.invalid(key, 'a string', value);
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.get(key) ?? fallback;
    if (typeof value !== 'boolean') this.invalid(key, 'true or false', value);
    return value;
  }

  /** true/false, or null when the key is absent or null (HF's "decide from something else"). */
  optionalBool(key: string): boolean | null {
    const value = this.get(key);
    return value === undefined || value === null ? null : this.bool(key, false);
  }

  /** A list of strings, or null when absent or null. */
  optionalStrings(key: string): string[] | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) this.invalid(key, 'a list of strings', value);
    return value;
  }

  /** A nested object as fields of the same file, or null when absent. */
  object(key: string): JsonFields | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (!isObject(value)) this.invalid(key, 'an object', value);
    return new JsonFields(this.file, value, `${this.path}${key}.`);
  }
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
