// Command-line inference on a local checkpoint folder, for scripting and for checking the app's
// numbers against PyTorch. One JSON object on stdout with --json; errors are one line on stderr.
//
//   npm run --silent infer -- --model tests/fixtures/models/bert-tiny --text "the [MASK] sat." --json
//   npm run --silent infer -- --model tests/fixtures/models/vit-tiny --image cat.png

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cosineSimilarityMatrix } from '../analysis/similarity';
import { initNodeBackend, type NodeBackend } from '../models/backend_node';
import { fromFolder } from '../models/checkpoint/source_node';
import { loadBertTokenizer, loadModel } from '../models';
import type { BertEncoding, BertOutput, NdArray, VitOutput } from '../models/types';
import { decodeImage } from '../models/vit/image_decode';

const USAGE = `usage: infer --model <folder> (--text "..." [--text-b "..."] [--tokenize-only] | --image <png|jpg>)
             [--top-k 5] [--backend wasm|cpu] [--json]`;

class UsageError extends Error {}

/** Row-major NdArray as nested arrays ([layer][head][query][key] and so on). */
function nested(a: NdArray): unknown {
  const build = (dim: number, offset: number): unknown => {
    if (dim === a.shape.length - 1) return Array.from(a.data.subarray(offset, offset + a.shape[dim]));
    const stride = a.shape.slice(dim + 1).reduce((x, y) => x * y, 1);
    return Array.from({ length: a.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return a.shape.length === 0 ? a.data[0] : build(0, 0);
}

function encodingJson(e: BertEncoding) {
  return { tokens: e.tokens, input_ids: e.input_ids, token_type_ids: e.token_type_ids, truncated: e.truncated };
}

function textJson(out: BertOutput, warnings: string[]) {
  return {
    ...encodingJson(out.encoding),
    attentions: out.attentions.map(nested),
    last_hidden_state: nested(out.last_hidden_state),
    pooler_output: out.pooler_output ? Array.from(out.pooler_output.data) : null,
    mlm: out.mlm?.map(({ position, top }) => ({ position, top })) ?? null,
    nsp: out.nsp,
    warnings,
  };
}

function imageJson(out: VitOutput, positionEmbeddings: NdArray, warnings: string[]) {
  const [positions, hidden] = positionEmbeddings.shape;
  const patches: NdArray = { shape: [positions - 1, hidden], data: positionEmbeddings.data.subarray(hidden) };
  return {
    grid: out.grid,
    logits: out.logits ? Array.from(out.logits.data) : null,
    top: out.top?.map(({ label, id, prob }) => ({ label, id, prob })) ?? null,
    attentions: out.attentions.map(nested),
    cls: Array.from(out.cls.data),
    position_similarity: nested(cosineSimilarityMatrix(patches)),
    warnings,
  };
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;

function textSummary(out: BertOutput): string {
  const lines = [`tokens (${out.encoding.tokens.length}): ${out.encoding.tokens.join(' ')}`];
  if (out.encoding.truncated > 0) lines.push(`truncated: ${out.encoding.truncated} token(s) dropped`);
  for (const m of out.mlm ?? []) lines.push(`[MASK] at ${m.position}: ${m.top.map((t) => `${t.token} ${pct(t.prob)}`).join(', ')}`);
  if (out.nsp) lines.push(`next sentence: IsNext ${pct(out.nsp.is_next)}, NotNext ${pct(out.nsp.not_next)}`);
  const t = out.timings;
  lines.push(`${out.attentions.length} layers; forward ${t.forward_ms.toFixed(1)} ms, readback ${t.readback_ms.toFixed(1)} ms`);
  return lines.join('\n');
}

function imageSummary(out: VitOutput): string {
  const lines = [`grid ${out.grid[0]}x${out.grid[1]} patches`];
  for (const c of out.top ?? []) lines.push(`${c.label.padEnd(24)} ${pct(c.prob)}`);
  if (!out.top) lines.push('(no classifier head)');
  const t = out.timings;
  lines.push(`forward ${t.forward_ms.toFixed(1)} ms, readback ${t.readback_ms.toFixed(1)} ms`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        text: { type: 'string' },
        'text-b': { type: 'string' },
        image: { type: 'string' },
        'top-k': { type: 'string', default: '5' },
        backend: { type: 'string', default: 'wasm' },
        'tokenize-only': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.model) throw new UsageError('--model <folder> is required');
  if ((values.text === undefined) === (values.image === undefined)) throw new UsageError('give exactly one of --text or --image');
  if (values['text-b'] !== undefined && values.text === undefined) throw new UsageError('--text-b needs --text');
  const topK = Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < 1) throw new UsageError(`--top-k must be a positive integer, got "${values['top-k']}"`);
  const backend = values.backend as NodeBackend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got "${values.backend}"`);

  const print = (json: unknown, summary: () => string) => console.log(values.json ? JSON.stringify(json) : summary());
  const source = await fromFolder(values.model);

  if (values['tokenize-only']) {
    if (values.text === undefined) throw new UsageError('--tokenize-only needs --text');
    const tokenizer = await loadBertTokenizer(source);
    const encoding = tokenizer.encode(values.text, values['text-b'] ?? null);
    print(encodingJson(encoding), () => encoding.tokens.join(' '));
    return;
  }

  // Read the image before loading the model, so a bad image fails fast.
  const image = values.image === undefined ? null : decodeImage(new Uint8Array(await readFile(values.image).catch((e: Error) => {
    throw new UsageError(`cannot read image ${values.image} (${e.message})`);
  })), values.image);

  await initNodeBackend(backend);
  const model = await loadModel(source);
  try {
    if (model.kind === 'bert') {
      if (values.text === undefined) throw new UsageError(`${values.model} is a BERT model; give --text, not --image`);
      const out = await model.run(values.text, values['text-b'] ?? null, { topK });
      print(textJson(out, model.info.warnings), () => textSummary(out));
    } else {
      if (!image) throw new UsageError(`${values.model} is a ViT model; give --image, not --text`);
      const out = await model.run(image, { topK });
      print(imageJson(out, model.info.position_embeddings, model.info.warnings), () => imageSummary(out));
    }
  } finally {
    model.dispose();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`error: ${message}${e instanceof UsageError ? ' (see --help)' : ''}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
