// The views' way to the analysis worker: a hook that runs one analysis whenever its inputs change
// and keeps showing the last result until the new one arrives.

import { useEffect, useState } from 'react';
import type { AnalysisArgs, AnalysisName, AnalysisResult } from '../analysis/tasks';
import { getAnalysisClient } from '../worker/analysisClient';
import type { WithRefs } from '../worker/analysisProtocol';

export interface AnalysisState<A, T> {
  value: T | null;
  /** The arguments `value` was computed from: a view shows it only while they still fit. */
  input: A | null;
  /** A newer request is on its way; `value` is still the previous one. */
  pending: boolean;
  error: string | null;
}

/**
 * Runs analysis `name` on `args` in the analysis worker (null args: nothing to analyse). `args`
 * must keep its identity while the inputs are the same (useMemo): a new object is a new request.
 * The inputs named in `shared` (e.g. every layer's attention) go to the worker once per object.
 */
export function useAnalysis<K extends AnalysisName>(
  name: K,
  args: AnalysisArgs<K> | null,
  shared: readonly (keyof AnalysisArgs<K> & string)[] = [],
): AnalysisState<AnalysisArgs<K>, AnalysisResult<K>> {
  const [state, setState] = useState<AnalysisState<AnalysisArgs<K>, AnalysisResult<K>>>({ value: null, input: null, pending: args !== null, error: null });
  const sharedKey = shared.join(',');

  useEffect(() => {
    if (args === null) return;
    let current = true;
    setState((s) => ({ ...s, pending: true }));
    const client = getAnalysisClient();
    const withRefs = (reshare: boolean) => {
      const out: Record<string, unknown> = { ...args };
      for (const key of sharedKey ? sharedKey.split(',') : []) {
        const value = (args as Record<string, object>)[key];
        out[key] = reshare ? client.reshare(value) : client.share(value);
      }
      return out as WithRefs<AnalysisArgs<K>>;
    };
    client.run(name, withRefs(false), () => withRefs(true)).then(
      (value) => current && setState({ value, input: args, pending: false, error: null }),
      (e: unknown) => current && setState((s) => ({ ...s, pending: false, error: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      current = false;
    };
  }, [name, args, sharedKey]);
  return state;
}
