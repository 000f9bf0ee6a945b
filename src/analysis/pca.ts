// Principal component analysis of patch (or token) vectors, for the "PCA to RGB" picture:
// the three directions along which the final patch outputs vary most become red, green, blue,
// so patches the model represents alike get alike colours.
//
// Method: the covariance C = Xcᵀ·Xc / (n − 1) (d×d) and the Gram matrix Xc·Xcᵀ / (n − 1) (n×n)
// share their non-zero eigenvalues, so we work with whichever is smaller (196 patches vs 768
// features for ViT-Base) and map Gram eigenvectors u back to directions Xcᵀ·u. The top
// eigenpairs come from subspace iteration with a Rayleigh–Ritz step (exact eigen-decomposition
// of the small projected matrix) every iteration, stopping when every wanted pair has a
// residual ‖Sv − λv‖ below 1e-7·λ₁. All arithmetic is float64.
//
// Signs: an eigenvector is only defined up to sign; each component is flipped so that its
// largest-magnitude loading (first one on ties) is positive, so the colours are reproducible.

import type { NdArray } from '../models/types';
import { assertRank } from './ndarray';

export interface PcaResult {
  /** [k, d] unit principal directions, largest variance first. */
  components: NdArray;
  /** [k] variance along each component (eigenvalues of the covariance, divisor n − 1). */
  explainedVariance: number[];
  /** [k] share of the total variance along each component. */
  explainedVarianceRatio: number[];
  /** [n, k] coordinates of each (mean-centred) row along the components. */
  projections: NdArray;
}

const TOLERANCE = 1e-7;
const MAX_ITERATIONS = 500;
/** Extra search directions; a larger subspace converges faster when eigenvalues are close. */
const OVERSAMPLING = 4;

/** Eigen-decomposition of a small symmetric m×m matrix by cyclic Jacobi rotations; eigenvalues descending. */
export function symmetricEigen(a: Float64Array, m: number): { values: number[]; vectors: Float64Array } {
  if (a.length !== m * m) throw new Error(`symmetricEigen: expected ${m}×${m} values, got ${a.length}`);
  const s = Float64Array.from(a);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < m; p++) {
      diag += s[p * m + p] ** 2;
      for (let q = p + 1; q < m; q++) off += s[p * m + q] ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = s[p * m + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes s[p][q] (Golub & Van Loan, Algorithm 8.4.1).
        const theta = (s[q * m + q] - s[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < m; k++) {
          const skp = s[k * m + p];
          const skq = s[k * m + q];
          s[k * m + p] = c * skp - sn * skq;
          s[k * m + q] = sn * skp + c * skq;
        }
        for (let k = 0; k < m; k++) {
          const spk = s[p * m + k];
          const sqk = s[q * m + k];
          s[p * m + k] = c * spk - sn * sqk;
          s[q * m + k] = sn * spk + c * sqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - sn * vkq;
          v[k * m + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => s[j * m + j] - s[i * m + i] || i - j);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    for (let k = 0; k < m; k++) vectors[k * m + dst] = v[k * m + src];
  });
  return { values: order.map((i) => s[i * m + i]), vectors };
}

/** Deterministic pseudo-random numbers in [-1, 1) (a 32-bit LCG), so PCA needs no global RNG. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/**
 * Orthonormalises the m columns of a d×m matrix (row-major) in place by modified Gram–Schmidt,
 * applied twice for accuracy. A column that collapses (the data has fewer directions than m)
 * is replaced by a fresh random direction.
 */
function orthonormalise(q: Float64Array, d: number, m: number, random: () => number): void {
  for (let j = 0; j < m; j++) {
    for (let attempt = 0; ; attempt++) {
      const before = columnNorm(q, d, m, j);
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < j; i++) {
          let dot = 0;
          for (let k = 0; k < d; k++) dot += q[k * m + i] * q[k * m + j];
          for (let k = 0; k < d; k++) q[k * m + j] -= dot * q[k * m + i];
        }
      }
      const norm = columnNorm(q, d, m, j);
      if (norm > 1e-10 * before && norm > 0) {
        for (let k = 0; k < d; k++) q[k * m + j] /= norm;
        break;
      }
      if (attempt > 10) throw new Error('pca: could not build an orthonormal basis');
      for (let k = 0; k < d; k++) q[k * m + j] = random();
    }
  }
}

function columnNorm(q: Float64Array, d: number, m: number, j: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += q[k * m + j] ** 2;
  return Math.sqrt(s);
}

/**
 * The smaller of covariance and Gram matrix of the centred rows xc [n, d], divided by n − 1;
 * `gram` says which one it is.
 */
function smallScatter(xc: Float64Array, n: number, d: number): { s: Float64Array; size: number; gram: boolean } {
  const gram = n <= d;
  const size = gram ? n : d;
  // Entry (a, b) = Σ over the long axis of xc[a]·xc[b], reading rows (Gram) or columns (covariance).
  const [stride, step, length] = gram ? [d, 1, d] : [1, d, n];
  const s = new Float64Array(size * size);
  for (let a = 0; a < size; a++) {
    for (let b = a; b < size; b++) {
      let sum = 0;
      for (let t = 0; t < length; t++) sum += xc[a * stride + t * step] * xc[b * stride + t * step];
      s[a * size + b] = s[b * size + a] = sum / (n - 1);
    }
  }
  return { s, size, gram };
}

/** S·Q for a symmetric size×size matrix S and a size×m matrix Q. */
function symmetricTimes(s: Float64Array, size: number, q: Float64Array, m: number): Float64Array {
  const out = new Float64Array(size * m);
  for (let a = 0; a < size; a++) {
    for (let b = 0; b < size; b++) {
      const x = s[a * size + b];
      if (x === 0) continue;
      for (let j = 0; j < m; j++) out[a * m + j] += x * q[b * m + j];
    }
  }
  return out;
}

/**
 * The top k eigenpairs of a symmetric positive semi-definite size×size matrix by subspace
 * iteration with Rayleigh–Ritz; vectors as the first k columns of a size×m matrix.
 */
function topEigen(
  s: Float64Array,
  size: number,
  k: number,
  random: () => number,
): { values: number[]; vectors: Float64Array; m: number } {
  const m = Math.min(k + OVERSAMPLING, size);
  let q: Float64Array = new Float64Array(size * m).map(random);
  orthonormalise(q, size, m, random);
  for (let iteration = 0; ; iteration++) {
    const sq = symmetricTimes(s, size, q, m);
    const t = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = i; j < m; j++) {
        let sum = 0;
        for (let r = 0; r < size; r++) sum += q[r * m + i] * sq[r * m + j];
        t[i * m + j] = sum;
      }
      for (let j = 0; j < i; j++) t[i * m + j] = t[j * m + i];
    }
    const eig = symmetricEigen(t, m);
    const ritz = times(q, size, m, eig.vectors);
    const sRitz = times(sq, size, m, eig.vectors);
    const largest = Math.max(eig.values[0], 0);
    let converged = true;
    for (let j = 0; j < k && converged; j++) {
      let r = 0;
      for (let row = 0; row < size; row++) r += (sRitz[row * m + j] - eig.values[j] * ritz[row * m + j]) ** 2;
      converged = Math.sqrt(r) <= TOLERANCE * largest;
    }
    if (converged || largest === 0 || iteration === MAX_ITERATIONS) {
      return { values: eig.values.slice(0, k).map((v) => Math.max(v, 0)), vectors: ritz, m };
    }
    q = sRitz;
    orthonormalise(q, size, m, random);
  }
}

/** Multiplies a d×m matrix by an m×m matrix. */
function times(a: Float64Array, d: number, m: number, b: Float64Array): Float64Array {
  const out = new Float64Array(d * m);
  for (let k = 0; k < d; k++) {
    for (let i = 0; i < m; i++) {
      const x = a[k * m + i];
      for (let j = 0; j < m; j++) out[k * m + j] += x * b[i * m + j];
    }
  }
  return out;
}

/** The first `k` principal components of the rows of `x` [n, d] (n ≥ 2). */
export function pca(x: NdArray, k: number): PcaResult {
  const [n, d] = assertRank(x, 2, 'pca');
  if (n < 2) throw new Error(`pca: need at least 2 rows, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`pca: k must be an integer in 1..${d}, got ${k}`);
  if (!x.data.every(Number.isFinite)) throw new Error('pca: input contains NaN or Infinity');

  const xc = new Float64Array(n * d);
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x.data[i * d + c];
    mean /= n;
    for (let i = 0; i < n; i++) xc[i * d + c] = x.data[i * d + c] - mean;
  }
  let totalVariance = 0;
  for (const v of xc) totalVariance += v * v;
  totalVariance /= n - 1;

  const random = lcg(0x5eed);
  const scatter = smallScatter(xc, n, d);
  // With fewer rows than components (Gram side), the surplus components have zero variance.
  const found = Math.min(k, scatter.size);
  const top = topEigen(scatter.s, scatter.size, found, random);
  // Directions in feature space as a d×k matrix: the eigenvectors themselves, or Xcᵀ·u for Gram
  // eigenvectors u. Orthonormalising normalises the latter and completes zero-variance ones.
  const q = new Float64Array(d * k);
  for (let j = 0; j < found; j++) {
    for (let r = 0; r < d; r++) {
      if (!scatter.gram) {
        q[r * k + j] = top.vectors[r * top.m + j];
        continue;
      }
      let sum = 0;
      for (let i = 0; i < n; i++) sum += xc[i * d + r] * top.vectors[i * top.m + j];
      q[r * k + j] = sum;
    }
  }
  orthonormalise(q, d, k, random);

  const components = new Float32Array(k * d);
  for (let j = 0; j < k; j++) {
    let pivot = 0;
    for (let r = 1; r < d; r++) if (Math.abs(q[r * k + j]) > Math.abs(q[pivot * k + j])) pivot = r;
    const sign = q[pivot * k + j] < 0 ? -1 : 1;
    for (let r = 0; r < d; r++) components[j * d + r] = sign * q[r * k + j];
  }
  const projections = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < d; r++) s += xc[i * d + r] * components[j * d + r];
      projections[i * k + j] = s;
    }
  }
  const explainedVariance = Array.from({ length: k }, (_, j) => top.values[j] ?? 0);
  return {
    components: { shape: [k, d], data: components },
    explainedVariance,
    explainedVarianceRatio: explainedVariance.map((v) => (totalVariance > 0 ? v / totalVariance : 0)),
    projections: { shape: [n, k], data: projections },
  };
}

/**
 * Colours for the rows of a PCA projection [n, 3]: component j becomes channel j (R, G, B),
 * min–max scaled to [0, 1] over the rows. A constant component maps to 0.5. Returns [n·3].
 */
export function pcaToRgb(projections: NdArray): Float32Array {
  const [n, k] = assertRank(projections, 2, 'pcaToRgb');
  if (k !== 3) throw new Error(`pcaToRgb: expected 3 components, got ${k}`);
  const out = new Float32Array(n * 3);
  for (let c = 0; c < 3; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, projections.data[i * 3 + c]);
      hi = Math.max(hi, projections.data[i * 3 + c]);
    }
    for (let i = 0; i < n; i++) out[i * 3 + c] = hi > lo ? (projections.data[i * 3 + c] - lo) / (hi - lo) : 0.5;
  }
  return out;
}
