// Models offered in the picker. Bundled ones ship in public/models/ and load without network;
// hub presets are fetched from Hugging Face (or the configured mirror) on demand.

import { t } from '../i18n';
import type en from '../i18n/locales/en.json';
import type { ModelSlot, ModelSourceSpec } from '../worker/protocol';

export const DEFAULT_HUB = 'https://huggingface.co';

export interface ModelPreset {
  /** Stable id used in the URL: `bundled:<name>` or `hub:<org>/<repo>`. */
  id: string;
  slot: ModelSlot;
  /** Its label in the UI catalogues: `presets.<label>`. */
  label: keyof (typeof en)['presets'];
  /** Approximate download in MB, shown before the user commits to it; null for bundled models. */
  megabytes: number | null;
  /**
   * The files a bundled model ships. The loader asks whether optional files exist (tokenizer.json,
   * preprocessor_config.json); for a bundled model it knows, instead of a request whose 404 every
   * browser logs as an error. tests/stores/presets.test.ts keeps the lists equal to public/models/.
   */
  files?: string[];
}

export const PRESETS: ModelPreset[] = [
  {
    id: 'bundled:mini-bert',
    slot: 'bert',
    label: 'miniBert',
    megabytes: null,
    files: ['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.txt'],
  },
  { id: 'hub:google/bert_uncased_L-2_H-128_A-2', slot: 'bert', label: 'bertTiny', megabytes: 17 },
  { id: 'hub:google/bert_uncased_L-4_H-256_A-4', slot: 'bert', label: 'bertMini', megabytes: 45 },
  { id: 'hub:google-bert/bert-base-uncased', slot: 'bert', label: 'bertBase', megabytes: 440 },
  { id: 'hub:google-bert/bert-base-multilingual-cased', slot: 'bert', label: 'bertMultilingual', megabytes: 714 },
  { id: 'hub:distilbert/distilbert-base-uncased', slot: 'bert', label: 'distilBert', megabytes: 268 },
  { id: 'hub:FacebookAI/roberta-base', slot: 'bert', label: 'roberta', megabytes: 499 },
  { id: 'hub:albert/albert-base-v2', slot: 'bert', label: 'albert', megabytes: 47 },
  { id: 'hub:google/electra-small-discriminator', slot: 'bert', label: 'electra', megabytes: 54 },
  {
    id: 'bundled:mini-vit',
    slot: 'vit',
    label: 'miniVit',
    megabytes: null,
    files: ['config.json', 'model.safetensors', 'preprocessor_config.json'],
  },
  { id: 'hub:facebook/deit-tiny-patch16-224', slot: 'vit', label: 'deitTiny', megabytes: 23 },
  { id: 'hub:google/vit-base-patch16-224', slot: 'vit', label: 'vitBase', megabytes: 346 },
  { id: 'hub:facebook/deit-base-distilled-patch16-224', slot: 'vit', label: 'deitDistilled', megabytes: 349 },
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
    if (!/^[\w-]+$/.test(name)) throw new Error(t('picker.notBundledName', { name }));
    // Absolute, because the worker resolves relative URLs against its own script.
    const files = PRESETS.find((p) => p.id === trimmed)?.files;
    return { type: 'url', name: trimmed, baseUrl: `${publicBase}models/${name}/`, cache: false, ...(files && { files }) };
  }
  const repo = trimmed.startsWith('hub:') ? trimmed.slice('hub:'.length) : trimmed;
  if (!REPO_ID.test(repo)) {
    throw new Error(t('picker.notRepoId', { repo }));
  }
  const hub = hubBaseUrl.replace(/\/+$/, '');
  return { type: 'url', name: `hub:${repo}`, baseUrl: `${hub}/${repo}/resolve/main/`, cache: true };
}
