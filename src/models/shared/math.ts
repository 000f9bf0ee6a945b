// Small host-side numerics on read-back results. Done in float64 on the CPU because the inputs are
// tiny (one row of logits) and this keeps WebGL's reduced-precision exp out of the probabilities.

/** log-softmax of one row of logits. */
export function logSoftmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const logZ = max + Math.log(sum);
  return logits.map((v) => v - logZ);
}

export function softmax(logits: Float32Array): Float32Array {
  return logSoftmax(logits).map(Math.exp);
}

/** Indices of the k largest values, largest first; ties keep the lower index first. */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const n = Math.min(Math.max(0, Math.floor(k)), values.length);
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (best.length === n && (n === 0 || v <= values[best[n - 1]])) continue;
    let at = best.length;
    while (at > 0 && values[best[at - 1]] < v) at--;
    best.splice(at, 0, i);
    if (best.length > n) best.pop();
  }
  return best;
}
