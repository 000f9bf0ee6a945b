// Command-line inference on a local checkpoint folder, for scripting and for checking the app's
// numbers against PyTorch. One JSON object on stdout with --json; errors are one line on stderr.
//
//   npm run --silent infer -- --model tests/fixtures/models/bert-tiny --text "the [MASK] sat." --json
//   npm run --silent infer -- --model tests/fixtures/models/vit-tiny --image cat.png
//
// `infer(argv)` is exported so the tests can run it in-process; the file runs it when executed.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { rowsOf } from '../analysis/ndarray';
import { cosineSimilarityMatrix } from '../analysis/similarity';
import { initNodeBackend, type NodeBackend } from '../models/backend_node';
import { fromFolder } from '../models/checkpoint/source_node';
import { loadModel, loadTokenizer } from '../models';
import type { BertEncoding, ClassProbability, CnnOutput, FullBertOutput, FullVitOutput, NdArray } from '../models/types';
import { decodeImage } from '../models/vit/image_decode';
import { readImageHeader } from '../models/vit/image_header';

const USAGE = `usage: infer --model <folder> (--text "..." [--text-b "..."] [--tokenize-only] | --image <png|jpg>)
             [--top-k 5] [--backend wasm|cpu] [--json]
       --text-file / --text-b-file <path> read a text from a file instead (for texts too long for a command line)`;

/** A mistake in the command line itself (exit status 2). */
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

const truncationNote = (e: BertEncoding) => `truncated: ${e.truncated} token(s) dropped to fit ${e.tokens.length} tokens`;

function textJson(out: FullBertOutput, warnings: string[]) {
  const { tokens, input_ids, token_type_ids, truncated } = out.encoding;
  return {
    architecture: out.architecture,
    tokens,
    input_ids,
    token_type_ids,
    truncated,
    attentions: out.attentions.map(nested),
    last_hidden_state: nested(out.last_hidden_state),
    pooler_output: out.pooler_output ? Array.from(out.pooler_output.data) : null,
    mlm: out.mlm?.map(({ position, top }) => ({ position, top })) ?? null,
    nsp: out.nsp,
    // Architecture-specific heads, present only where the model has them.
    ...(out.sop && { sop: out.sop }),
    ...(out.rtd && { rtd: Array.from(out.rtd.data) }),
    warnings,
  };
}

const classes = (top: ClassProbability[]) => top.map(({ label, id, prob }) => ({ label, id, prob }));

function imageJson(out: FullVitOutput, positionEmbeddings: NdArray, warnings: string[]) {
  // The rows before the grid are [CLS] (and a DeiT's distillation token).
  const patches = rowsOf(positionEmbeddings, out.prefix_tokens, positionEmbeddings.shape[0]);
  const d = out.distillation;
  return {
    grid: out.grid,
    logits: out.logits ? Array.from(out.logits.data) : null,
    top: out.top ? classes(out.top) : null,
    ...(d && {
      distillation: {
        cls_logits: Array.from(d.cls_logits.data),
        distillation_logits: Array.from(d.distillation_logits.data),
        cls_top: classes(d.cls_top),
        distillation_top: classes(d.distillation_top),
      },
    }),
    attentions: out.attentions.map(nested),
    cls: Array.from(out.cls.data),
    position_similarity: nested(cosineSimilarityMatrix(patches)),
    warnings,
  };
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;

function textSummary(out: FullBertOutput): string {
  const { tokens, mask_token } = out.encoding;
  const lines = [`tokens (${tokens.length}): ${tokens.join(' ')}`];
  if (out.encoding.truncated > 0) lines.push(truncationNote(out.encoding));
  for (const m of out.mlm ?? []) lines.push(`${mask_token} at ${m.position}: ${m.top.map((t) => `${t.token} ${pct(t.prob)}`).join(', ')}`);
  if (out.nsp) lines.push(`next sentence: IsNext ${pct(out.nsp.is_next)}, NotNext ${pct(out.nsp.not_next)}`);
  if (out.sop) lines.push(`sentence order: original ${pct(out.sop.in_order)}, swapped ${pct(out.sop.swapped)}`);
  if (out.rtd) lines.push(`replaced: ${tokens.map((t, i) => `${t} ${pct(out.rtd!.data[i])}`).join(', ')}`);
  const t = out.timings;
  lines.push(`${out.attentions.length} layers; forward ${t.forward_ms.toFixed(1)} ms, readback ${t.readback_ms.toFixed(1)} ms`);
  return lines.join('\n');
}

function imageSummary(out: FullVitOutput): string {
  const lines = [`grid ${out.grid[0]}x${out.grid[1]} patches`];
  const d = out.distillation;
  if (d) lines.push('mean of the [CLS] and distillation heads (as the model reports):');
  for (const c of out.top ?? []) lines.push(`${c.label.padEnd(24)} ${pct(c.prob)}`);
  if (d) {
    lines.push(`[CLS] head: ${d.cls_top.map((c) => `${c.label} ${pct(c.prob)}`).join(', ')}`);
    lines.push(`distillation head: ${d.distillation_top.map((c) => `${c.label} ${pct(c.prob)}`).join(', ')}`);
  }
  if (!out.top) lines.push('(no classifier head)');
  const t = out.timings;
  lines.push(`forward ${t.forward_ms.toFixed(1)} ms, readback ${t.readback_ms.toFixed(1)} ms`);
  return lines.join('\n');
}

function cnnJson(out: CnnOutput, warnings: string[]) {
  return {
    logits: Array.from(out.logits.data),
    top: classes(out.top),
    feature_map_shapes: out.feature_maps.map((m) => m.shape),
    warnings,
  };
}

function cnnSummary(out: CnnOutput): string {
  const last = out.feature_maps.at(-1)!.shape;
  const lines = [`${out.feature_maps.length} layers; last feature map ${last.join('x')}`];
  for (const c of out.top) lines.push(`${c.label.padEnd(24)} ${pct(c.prob)}`);
  lines.push(`forward ${out.timings.forward_ms.toFixed(1)} ms, readback ${out.timings.readback_ms.toFixed(1)} ms`);
  return lines.join('\n');
}

async function readInput(path: string, what: string): Promise<Buffer> {
  return readFile(path).catch((e: Error) => {
    throw new Error(`cannot read ${what} ${path} (${e.message})`);
  });
}

/** A text from --text, or from a file (argv cannot carry more than 128 KB in one argument on Linux). */
async function readText(inline: string | undefined, file: string | undefined, flag: string): Promise<string | undefined> {
  if (inline !== undefined && file !== undefined) throw new UsageError(`give either --${flag} or --${flag}-file, not both`);
  return file === undefined ? inline : (await readInput(file, `--${flag}-file`)).toString('utf8');
}

/** What one invocation prints: `stdout` on success, `notes` (one line each) for stderr. */
interface Printed {
  stdout: string;
  notes: string[];
}

async function run(argv: string[]): Promise<Printed> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        text: { type: 'string' },
        'text-file': { type: 'string' },
        'text-b': { type: 'string' },
        'text-b-file': { type: 'string' },
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
  if (values.help) return { stdout: `${USAGE}\n`, notes: [] };
  if (!values.model) throw new UsageError('--model <folder> is required');
  const textA = await readText(values.text, values['text-file'], 'text');
  const textB = await readText(values['text-b'], values['text-b-file'], 'text-b');
  if ((textA === undefined) === (values.image === undefined)) throw new UsageError('give exactly one of --text or --image');
  if (textB !== undefined && textA === undefined) throw new UsageError('--text-b needs --text');
  if (values['tokenize-only'] && textA === undefined) throw new UsageError('--tokenize-only needs --text');
  const topK = Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < 1) throw new UsageError(`--top-k must be a positive integer, got "${values['top-k']}"`);
  const backend = values.backend as NodeBackend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got "${values.backend}"`);

  const print = (json: unknown, summary: () => string, notes: string[] = []): Printed => ({
    stdout: `${values.json ? JSON.stringify(json) : summary()}\n`,
    notes,
  });
  const source = await fromFolder(values.model);

  if (values['tokenize-only']) {
    const encoding = (await loadTokenizer(source)).encode(textA!, textB ?? null);
    const notes = encoding.truncated > 0 ? [`note: ${truncationNote(encoding)}`] : [];
    return print({ tokens: encoding.tokens, input_ids: encoding.input_ids }, () => encoding.tokens.join(' '), notes);
  }

  // Read the image's header before loading the model, so a file that is no image, or too large, fails fast.
  const imageBytes = values.image === undefined ? null : new Uint8Array(await readInput(values.image, 'image'));
  const imageSize = imageBytes && readImageHeader(imageBytes, values.image);

  await initNodeBackend(backend);
  const model = await loadModel(source);
  try {
    if (model.kind === 'bert') {
      if (textA === undefined) throw new UsageError(`${values.model} is a text model (${model.info.architecture}); give --text, not --image`);
      const out = await model.run(textA, textB ?? null, { topK });
      return print(textJson(out, model.info.warnings), () => textSummary(out));
    }
    if (!imageBytes || !imageSize) throw new UsageError(`${values.model} is an image model (${model.info.config.model_type}); give --image, not --text`);
    // A size the model cannot take (e.g. a 1x49000000 image to resize) is refused before decoding.
    model.checkImageSize(imageSize.width, imageSize.height, values.image);
    const image = await decodeImage(imageBytes, values.image);
    if (model.kind === 'cnn') {
      const out = await model.run(image, { topK });
      return print(cnnJson(out, model.info.warnings), () => cnnSummary(out));
    }
    const out = await model.run(image, { topK });
    return print(imageJson(out, model.info.position_embeddings, model.info.warnings), () => imageSummary(out));
  } finally {
    model.dispose();
  }
}

export interface CliResult {
  /** 0 on success, 1 when the model or an input is bad, 2 for a usage mistake. */
  code: number;
  stdout: string;
  stderr: string;
}

/** The whole CLI on `argv`: what it prints and its exit status. Errors become one "error:" line, never a stack trace. */
export async function infer(argv: string[]): Promise<CliResult> {
  try {
    const { stdout, notes } = await run(argv);
    return { code: 0, stdout, stderr: notes.map((n) => `${n}\n`).join('') };
  } catch (e) {
    // Kept to one line, so scripts can show or grep it as is.
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
    const usage = e instanceof UsageError;
    return { code: usage ? 2 : 1, stdout: '', stderr: `error: ${message}${usage ? ' (see --help)' : ''}\n` };
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { code, stdout, stderr } = await infer(process.argv.slice(2));
  process.stderr.write(stderr);
  // Exit only once stdout is flushed: a pipe takes 64 KB at a time and the JSON can be megabytes.
  process.stdout.write(stdout, () => process.exit(code));
}
