// Number formatting shared by the views, so every panel rounds the same way, in the UI language's
// conventions (Intl.NumberFormat). Formatters are cached: tables format thousands of cells.

import { currentLanguage } from '../../i18n';

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const language = currentLanguage();
  const key = `${language} ${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(language, options);
    formatters.set(key, format);
  }
  return format;
}

/** `value` with exactly `digits` decimals (what `toFixed` does, with the locale's separators). */
export const formatNumber = (value: number, digits: number) =>
  formatter({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

/**
 * A fraction as a percentage, by default one decimal from 10 % and two below, so that small
 * probabilities stay distinct.
 */
export const formatPercent = (p: number, digits = p >= 0.1 ? 1 : 2) =>
  formatter({ style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(p);

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatter({}).format(bytes)} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(value, value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const formatMs = (ms: number) => `${formatNumber(ms, ms < 10 ? 1 : 0)} ms`;

/** How the papers write each architecture's name (config.json model_type → name). */
export const ARCHITECTURE_NAMES: Record<string, string> = {
  bert: 'BERT',
  distilbert: 'DistilBERT',
  roberta: 'RoBERTa',
  albert: 'ALBERT',
  electra: 'ELECTRA',
  vit: 'ViT',
  deit: 'DeiT',
};
