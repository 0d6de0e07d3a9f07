/**
 * Spectra of symmetric operators (Hessians): dense eigendecomposition, power iteration, Lanczos with full
 * reorthogonalization (top-k, bottom-k), Hutchinson's trace and diagonal estimators, and a spectral
 * density by stochastic Lanczos quadrature.
 */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { randn, tensor, zeros } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { div, mul, sign, sub } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { eigh, eigvalsh } from '../ops/primitives/linalg.js';
import { stack } from '../ops/composite/shape.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import { type LinearOperator, materialize } from '../autograd/operators.js';

const dot = (a: Tensor, b: Tensor) => sum(mul(a, b)).item();

function randomUnit(op: LinearOperator, g: Generator): Tensor {
  const v = randn([op.dim], { dtype: op.dtype, generator: g });
  return div(v, vectorNorm(v));
}

/** Rademacher vector (+-1 entries). */
function rademacher(op: LinearOperator, g: Generator): Tensor {
  return sign(randn([op.dim], { dtype: op.dtype, generator: g }));
}

export interface PowerResult {
  value: number;
  vector: Tensor;
  iterations: number;
}

/**
 * The eigenvalue of largest magnitude by power iteration.
 * @example powerIteration(hessianOperator(loss, params)).value
 */
export function powerIteration(
  op: LinearOperator,
  opts: { maxIter?: number; tol?: number; generator?: Generator } = {},
): PowerResult {
  return noGrad(() => {
    let v = randomUnit(op, opts.generator ?? defaultGenerator);
    let value = 0;
    const maxIter = opts.maxIter ?? 200;
    const tol = opts.tol ?? 1e-8;
    for (let it = 1; it <= maxIter; it++) {
      const w = op.matvec(v);
      const next = dot(v, w);
      const n = vectorNorm(w).item();
      if (n === 0) return { value: 0, vector: v, iterations: it };
      v = div(w, n);
      if (Math.abs(next - value) <= tol * Math.max(1, Math.abs(next)))
        return { value: next, vector: v, iterations: it };
      value = next;
    }
    return { value, vector: v, iterations: maxIter };
  });
}

export interface LanczosOptions {
  /** How many eigenvalues at each requested end (default 1). */
  k?: number;
  which?: 'largest' | 'smallest' | 'both';
  /** Krylov steps at most (default min(dim, 100)). */
  maxIter?: number;
  /** Relative residual at which a Ritz value counts as converged (default 1e-8). */
  tol?: number;
  generator?: Generator;
  /** Starting vector (default random). */
  v0?: Tensor;
}

export interface LanczosResult {
  /** Largest first (for 'largest'), smallest first (for 'smallest'); both lists for 'both'. */
  largest: number[];
  smallest: number[];
  /** Matching Ritz vectors. */
  largestVectors: Tensor[];
  smallestVectors: Tensor[];
  iterations: number;
  matvecs: number;
  converged: boolean;
}

/**
 * Extreme eigenvalues by the Lanczos method with full reorthogonalization, stopping when the wanted Ritz
 * values' residuals |beta_m s_m| fall below tol. Exact once the Krylov space fills the whole space.
 * @example lanczos(H, { k: 2, which: 'largest' }).largest
 */
export function lanczos(op: LinearOperator, opts: LanczosOptions = {}): LanczosResult {
  const k = opts.k ?? 1;
  const which = opts.which ?? 'largest';
  if (!Number.isInteger(k) || k < 1)
    throw new ValueError('lanczos', `k must be a positive integer, got ${k}`);
  const need = which === 'both' ? 2 * k : k;
  if (k > op.dim || need > op.dim) {
    throw new ValueError(
      'lanczos',
      `k = ${k} (${which}) asks for ${need} eigenvalues of an operator of dimension ${op.dim}`,
    );
  }
  const maxIter = Math.min(opts.maxIter ?? Math.min(op.dim, 100), op.dim);
  const tol = opts.tol ?? 1e-8;
  const start = op.matvecs;
  return noGrad(() => {
    const Q: Tensor[] = [];
    const alpha: number[] = [];
    const beta: number[] = [];
    let q = opts.v0 ? div(opts.v0, vectorNorm(opts.v0)) : randomUnit(op, opts.generator ?? defaultGenerator);
    let result: LanczosResult | null = null;
    for (let j = 0; j < maxIter; j++) {
      Q.push(q);
      let w = op.matvec(q);
      const a = dot(q, w);
      alpha.push(a);
      w = sub(w, mul(q, a));
      if (j > 0) w = sub(w, mul(Q[j - 1], beta[j - 1]));
      // Full reorthogonalization (twice is enough) keeps the basis orthogonal in floating point.
      for (let pass = 0; pass < 2; pass++) for (const qi of Q) w = sub(w, mul(qi, dot(qi, w)));
      const b = vectorNorm(w).item();
      const m = j + 1;
      if (m >= need) {
        const T = tridiagonal(alpha, beta.slice(0, m - 1));
        const { values, vectors } = eigh(T);
        const theta = Array.from(values.dataSync());
        const S = vectors.dataSync();
        const resid = (i: number) => Math.abs(b * S[(m - 1) * m + i]);
        const big = Array.from({ length: Math.min(k, m) }, (_, t) => m - 1 - t);
        const small = Array.from({ length: Math.min(k, m) }, (_, t) => t);
        const wanted = which === 'largest' ? big : which === 'smallest' ? small : [...big, ...small];
        const scale = Math.max(...theta.map(Math.abs), 1e-300);
        const converged = wanted.every((i) => resid(i) <= tol * scale);
        const done = converged || b <= tol * scale || m === maxIter;
        if (done) {
          const basis = stack(Q, 1); // [dim, m]
          const ritz = (i: number) =>
            basis.matmul(
              tensor(
                Array.from({ length: m }, (_, r) => S[r * m + i]),
                { dtype: op.dtype },
              ),
            );
          const pickL = which === 'smallest' ? [] : big;
          const pickS = which === 'largest' ? [] : small;
          result = {
            largest: pickL.map((i) => theta[i]),
            smallest: pickS.map((i) => theta[i]),
            largestVectors: pickL.map(ritz),
            smallestVectors: pickS.map(ritz),
            iterations: m,
            matvecs: op.matvecs - start,
            converged: converged || b <= tol * scale,
          };
          break;
        }
      }
      beta.push(b);
      q = div(w, b);
    }
    return result!;
  });
}

function tridiagonal(alpha: readonly number[], beta: readonly number[]): Tensor {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) {
      t[i * m + i + 1] = beta[i];
      t[(i + 1) * m + i] = beta[i];
    }
  }
  return tensor(t).reshape(m, m);
}

/**
 * Eigenvalues (ascending) and, unless `vectors: false`, eigenvectors of a (small) symmetric operator, by
 * materializing it. Eigenvalues alone are several times cheaper.
 * @example denseEigen(H, { vectors: false }).values
 */
export function denseEigen(
  op: LinearOperator,
  opts: { vectors?: boolean } = {},
): { values: Tensor; vectors: Tensor | null; matrix: Tensor } {
  const matrix = materialize(op);
  if (opts.vectors === false) return { values: eigvalsh(matrix), vectors: null, matrix };
  return { ...eigh(matrix), matrix };
}

/**
 * Hutchinson's estimator of the trace: the mean of v^T H v over Rademacher vectors v.
 * @example hutchinsonTrace(H, { samples: 100 }).estimate
 */
export function hutchinsonTrace(
  op: LinearOperator,
  opts: { samples?: number; generator?: Generator } = {},
): { estimate: number; stderr: number } {
  const n = opts.samples ?? 50;
  if (!(n >= 2)) throw new ValueError('hutchinsonTrace', `samples must be >= 2, got ${n}`);
  const g = opts.generator ?? defaultGenerator;
  const xs = noGrad(() =>
    Array.from({ length: n }, () => {
      const v = rademacher(op, g);
      return dot(v, op.matvec(v));
    }),
  );
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { estimate: mean, stderr: sd / Math.sqrt(n) };
}

/**
 * Hutchinson's estimator of the diagonal: the mean of v * (H v) over Rademacher vectors v.
 * @example hutchinsonDiagonal(H, { samples: 100 })
 */
export function hutchinsonDiagonal(
  op: LinearOperator,
  opts: { samples?: number; generator?: Generator } = {},
): Tensor {
  const n = opts.samples ?? 50;
  const g = opts.generator ?? defaultGenerator;
  return noGrad(() => {
    let acc = zeros([op.dim], { dtype: op.dtype });
    for (let i = 0; i < n; i++) {
      const v = rademacher(op, g);
      acc = acc.add(mul(v, op.matvec(v)));
    }
    return div(acc, n);
  });
}

/**
 * The spectral density by stochastic Lanczos quadrature: nodes and weights from several Lanczos runs,
 * smoothed by Gaussians of width sigma on a grid (integrates to about 1).
 * @example const { grid, density } = spectralDensity(H, { steps: 30 });
 */
export function spectralDensity(
  op: LinearOperator,
  opts: { vectors?: number; steps?: number; gridPoints?: number; sigma?: number; generator?: Generator } = {},
): { grid: number[]; density: number[]; nodes: number[]; weights: number[] } {
  const runs = opts.vectors ?? 5;
  const steps = Math.min(opts.steps ?? 30, op.dim);
  const g = opts.generator ?? defaultGenerator;
  const nodes: number[] = [];
  const weights: number[] = [];
  noGrad(() => {
    for (let r = 0; r < runs; r++) {
      const v0 = rademacher(op, g);
      const res = lanczosTridiagonal(op, v0, steps);
      const { values, vectors } = eigh(tridiagonal(res.alpha, res.beta));
      const S = vectors.dataSync();
      values.dataSync().forEach((theta, i) => {
        nodes.push(theta);
        weights.push(S[i] ** 2 / runs); // first component of each eigenvector
      });
    }
  });
  const lo = Math.min(...nodes);
  const hi = Math.max(...nodes);
  const pad = 0.1 * (hi - lo || 1);
  const gp = opts.gridPoints ?? 200;
  const sigma = opts.sigma ?? (hi - lo || 1) / 50;
  const grid = Array.from({ length: gp }, (_, i) => lo - pad + ((hi - lo + 2 * pad) * i) / (gp - 1));
  const density = grid.map((x) =>
    nodes.reduce(
      (acc, t, i) =>
        acc +
        (weights[i] * Math.exp(-((x - t) ** 2) / (2 * sigma * sigma))) / (sigma * Math.sqrt(2 * Math.PI)),
      0,
    ),
  );
  return { grid, density, nodes, weights };
}

function lanczosTridiagonal(
  op: LinearOperator,
  v0: Tensor,
  steps: number,
): { alpha: number[]; beta: number[] } {
  const Q: Tensor[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = div(v0, vectorNorm(v0));
  for (let j = 0; j < steps; j++) {
    Q.push(q);
    let w = op.matvec(q);
    const a = dot(q, w);
    alpha.push(a);
    for (let pass = 0; pass < 2; pass++) for (const qi of Q) w = sub(w, mul(qi, dot(qi, w)));
    const b = vectorNorm(w).item();
    if (j === steps - 1 || b < 1e-12) break;
    beta.push(b);
    q = div(w, b);
  }
  return { alpha, beta: beta.slice(0, alpha.length - 1) };
}
