// The app's stores, wired to the real worker, page URL and network. Creating them starts nothing:
// the worker starts on the first call that needs it.

import { i18n } from '../i18n';
import { getClient } from '../worker/client';
import { getTrainingClient } from '../worker/trainingClient';
import { createAppStore } from './appStore';
import type { StoreDeps } from './deps';
import { createBiasLabStore } from './biasLabStore';
import { createImageStore } from './imageStore';
import { createLabStore } from './labStore';
import { createPositionLabStore } from './positionLabStore';
import { createTextStore } from './textStore';
import { pageUrl } from './urlState';

const deps: StoreDeps = {
  inference: getClient,
  url: pageUrl,
  publicBase: new URL(import.meta.env.BASE_URL, window.location.href).href,
  fetch: (...args) => globalThis.fetch(...args),
  random: Math.random,
  languages: navigator.languages,
  runDelayMs: 250,
};

export const useAppStore = createAppStore(deps);

// i18next follows the store's language; the page's lang attribute follows i18next (screen
// readers pick their voice by it, and Korean gets Korean line breaking).
const showLanguage = (language: string) => {
  void i18n.changeLanguage(language);
  document.documentElement.lang = language;
};
showLanguage(useAppStore.getState().language);
useAppStore.subscribe((now, before) => {
  if (now.language !== before.language) showLanguage(now.language);
});
export const useTextStore = createTextStore(deps, useAppStore);
export const useImageStore = createImageStore(deps, useAppStore);
export const useLabStore = createLabStore(deps, useAppStore);
export const usePositionLabStore = createPositionLabStore(deps, useAppStore, getTrainingClient);
export const useBiasLabStore = createBiasLabStore(deps, useAppStore, useImageStore);

/** A bundled sample image's URL. */
export const samplesUrl = (file: string) => `${deps.publicBase}samples/${file}`;

export type { Tab } from './appStore';
export type { AttentionOptions, AttentionView, Example } from './textStore';
export { EXAMPLES, MAX_TOP_K, RANDOM_SENTENCES } from './textStore';
export type { DistanceSweep, HeadChoice, SampleEntry } from './imageStore';
export { patchSizeOf } from './imageStore';
export type { KindTally, LabBatch, LabExample, LabPair, RollSummary } from './labStore';
export { BATCH_SIZE, ROLLS } from './labStore';
export { STRUCTURE_TARGET } from './positionLabStore';
export type { BiasLabState, CostFile, CurrentResult, Curves, SamplesTranslation, ShiftAxis, ShiftCurve, ShuffleResult } from './biasLabStore';
export { LAB_MODELS, OCCLUSION_GREY, SHIFT_MODES } from './biasLabStore';
