// Browser side of the parity test (tests/e2e/webgl_parity.test.ts): runs the model core on the
// backend the test asks for, over every fixture checkpoint and case, and hands every output back
// as plain numbers, named like the tensors of the fixture's expected.safetensors. It also runs
// the BERT tokenizer cases, and decodes images in a Web Worker through the app's image path
// (tests/e2e/image_decode.test.ts). All comparisons happen in Node, with the model-core tests' helpers.

import * as tf from '@tensorflow/tfjs-core';
import { fromUrl, loadModel, loadTokenizer } from '../../src/models';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import { parseSafetensors, toFloat32 } from '../../src/models/checkpoint/safetensors';
import type { FullBertOutput, FullVitOutput, NdArray } from '../../src/models/types';
import { decodeImage } from '../../src/models/vit/image_decode';
import { activateBackend } from '../../src/worker/backends';
import type { BackendChoice, BackendStatus } from '../../src/worker/protocol';
import type { DecodeReply } from './decode.worker';
import { TEXT_FIXTURES, VIT_FIXTURES } from '../fixture_models';

export interface PlainArray {
  shape: number[];
  data: number[];
}

/**
 * One case's outputs. Keys are expected.safetensors names without the `case{i}.` prefix, plus
 * `nsp` / `sop` (the two probabilities), `rtd` (per-token replaced probabilities) and
 * `mlm@{position}` (log-probabilities at a mask token).
 */
export type CaseOutputs = Record<string, PlainArray>;

export interface TokenizerOutput {
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
}

export interface SubwordOutput {
  tokens: string[];
  ids: number[];
  offsets: ([number, number] | null)[];
}

export interface BrowserRun {
  backend: BackendStatus;
  /** Per fixture checkpoint, the outputs of each case of its expected.json, in order. */
  models: Record<string, CaseOutputs[]>;
  /** Per tokenizer setting of cases.json, the encoding of each case by name. */
  tokenizer: Record<string, Record<string, TokenizerOutput>>;
  /** Per subword case file (bpe, unigram), each case's tokens, ids and offsets from @huggingface/tokenizers in the page. */
  subword: Record<string, SubwordOutput[]>;
  /** Live tensors after the first and after the second pass over all models (equal unless leaking). */
  tensorsAfterRuns: [number, number];
}

export const FIXTURE_MODELS = [...TEXT_FIXTURES, ...VIT_FIXTURES];

const plain = (a: NdArray | { shape: number[]; data: ArrayLike<number> }): PlainArray => ({ shape: [...a.shape], data: Array.from(a.data) });

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

function bertOutputs(out: FullBertOutput): CaseOutputs {
  const o: CaseOutputs = {
    'embeddings.word': plain(out.embeddings.word),
    'embeddings.position': plain(out.embeddings.position),
  };
  if (out.embeddings.token_type) o['embeddings.token_type'] = plain(out.embeddings.token_type);
  out.hidden_states.forEach((h, l) => (o[`hidden_states.${l}`] = plain(h)));
  out.attentions.forEach((a, l) => (o[`attentions.${l}`] = plain(a)));
  if (out.pooler_output) o.pooler_output = plain(out.pooler_output);
  if (out.nsp) o.nsp = { shape: [2], data: [out.nsp.is_next, out.nsp.not_next] };
  if (out.sop) o.sop = { shape: [2], data: [out.sop.in_order, out.sop.swapped] };
  if (out.rtd) o.rtd = plain(out.rtd);
  for (const m of out.mlm ?? []) o[`mlm@${m.position}`] = { shape: [m.log_probs.length], data: Array.from(m.log_probs) };
  return o;
}

function vitOutputs(out: FullVitOutput): CaseOutputs {
  const o: CaseOutputs = { pixel_values: plain(out.pixel_values), last_hidden_state: plain(out.last_hidden_state) };
  out.hidden_states.forEach((h, l) => (o[`hidden_states.${l}`] = plain(h)));
  out.attentions.forEach((a, l) => (o[`attentions.${l}`] = plain(a)));
  if (out.logits) o.logits = plain(out.logits);
  if (out.distillation) {
    o.cls_logits = plain(out.distillation.cls_logits);
    o.distillation_logits = plain(out.distillation.distillation_logits);
  }
  return o;
}

/** Runs every case of one fixture checkpoint: BERT from its ids, ViT from its PNG or its pixel values. */
async function runFixture(folder: string): Promise<CaseOutputs[]> {
  const model = await loadModel(fromUrl(`${folder}/`));
  try {
    const { cases } = (await (await fetchOk(`${folder}/expected.json`)).json()) as { cases: Record<string, unknown>[] };
    if (model.kind === 'bert') {
      const outputs: CaseOutputs[] = [];
      for (const c of cases) {
        const ids = c.input_ids as number[];
        // DistilBERT's and RoBERTa's cases have no token types: all zeros.
        outputs.push(bertOutputs(await model.runIds(ids, (c.token_type_ids as number[] | undefined) ?? ids.map(() => 0))));
      }
      return outputs;
    }
    if (model.kind !== 'vit') throw new Error(`${folder} is neither BERT nor ViT`);
    const expected = parseSafetensors(new Uint8Array(await (await fetchOk(`${folder}/expected.safetensors`)).arrayBuffer()));
    const outputs: CaseOutputs[] = [];
    for (const c of cases) {
      if (typeof c.image === 'string') {
        const bytes = new Uint8Array(await (await fetchOk(`${folder}/${c.image}`)).arrayBuffer());
        outputs.push(vitOutputs(await model.run(await decodeImage(bytes, c.image))));
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

/** The byte-level BPE and Unigram cases, tokenized in the page from the fixture checkpoints' tokenizer.json. */
async function runSubwordCases(fixtures: string): Promise<BrowserRun['subword']> {
  const out: BrowserRun['subword'] = {};
  for (const kind of ['bpe', 'unigram']) {
    const spec = (await (await fetchOk(`${fixtures}/tokenizer/${kind}_cases.json`)).json()) as { tokenizer: string; cases: { text: string }[] };
    const folder = `${fixtures}/${spec.tokenizer.replace(/\/tokenizer\.json$/, '')}`;
    const tokenizer = await loadTokenizer(fromUrl(`${folder}/`));
    out[kind] = spec.cases.map(({ text }) => {
      const enc = tokenizer.encode(text, null, 10_000);
      const inText = enc.segment.map((s) => s === 0);
      return { tokens: enc.tokens.filter((_, i) => inText[i]), ids: enc.input_ids.filter((_, i) => inText[i]), offsets: enc.offsets.filter((_, i) => inText[i]) };
    });
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
  return {
    backend,
    models,
    tokenizer: await runTokenizerCases(`${fixtures}/tokenizer`),
    subword: await runSubwordCases(fixtures),
    tensorsAfterRuns: [tensorsAfterRuns[0], tensorsAfterRuns[1]],
  };
}

/** An image to decode: a file fetched from `url`, or bytes made by the test. */
export interface DecodeJob {
  fileName: string;
  url?: string;
  bytes?: number[];
}

/** What the worker gave for each job: size and pixels (base64, far quicker to hand over than numbers), or the error message. */
export type DecodeResult = { width: number; height: number; base64: string } | { error: string };

function toBase64(data: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Decodes each job in one dedicated worker, one after another, as the inference worker would. */
async function decodeInWorker(jobs: DecodeJob[]): Promise<DecodeResult[]> {
  const worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module' });
  const results: DecodeResult[] = [];
  try {
    for (const job of jobs) {
      const bytes = job.url ? await (await fetchOk(job.url)).arrayBuffer() : new Uint8Array(job.bytes!).buffer;
      const reply = await new Promise<DecodeReply>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<DecodeReply>) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(`decode worker: ${event.message}`));
        worker.postMessage({ bytes, fileName: job.fileName }, [bytes]);
      });
      results.push('error' in reply ? reply : { width: reply.width, height: reply.height, base64: toBase64(reply.data) });
    }
  } finally {
    worker.terminate();
  }
  return results;
}

declare global {
  interface Window {
    runParity: typeof runParity;
    decodeInWorker: typeof decodeInWorker;
    activateBackend: typeof activateBackend;
  }
}

window.runParity = runParity;
window.activateBackend = activateBackend;
window.decodeInWorker = decodeInWorker;
