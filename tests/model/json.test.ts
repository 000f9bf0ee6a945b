// The one reader of checkpoint JSON files: own properties only, messages naming file and key.

import { describe, expect, it } from 'vitest';
import { bertConfig } from '../../src/models/bert/configuration_bert';
import { JsonFields, lookup } from '../../src/models/checkpoint/json';
import { ModelError } from '../../src/models/errors';
import { activation } from '../../src/models/shared/layers';

const fields = (value: Record<string, unknown>, file = 'config.json') => JsonFields.of(value, file);

describe('JsonFields', () => {
  it('reads typed fields with defaults', () => {
    const f = fields({ n: 3, x: 0.5, s: 'gelu', b: false, list: ['a'], obj: { inner: 2 } });
    expect([f.int('n', 1), f.int('missing', 7), f.number('x', 1), f.string('s', ''), f.bool('b', true)]).toEqual([3, 7, 0.5, 'gelu', false]);
    expect(f.optionalStrings('list')).toEqual(['a']);
    expect(f.optionalBool('missing')).toBeNull();
    expect(f.object('obj')!.int('inner', 0)).toBe(2);
  });

  it('names the file and the key path when a value is unusable', () => {
    expect(() => fields({ n: -1 }, 'tokenizer_config.json').int('n', 1)).toThrow(
      new ModelError('malformed', 'tokenizer_config.json: "n" must be a positive integer, got -1.'),
    );
    expect(() => fields({ obj: { flag: 'yes' } }, 'tokenizer.json').object('obj')!.bool('flag', true)).toThrow(
      'tokenizer.json: "obj.flag" must be true or false, got "yes".',
    );
    expect(() => JsonFields.parse('[1]', 'preprocessor_config.json')).toThrow('preprocessor_config.json must be a JSON object.');
    expect(() => JsonFields.parse('{', 'config.json')).toThrow(/^config\.json is not valid JSON/);
  });

  it('never reads Object.prototype through a key from a file', () => {
    const f = fields({});
    for (const key of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty']) {
      expect(f.get(key)).toBeUndefined();
      expect(f.has(key)).toBe(false);
      expect(f.int(key, 4)).toBe(4);
    }
    expect(lookup({ a: 1 }, 'constructor')).toBeUndefined();
    // A key that really is in the file is read, whatever its name.
    expect(JsonFields.parse('{"constructor": 5}', 'config.json').int('constructor', 1)).toBe(5);
  });

  it('refuses hidden_act names that only exist on Object.prototype', () => {
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__']) {
      expect(() => activation(name)).toThrow(`config.json: hidden_act "${name}" is not supported`);
      expect(() => bertConfig(fields({ hidden_act: name }))).toThrow(/is not supported/);
    }
  });
});
