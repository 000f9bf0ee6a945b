// Browser side of the parity test: runs the model core (on the backend the test asks for) over
// every fixture checkpoint and case, and compares each output tensor with the PyTorch reference
// in expected.safetensors. Returns the worst differences; the Node test decides pass/fail.
// The BERT tokenizer cases run here too, so the browser build of the tokenizer is checked.

import * as tf from '@tensorflow/tfjs-core';
import { fromUrl, loadModel, type BertModel, type VitModel } from '../../src/models';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import { parseSafetensors, toFloat32, type Safetensors } from '../../src/models/checkpoint/safetensors';
import { logSoftmax, softmax } from '../../src/models/shared/math';
import type { BertOutput, VitOutput } from '../../src/models/types';
import { decodeImage } from '../../src/models/vit/image_decode';
import { activateBackend } from '../../src/worker/backends';
import type { BackendChoice, BackendStatus } from '../../src/worker/protocol';

export interface TensorDiff {
  model: string;
  case: number;
  tensor: string;
  maxAbs: number;
  /** max |a − b| / (atol + rtol·|b|): at most 1 when within tolerance. */
  worstRatio: number;
}

export interface ParityReport {
  backend: BackendStatus;
  diffs: TensorDiff[];
  /** Mismatching tokenizer cases as "config/case". */
  tokenizerFailures: string[];
  tokenizerCases: number;
  /** Live tensors after the first and after the second pass over all models (must be equal). */
  tensorsAfterRuns: [number, number];
}

const BERT_MODELS = ['bert-tiny', 'bert-tiny-legacy-f16', 'bert-tiny-base-only'];
const VIT_MODELS = ['vit-tiny', 'vit-tiny-grey-bf16'];

interface BertCase {
  text_a: string;
  text_b: string | null;
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
}

interface VitCase {
  pixel_values_key: string;
  image_size: [number, number];
  interpolate_pos_encoding: boolean;
  grid: [number, number];
  image?: string;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function tensor(expected: Safetensors, name: string): Float32Array {
  const entry = expected.tensors.get(name);
  if (!entry) throw new Error(`expected.safetensors has no ${name}`);
  return toFloat32(entry);
}

function compare(atol: number, rtol: number, at: Omit<TensorDiff, 'maxAbs' | 'worstRatio'>, actual: ArrayLike<number>, expected: ArrayLike<number>): TensorDiff {
  if (actual.length !== expected.length) throw new Error(`${at.model} case ${at.case} ${at.tensor}: ${actual.length} values, expected ${expected.length}`);
  let maxAbs = 0;
  let worstRatio = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    // NaN must fail, so compare with !(<=) rather than >.
    const ratio = Number.isNaN(d) ? Infinity : d / (atol + rtol * Math.abs(expected[i]));
    maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
    worstRatio = Math.max(worstRatio, ratio);
  }
  return { ...at, maxAbs, worstRatio };
}

function bertTensors(out: BertOutput, expected: Safetensors, i: number): [string, ArrayLike<number>, ArrayLike<number>][] {
  const pairs: [string, ArrayLike<number>, ArrayLike<number>][] = [];
  const add = (name: string, actual: ArrayLike<number>, want: ArrayLike<number>) => pairs.push([name, actual, want]);
  add('embeddings.word', out.embeddings.word.data, tensor(expected, `case${i}.embeddings.word`));
  add('embeddings.position', out.embeddings.position.data, tensor(expected, `case${i}.embeddings.position`));
  add('embeddings.token_type', out.embeddings.token_type.data, tensor(expected, `case${i}.embeddings.token_type`));
  out.hidden_states.forEach((h, l) => add(`hidden_states.${l}`, h.data, tensor(expected, `case${i}.hidden_states.${l}`)));
  out.attentions.forEach((a, l) => add(`attentions.${l}`, a.data, tensor(expected, `case${i}.attentions.${l}`)));
  if (out.pooler_output) add('pooler_output', out.pooler_output.data, tensor(expected, `case${i}.pooler_output`));
  if (out.nsp) add('nsp', [out.nsp.is_next, out.nsp.not_next], softmax(tensor(expected, `case${i}.seq_relationship_logits`)));
  if (out.mlm) {
    const logits = tensor(expected, `case${i}.prediction_logits`);
    const vocab = logits.length / out.encoding.tokens.length;
    for (const m of out.mlm) {
      add(`mlm.log_probs@${m.position}`, m.log_probs, logSoftmax(logits.subarray(m.position * vocab, (m.position + 1) * vocab)));
    }
  }
  return pairs;
}

function vitTensors(out: VitOutput, expected: Safetensors, i: number): [string, ArrayLike<number>, ArrayLike<number>][] {
  const pairs: [string, ArrayLike<number>, ArrayLike<number>][] = [['pixel_values', out.pixel_values.data, tensor(expected, `case${i}.pixel_values`)]];
  out.hidden_states.forEach((h, l) => pairs.push([`hidden_states.${l}`, h.data, tensor(expected, `case${i}.hidden_states.${l}`)]));
  out.attentions.forEach((a, l) => pairs.push([`attentions.${l}`, a.data, tensor(expected, `case${i}.attentions.${l}`)]));
  pairs.push(['last_hidden_state', out.last_hidden_state.data, tensor(expected, `case${i}.last_hidden_state`)]);
  if (out.logits) pairs.push(['logits', out.logits.data, tensor(expected, `case${i}.logits`)]);
  return pairs;
}

async function checkModel(base: string, name: string, atol: number, rtol: number): Promise<TensorDiff[]> {
  const folder = `${base}/${name}`;
  const model = await loadModel(fromUrl(`${folder}/`));
  const expected = parseSafetensors(await fetchBytes(`${folder}/expected.safetensors`), 'expected.safetensors');
  const { cases } = (await (await fetch(`${folder}/expected.json`)).json()) as { cases: (BertCase | VitCase)[] };
  const diffs: TensorDiff[] = [];
  try {
    for (const [i, c] of cases.entries()) {
      let pairs: [string, ArrayLike<number>, ArrayLike<number>][];
      if (model.kind === 'bert') {
        const bc = c as BertCase;
        const out = await (model as BertModel).runIds(bc.input_ids, bc.token_type_ids);
        pairs = bertTensors(out, expected, i);
      } else {
        const vc = c as VitCase;
        const vit = model as VitModel;
        const out = vc.image
          ? await vit.run(decodeImage(await fetchBytes(`${folder}/${vc.image}`), vc.image))
          : await vit.runPixels(
              { shape: [expected.tensors.get(vc.pixel_values_key)!.shape[0], ...vc.image_size], data: tensor(expected, vc.pixel_values_key) },
              { interpolatePosEncoding: vc.interpolate_pos_encoding },
            );
        pairs = vitTensors(out, expected, i);
      }
      for (const [tensorName, actual, want] of pairs) diffs.push(compare(atol, rtol, { model: name, case: i, tensor: tensorName }, actual, want));
    }
  } finally {
    model.dispose();
  }
  return diffs;
}

interface TokenizerCase {
  name: string;
  a: string;
  b: string | null;
  max_length: number | null;
  expected: Record<string, { tokens: string[]; input_ids: number[]; token_type_ids: number[] }>;
}

interface TokenizerConfig {
  vocab: string;
  do_lower_case: boolean;
  strip_accents: boolean | null;
  tokenize_chinese_chars: boolean;
  fast?: boolean;
}

async function checkTokenizer(base: string): Promise<{ failures: string[]; count: number }> {
  const text = async (file: string) => (await fetch(`${base}/${file}`)).text();
  const { configs, cases } = (await (await fetch(`${base}/cases.json`)).json()) as { configs: Record<string, TokenizerConfig>; cases: TokenizerCase[] };
  const failures: string[] = [];
  let count = 0;
  for (const [configName, config] of Object.entries(configs)) {
    const { do_lower_case, strip_accents, tokenize_chinese_chars } = config;
    const tokenizer = config.fast
      ? BertTokenizer.fromFiles({ tokenizerJson: await text(config.vocab.replace(/^vocab_(.*)\.txt$/, 'tokenizer_$1.json')) })
      : BertTokenizer.fromFiles({ vocab: await text(config.vocab), tokenizerConfig: JSON.stringify({ do_lower_case, strip_accents, tokenize_chinese_chars }) });
    for (const c of cases) {
      const want = c.expected[configName];
      if (!want) continue;
      count++;
      const enc = tokenizer.encode(c.a, c.b, c.max_length ?? undefined);
      const same = JSON.stringify([enc.tokens, enc.input_ids, enc.token_type_ids]) === JSON.stringify([want.tokens, want.input_ids, want.token_type_ids]);
      if (!same) failures.push(`${configName}/${c.name}`);
    }
  }
  return { failures, count };
}

async function runParity(options: { fixtures: string; backend: BackendChoice; atol: number; rtol: number }): Promise<ParityReport> {
  const { fixtures, atol, rtol } = options;
  const backend = await activateBackend(options.backend);
  const models = `${fixtures}/models`;
  const diffs: TensorDiff[] = [];
  const tensorsAfterRuns: number[] = [];
  // Two passes: the second must leave exactly as many live tensors as the first (no leaks).
  for (let pass = 0; pass < 2; pass++) {
    for (const name of [...BERT_MODELS, ...VIT_MODELS]) {
      const d = await checkModel(models, name, atol, rtol);
      if (pass === 0) diffs.push(...d);
    }
    tensorsAfterRuns.push(tf.memory().numTensors);
  }
  const tokenizer = await checkTokenizer(`${fixtures}/tokenizer`);
  return {
    backend,
    diffs,
    tokenizerFailures: tokenizer.failures,
    tokenizerCases: tokenizer.count,
    tensorsAfterRuns: [tensorsAfterRuns[0], tensorsAfterRuns[1]],
  };
}

declare global {
  interface Window {
    runParity: typeof runParity;
  }
}

window.runParity = runParity;
