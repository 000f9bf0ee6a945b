// Browser side of the parity test (tests/e2e/webgl_parity.test.ts): runs the model core on the
// backend the test asks for, over every fixture checkpoint and case, and hands every output back
// as plain numbers, named like the tensors of the fixture's expected.safetensors. It also runs
// the BERT tokenizer cases. All comparisons happen in Node, with the model-core tests' helpers.

import * as tf from '@tensorflow/tfjs-core';
import { fromUrl, loadModel } from '../../src/models';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import { parseSafetensors, toFloat32 } from '../../src/models/checkpoint/safetensors';
import type { BertOutput, NdArray, VitOutput } from '../../src/models/types';
import { decodeImage } from '../../src/models/vit/image_decode';
import { activateBackend } from '../../src/worker/backends';
import type { BackendChoice, BackendStatus } from '../../src/worker/protocol';

export interface PlainArray {
  shape: number[];
  data: number[];
}

/**
 * One case's outputs. Keys are expected.safetensors names without the `case{i}.` prefix, plus
 * `nsp` (the two probabilities) and `mlm@{position}` (log-probabilities at a [MASK]).
 */
export type CaseOutputs = Record<string, PlainArray>;

export interface TokenizerOutput {
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
}

export interface BrowserRun {
  backend: BackendStatus;
  /** Per fixture checkpoint, the outputs of each case of its expected.json, in order. */
  models: Record<string, CaseOutputs[]>;
  /** Per tokenizer setting of cases.json, the encoding of each case by name. */
  tokenizer: Record<string, Record<string, TokenizerOutput>>;
  /** Live tensors after the first and after the second pass over all models (equal unless leaking). */
  tensorsAfterRuns: [number, number];
}

export const FIXTURE_MODELS = ['bert-tiny', 'bert-tiny-legacy-f16', 'bert-tiny-base-only', 'vit-tiny', 'vit-tiny-grey-bf16'];

const plain = (a: NdArray | { shape: number[]; data: ArrayLike<number> }): PlainArray => ({ shape: [...a.shape], data: Array.from(a.data) });

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

function bertOutputs(out: BertOutput): CaseOutputs {
  const o: CaseOutputs = {
    'embeddings.word': plain(out.embeddings.word),
    'embeddings.position': plain(out.embeddings.position),
    'embeddings.token_type': plain(out.embeddings.token_type),
  };
  out.hidden_states.forEach((h, l) => (o[`hidden_states.${l}`] = plain(h)));
  out.attentions.forEach((a, l) => (o[`attentions.${l}`] = plain(a)));
  if (out.pooler_output) o.pooler_output = plain(out.pooler_output);
  if (out.nsp) o.nsp = { shape: [2], data: [out.nsp.is_next, out.nsp.not_next] };
  for (const m of out.mlm ?? []) o[`mlm@${m.position}`] = { shape: [m.log_probs.length], data: Array.from(m.log_probs) };
  return o;
}

function vitOutputs(out: VitOutput): CaseOutputs {
  const o: CaseOutputs = { pixel_values: plain(out.pixel_values), last_hidden_state: plain(out.last_hidden_state) };
  out.hidden_states.forEach((h, l) => (o[`hidden_states.${l}`] = plain(h)));
  out.attentions.forEach((a, l) => (o[`attentions.${l}`] = plain(a)));
  if (out.logits) o.logits = plain(out.logits);
  return o;
}

/** Runs every case of one fixture checkpoint: BERT from its ids, ViT from its PNG or its pixel values. */
async function runFixture(folder: string): Promise<CaseOutputs[]> {
  const model = await loadModel(fromUrl(`${folder}/`));
  try {
    const { cases } = (await (await fetchOk(`${folder}/expected.json`)).json()) as { cases: Record<string, unknown>[] };
    if (model.kind === 'bert') {
      const outputs: CaseOutputs[] = [];
      for (const c of cases) outputs.push(bertOutputs(await model.runIds(c.input_ids as number[], c.token_type_ids as number[])));
      return outputs;
    }
    if (model.kind !== 'vit') throw new Error(`${folder} is neither BERT nor ViT`);
    const expected = parseSafetensors(new Uint8Array(await (await fetchOk(`${folder}/expected.safetensors`)).arrayBuffer()));
    const outputs: CaseOutputs[] = [];
    for (const c of cases) {
      if (typeof c.image === 'string') {
        const bytes = new Uint8Array(await (await fetchOk(`${folder}/${c.image}`)).arrayBuffer());
        outputs.push(vitOutputs(await model.run(decodeImage(bytes, c.image))));
      } else {
        const entry = expected.tensors.get(c.pixel_values_key as string)!;
        const pixels = { shape: entry.shape, data: toFloat32(entry) };
        outputs.push(vitOutputs(await model.runPixels(pixels, { interpolatePosEncoding: c.interpolate_pos_encoding as boolean })));
      }
    }
    return outputs;
  } finally {
    model.dispose();
  }
}

interface TokenizerConfig {
  vocab: string;
  do_lower_case: boolean;
  strip_accents: boolean | null;
  tokenize_chinese_chars: boolean;
  fast?: boolean;
}

/** Encodes every tokenizer case under every setting, built from the files as the Node test builds them. */
async function runTokenizerCases(base: string): Promise<BrowserRun['tokenizer']> {
  const text = async (file: string) => (await fetchOk(`${base}/${file}`)).text();
  const { configs, cases } = (await (await fetchOk(`${base}/cases.json`)).json()) as {
    configs: Record<string, TokenizerConfig>;
    cases: { name: string; a: string; b: string | null; max_length: number | null }[];
  };
  const out: BrowserRun['tokenizer'] = {};
  for (const [name, config] of Object.entries(configs)) {
    const { do_lower_case, strip_accents, tokenize_chinese_chars } = config;
    const tokenizer = config.fast
      ? BertTokenizer.fromFiles({ tokenizerJson: await text(config.vocab.replace(/^vocab_(.*)\.txt$/, 'tokenizer_$1.json')) })
      : BertTokenizer.fromFiles({ vocab: await text(config.vocab), tokenizerConfig: JSON.stringify({ do_lower_case, strip_accents, tokenize_chinese_chars }) });
    out[name] = {};
    for (const c of cases) {
      const { tokens, input_ids, token_type_ids } = tokenizer.encode(c.a, c.b, c.max_length ?? undefined);
      out[name][c.name] = { tokens, input_ids, token_type_ids };
    }
  }
  return out;
}

async function runParity({ fixtures, backend: choice }: { fixtures: string; backend: BackendChoice }): Promise<BrowserRun> {
  const backend = await activateBackend(choice);
  const models: BrowserRun['models'] = {};
  const tensorsAfterRuns: number[] = [];
  // Two passes of load, run, dispose: the second must end with as many live tensors as the first.
  for (let pass = 0; pass < 2; pass++) {
    for (const name of FIXTURE_MODELS) models[name] = await runFixture(`${fixtures}/models/${name}`);
    tensorsAfterRuns.push(tf.memory().numTensors);
  }
  return { backend, models, tokenizer: await runTokenizerCases(`${fixtures}/tokenizer`), tensorsAfterRuns: [tensorsAfterRuns[0], tensorsAfterRuns[1]] };
}

declare global {
  interface Window {
    runParity: typeof runParity;
  }
}

window.runParity = runParity;
