// Messages between the page and the analysis worker.

import type { AnalysisArgs, AnalysisName } from '../analysis/tasks';

/** Stands for a value sent earlier with `share`. */
export interface Ref {
  $ref: number;
}

export const isRef = (v: unknown): v is Ref => typeof v === 'object' && v !== null && typeof (v as Ref).$ref === 'number' && Object.keys(v).length === 1;

/** Arguments where any part may be a reference to a shared value. */
export type WithRefs<T> = T | Ref | (T extends readonly (infer E)[] ? WithRefs<E>[] : T extends object ? { [K in keyof T]: WithRefs<T[K]> } : T);

export type AnalysisRequest =
  | { type: 'share'; ref: number; value: unknown }
  | { type: 'forget'; ref: number }
  | { [K in AnalysisName]: { type: 'call'; id: number; name: K; args: WithRefs<AnalysisArgs<K>> } }[AnalysisName];

export type AnalysisResponse =
  | { id: number; type: 'ok'; value: unknown }
  | { id: number; type: 'error'; message: string; missingRef: boolean };
