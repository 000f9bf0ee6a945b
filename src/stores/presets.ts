// Models offered in the picker. Bundled ones ship in public/models/ and load without network;
// hub presets are fetched from Hugging Face (or the configured mirror) on demand.

import type { ModelSlot, ModelSourceSpec } from '../worker/protocol';

export const DEFAULT_HUB = 'https://huggingface.co';

export interface ModelPreset {
  /** Stable id used in the URL: `bundled:<name>` or `hub:<org>/<repo>`. */
  id: string;
  slot: ModelSlot;
  label: string;
  /** Approximate download size, shown before the user commits to it. */
  size: string;
}

export const PRESETS: ModelPreset[] = [
  { id: 'bundled:mini-bert', slot: 'bert', label: 'mini-BERT (bundled, trained for this app)', size: 'small' },
  { id: 'hub:google/bert_uncased_L-2_H-128_A-2', slot: 'bert', label: 'BERT-Tiny (2 layers, 128 wide)', size: '17 MB' },
  { id: 'hub:google/bert_uncased_L-4_H-256_A-4', slot: 'bert', label: 'BERT-Mini (4 layers, 256 wide)', size: '45 MB' },
  { id: 'hub:google-bert/bert-base-uncased', slot: 'bert', label: 'BERT-base uncased (12 layers)', size: '440 MB' },
  { id: 'hub:distilbert/distilbert-base-uncased', slot: 'bert', label: 'DistilBERT-base uncased (6 layers)', size: '268 MB' },
  { id: 'hub:FacebookAI/roberta-base', slot: 'bert', label: 'RoBERTa-base (byte-level BPE, <mask>)', size: '499 MB' },
  { id: 'hub:albert/albert-base-v2', slot: 'bert', label: 'ALBERT-base v2 (one shared layer, SOP)', size: '47 MB' },
  { id: 'hub:google/electra-small-discriminator', slot: 'bert', label: 'ELECTRA-small discriminator (replaced tokens)', size: '54 MB' },
  { id: 'bundled:mini-vit', slot: 'vit', label: 'mini-ViT (bundled, trained for this app)', size: 'small' },
  { id: 'hub:facebook/deit-tiny-patch16-224', slot: 'vit', label: 'DeiT-tiny, ImageNet', size: '23 MB' },
  { id: 'hub:google/vit-base-patch16-224', slot: 'vit', label: 'ViT-base/16, ImageNet', size: '346 MB' },
  { id: 'hub:facebook/deit-base-distilled-patch16-224', slot: 'vit', label: 'DeiT-base distilled (two heads), ImageNet', size: '349 MB' },
];

export const DEFAULT_MODEL: Record<ModelSlot, string> = { bert: 'bundled:mini-bert', vit: 'bundled:mini-vit' };

/** Repo ids as Hugging Face spells them: `name` or `org/name`, letters, digits, `-_.`. */
const REPO_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/**
 * Turns a preset id (`bundled:…`, `hub:org/repo`) or a bare repo id into a loadable source;
 * bundled models live under `publicBase` (the app's public/ folder as an absolute URL).
 * Throws a readable error for anything else.
 */
export function sourceFor(id: string, hubBaseUrl: string, publicBase: string): ModelSourceSpec {
  const trimmed = id.trim();
  if (trimmed.startsWith('bundled:')) {
    const name = trimmed.slice('bundled:'.length);
    if (!/^[\w-]+$/.test(name)) throw new Error(`"${name}" is not a bundled model name.`);
    // Absolute, because the worker resolves relative URLs against its own script.
    return { type: 'url', name: trimmed, baseUrl: `${publicBase}models/${name}/`, cache: false };
  }
  const repo = trimmed.startsWith('hub:') ? trimmed.slice('hub:'.length) : trimmed;
  if (!REPO_ID.test(repo)) {
    throw new Error(`"${repo}" is not a Hugging Face repo id. Use the form "org/name", e.g. "google/vit-base-patch16-224".`);
  }
  const hub = hubBaseUrl.replace(/\/+$/, '');
  return { type: 'url', name: `hub:${repo}`, baseUrl: `${hub}/${repo}/resolve/main/`, cache: true };
}
