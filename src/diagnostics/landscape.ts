/**
 * Loss-landscape analysis at a point: gradient norm, extreme Hessian eigenvalues, condition number, the
 * largest stable gradient-descent step 2/lambda_max, the kind of critical point, curvature along a
 * direction, convexity along a segment, and 1-D/2-D loss slices along chosen or random (filter-normalized)
 * directions.
 */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { randnLike, zerosLike } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { add, mul } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import { type Tree, ravel, treeLeaves, treeMap } from '../tree.js';
import { HessianOperator, denseOperator } from '../autograd/operators.js';
import { denseEigen, lanczos } from './spectra.js';
import { hessian } from '../autograd/jacobian.js';

export type CriticalPointKind = 'minimum' | 'maximum' | 'saddle' | 'degenerate' | 'not critical';

export interface LandscapeReport {
  loss: number;
  gradNorm: number;
  /** The largest Hessian eigenvalues, largest first. */
  top: number[];
  /** The smallest Hessian eigenvalues, smallest first. */
  bottom: number[];
  /** lambda_max / lambda_min when both are positive (the quadratic's condition number), else Infinity. */
  conditionNumber: number;
  /** 2 / lambda_max: gradient descent with a larger step diverges along the top eigenvector. */
  maxStableLr: number;
  kind: CriticalPointKind;
  /** Whether the eigenvalues came from a dense eigendecomposition (exact) or Lanczos. */
  method: 'dense' | 'lanczos';
}

export interface AnalyzeOptions {
  /** Eigenvalues at each end (default 1). */
  k?: number;
  /** Gradient norm under which the point counts as critical (default 1e-6). */
  gradTol?: number;
  /** Eigenvalues within this of zero count as zero (default 1e-8, relative to the largest). */
  eigTol?: number;
  /** Use a dense eigendecomposition up to this many parameters (default 400), Lanczos above. */
  denseUpTo?: number;
  generator?: Generator;
}

function classify(
  gradNorm: number,
  top: number,
  bottom: number,
  o: Required<Pick<AnalyzeOptions, 'gradTol' | 'eigTol'>>,
): CriticalPointKind {
  if (gradNorm > o.gradTol) return 'not critical';
  const scale = Math.max(Math.abs(top), Math.abs(bottom), 1e-300);
  const pos = bottom > o.eigTol * scale;
  const neg = top < -o.eigTol * scale;
  if (pos) return 'minimum';
  if (neg) return 'maximum';
  if (top > o.eigTol * scale && bottom < -o.eigTol * scale) return 'saddle';
  return 'degenerate';
}

/**
 * Analyzes f at x (a tensor or a tree of parameters): curvature, conditioning and the kind of point.
 * @example analyzeLandscape(quad, tensor([0, 0], { dtype: 'float64' })).kind // 'minimum'
 */
export function analyzeLandscape<T extends Tree>(
  f: (x: T) => Tensor,
  x: T,
  opts: AnalyzeOptions = {},
): LandscapeReport {
  const k = opts.k ?? 1;
  const o = { gradTol: opts.gradTol ?? 1e-6, eigTol: opts.eigTol ?? 1e-8 };
  const { flat, unravel } = ravel(x);
  const p = flat.detach().requiresGrad_(true);
  const op = new HessianOperator(() => f(unravel(p)), [p]);
  const gradNorm = vectorNorm(op.gradient).item();
  let top: number[];
  let bottom: number[];
  let method: 'dense' | 'lanczos';
  if (op.dim <= (opts.denseUpTo ?? 400)) {
    const vals = Array.from(denseEigen(op, { vectors: false }).values.dataSync());
    top = vals.slice(-k).reverse();
    bottom = vals.slice(0, k);
    method = 'dense';
  } else {
    const r = lanczos(op, { k, which: 'both', generator: opts.generator, maxIter: Math.min(op.dim, 200) });
    top = r.largest;
    bottom = r.smallest;
    method = 'lanczos';
  }
  const lmax = top[0];
  const lmin = bottom[0];
  return {
    loss: op.loss,
    gradNorm,
    top,
    bottom,
    conditionNumber: lmax > 0 && lmin > 0 ? lmax / lmin : Infinity,
    maxStableLr: lmax > 0 ? 2 / lmax : Infinity,
    kind: classify(gradNorm, lmax, lmin, o),
    method,
  };
}

/** The dense Hessian of f at x (over the raveled parameters of a tree), as an operator. @internal */
export function denseHessianOperator<T extends Tree>(f: (x: T) => Tensor, x: T) {
  return denseOperator(hessian(f)(x));
}

/**
 * v^T H v along a direction (divided by v^T v with `normalize`): the second derivative of f along v.
 * @example curvature(quad, tensor([1, 1], { dtype: 'float64' }), tensor([1, 0], { dtype: 'float64' })) // 3
 */
export function curvature<T extends Tree>(
  f: (x: T) => Tensor,
  x: T,
  v: T,
  opts: { normalize?: boolean } = {},
): number {
  const { flat, unravel } = ravel(x);
  const vf = ravel(v).flat.detach();
  const p = flat.detach().requiresGrad_(true);
  const hv = new HessianOperator(() => f(unravel(p)), [p]).matvec(vf);
  const num = noGrad(() => sum(mul(vf, hv)).item());
  return opts.normalize ? num / noGrad(() => sum(mul(vf, vf)).item()) : num;
}

function lerpTree<T extends Tree>(a: T, b: T, t: number): T {
  const lb = treeLeaves(b);
  return treeMap(a, (x, i) => add(mul(x, 1 - t), mul(lb[i], t))) as T;
}

/**
 * Checks Jensen's inequality f((1-t) a + t b) <= (1-t) f(a) + t f(b) at sampled t: a necessary condition
 * for convexity along the segment. Reports the worst violation.
 * @example convexityAlongSegment(quad, tensor([-1, 0], { dtype: 'float64' }), tensor([2, 1], { dtype: 'float64' })).convex // true
 */
export function convexityAlongSegment<T extends Tree>(
  f: (x: T) => Tensor,
  a: T,
  b: T,
  opts: { samples?: number; tol?: number } = {},
): { convex: boolean; maxViolation: number; t: number[]; values: number[] } {
  const n = opts.samples ?? 21;
  if (!(n >= 3)) throw new ValueError('convexityAlongSegment', `samples must be >= 3, got ${n}`);
  const ts = Array.from({ length: n }, (_, i) => i / (n - 1));
  const values = noGrad(() => ts.map((t) => f(lerpTree(a, b, t)).item()));
  const fa = values[0];
  const fb = values[n - 1];
  let worst = 0;
  ts.forEach((t, i) => (worst = Math.max(worst, values[i] - ((1 - t) * fa + t * fb))));
  // Jensen between every pair of samples with their midpoint-ish samples, for chords inside the segment.
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      for (let m = i + 1; m < j; m++) {
        const s = (ts[m] - ts[i]) / (ts[j] - ts[i]);
        worst = Math.max(worst, values[m] - ((1 - s) * values[i] + s * values[j]));
      }
    }
  }
  const tol = opts.tol ?? 1e-10 * Math.max(1, ...values.map(Math.abs));
  return { convex: worst <= tol, maxViolation: worst, t: ts, values };
}

/**
 * A random direction shaped like the parameters. With `filterNormalize` (Li et al., 2018), each filter
 * (row of a weight with 2+ dims) is rescaled to the norm of the matching filter of the parameters, and
 * 1-D parameters (biases, norm scales) get zero, so slices are comparable across networks.
 * @example const d = randomDirection(params, { filterNormalize: true });
 */
export function randomDirection<T extends Tree>(
  params: T,
  opts: { filterNormalize?: boolean; generator?: Generator } = {},
): T {
  const g = opts.generator ?? defaultGenerator;
  return noGrad(() =>
    treeMap(params, (p) => {
      const d = randnLike(p.detach(), { generator: g });
      if (!opts.filterNormalize) return d;
      if (p.shape.length < 2) return zerosLike(p.detach());
      const pn = vectorNorm(p.detach().reshape(p.shape[0], -1), 2, 1, true);
      const dn = vectorNorm(d.reshape(p.shape[0], -1), 2, 1, true);
      return d
        .reshape(p.shape[0], -1)
        .mul(pn.div(dn.add(1e-10)))
        .reshape(p.shape);
    }),
  ) as T;
}

/**
 * f(x + alpha d) for alpha on a grid: a 1-D slice of the landscape.
 * @example
 * const x0 = tensor([1, 1], { dtype: 'float64' });
 * const { alphas, losses } = lossSlice1d(quad, x0, tensor([1, 0], { dtype: 'float64' }), { steps: 41 });
 */
export function lossSlice1d<T extends Tree>(
  f: (x: T) => Tensor,
  x: T,
  d: T,
  opts: { from?: number; to?: number; steps?: number } = {},
): { alphas: number[]; losses: number[] } {
  const steps = opts.steps ?? 51;
  const [lo, hi] = [opts.from ?? -1, opts.to ?? 1];
  const alphas = Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * i) / Math.max(1, steps - 1));
  const ld = treeLeaves(d);
  const losses = noGrad(() =>
    alphas.map((a) => f(treeMap(x, (p, i) => add(p.detach(), mul(ld[i], a))) as T).item()),
  );
  return { alphas, losses };
}

/**
 * f(x + alpha d1 + beta d2) on a grid: a 2-D slice for contour plots (losses[i][j] at alphas[i], betas[j]).
 * @example
 * const [d1, d2] = [tensor([1, 0], { dtype: 'float64' }), tensor([0, 1], { dtype: 'float64' })];
 * lossSlice2d(quad, tensor([1, 1], { dtype: 'float64' }), d1, d2, { steps: 21 }).losses.length // 21
 */
export function lossSlice2d<T extends Tree>(
  f: (x: T) => Tensor,
  x: T,
  d1: T,
  d2: T,
  opts: { from?: number; to?: number; steps?: number } = {},
): { alphas: number[]; betas: number[]; losses: number[][] } {
  const steps = opts.steps ?? 21;
  const [lo, hi] = [opts.from ?? -1, opts.to ?? 1];
  const grid = Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * i) / Math.max(1, steps - 1));
  const l1 = treeLeaves(d1);
  const l2 = treeLeaves(d2);
  const losses = noGrad(() =>
    grid.map((a) =>
      grid.map((b) =>
        f(treeMap(x, (p, i) => add(add(p.detach(), mul(l1[i], a)), mul(l2[i], b))) as T).item(),
      ),
    ),
  );
  return { alphas: grid, betas: grid, losses };
}
