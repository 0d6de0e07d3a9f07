/**
 * optax's building blocks, with optax's definitions, defaults and option names (camelCased). States
 * keep per-leaf accumulators as arrays in the params' leaf order, plus a step `count`.
 */
import { Tensor } from '../tensor/tensor.js';
import { full, fullLike, zerosLike } from '../tensor/creation.js';
import {
  abs,
  add,
  div,
  gt,
  logicalOr,
  maximum,
  eq,
  lt,
  mul,
  powScalar,
  rsqrt,
  sign,
  tanh,
  sqrt,
  sub,
  where,
} from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { clamp } from '../ops/composite/math.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import type { Tree } from '../tree.js';
import {
  type GradientTransformation,
  type Hyper,
  type ScalarOrSchedule,
  type Schedule,
  evalSchedule,
  oneMinus,
  times,
  identity,
  leaves,
  mapLeaves,
  requireParams,
} from './core.js';
import { ValueError } from '../errors.js';
import { checkOptions } from './validate.js';

// ------------------------------------------------------------------------------------------------
// optax.tree helpers: update_moment, update_moment_per_elem_norm, bias_correction.

/** (1 - decay) g + decay t */
export function updateMoment(g: Tensor, t: Tensor, decay: Hyper): Tensor {
  return add(mul(g, oneMinus(decay)), mul(t, decay));
}
/** (1 - decay) g^2 + decay t */
export function updateMomentSq(g: Tensor, t: Tensor, decay: Hyper): Tensor {
  return add(mul(mul(g, g), oneMinus(decay)), mul(t, decay));
}
/** t / (1 - decay^count) */
export function biasCorrection(t: Tensor, decay: Hyper, count: number): Tensor {
  return div(t, typeof decay === 'number' ? 1 - decay ** count : sub(1, powScalar(decay, count)));
}

const zeros = (params: Tree) => leaves(params).map((p) => zerosLike(p.detach()));
const fulls = (params: Tree, v: number) => leaves(params).map((p) => fullLike(p.detach(), v));

// ------------------------------------------------------------------------------------------------
// Scaling

/** Multiplies updates by a fixed `stepSize`. */
export function scale(stepSize: Hyper): GradientTransformation<null> {
  return { init: () => null, update: (u, s) => [mapLeaves(u, (g) => mul(g, stepSize)), s] };
}

export interface CountState {
  count: number;
}

/** Multiplies updates by `fn(count)`, counting updates from 0. */
export function scaleBySchedule(fn: Schedule): GradientTransformation<CountState> {
  return {
    init: () => ({ count: 0 }),
    update: (u, s) => {
      const step = fn(s.count);
      return [mapLeaves(u, (g) => mul(g, step)), { count: s.count + 1 }];
    },
  };
}

/**
 * Scales by -lr (or +lr with `flipSign: false`); `lr` may be a schedule.
 * @example chain(scaleByAdam(), scaleByLearningRate(1e-3))
 */
export function scaleByLearningRate(
  lr: ScalarOrSchedule,
  opts: { flipSign?: boolean } = {},
): GradientTransformation {
  const m = opts.flipSign === false ? 1 : -1;
  if (typeof lr === 'function') return scaleBySchedule((c) => m * lr(c));
  return scale(times(lr, m));
}

/** Replaces updates by their signs. */
export function scaleBySign(): GradientTransformation<null> {
  return { init: () => null, update: (u, s) => [mapLeaves(u, (g) => sign(g)), s] };
}

// ------------------------------------------------------------------------------------------------
// Momentum

export interface TraceState {
  trace: Tensor[];
}

/** Momentum: t = g + decay t; Nesterov uses g + decay t_new (optax.trace). */
export function trace(opts: { decay: Hyper; nesterov?: boolean }): GradientTransformation<TraceState> {
  checkOptions('trace', opts, ['decay', 'nesterov']);
  const { decay, nesterov = false } = opts;
  return {
    init: (params) => ({ trace: zeros(params) }),
    update: (u, s) => {
      const next = leaves(u).map((g, i) => add(g, mul(s.trace[i], decay)));
      const out = nesterov
        ? mapLeaves(u, (g, i) => add(g, mul(next[i], decay)))
        : mapLeaves(u, (_, i) => next[i]);
      return [out, { trace: next }];
    },
  };
}

export interface EmaState {
  count: number;
  ema: Tensor[];
}

/** Exponential moving average of updates, optionally debiased (optax.ema). */
export function ema(opts: { decay: number; debias?: boolean }): GradientTransformation<EmaState> {
  checkOptions('ema', opts, ['decay', 'debias']);
  const { decay, debias = true } = opts;
  return {
    init: (params) => ({ count: 0, ema: zeros(params) }),
    update: (u, s) => {
      const e = leaves(u).map((g, i) => updateMoment(g, s.ema[i], decay));
      const c = s.count + 1;
      return [mapLeaves(u, (_, i) => (debias ? biasCorrection(e[i], decay, c) : e[i])), { count: c, ema: e }];
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Weight decay and clipping

/** Which leaves a transformation applies to: a function of (param, leaf index) or a boolean per leaf. */
export type Mask = ((p: Tensor, index: number) => boolean) | readonly boolean[];

function masked(mask: Mask | undefined, params: Tensor[]): boolean[] {
  if (!mask) return params.map(() => true);
  if (typeof mask === 'function') return params.map((p, i) => mask(p, i));
  if (mask.length !== params.length)
    throw new ValueError('mask', `has ${mask.length} entries for ${params.length} parameters`);
  return [...mask];
}

/** updates + weightDecay * params: decoupled weight decay when placed before the learning rate. */
export function addDecayedWeights(
  opts: { weightDecay?: ScalarOrSchedule; mask?: Mask } = {},
): GradientTransformation<CountState> {
  const wd = opts.weightDecay ?? 0;
  return {
    init: () => ({ count: 0 }),
    update: (u, s, params) => {
      const w = evalSchedule(wd, s.count);
      if (typeof w === 'number' && w === 0) return [u, { count: s.count + 1 }];
      const ps = requireParams('addDecayedWeights', params);
      const on = masked(opts.mask, ps);
      return [mapLeaves(u, (g, i) => (on[i] ? add(g, mul(ps[i], w)) : g)), { count: s.count + 1 }];
    },
  };
}

/** Clamps every update element to [-maxDelta, maxDelta] (optax.clip). */
export function clip(maxDelta: number): GradientTransformation<null> {
  return { init: () => null, update: (u, s) => [mapLeaves(u, (g) => clamp(g, -maxDelta, maxDelta)), s] };
}

/** sqrt of the sum of squares of every element of every leaf. */
export function globalNorm(tree: Tree): Tensor {
  const ls = leaves(tree);
  let total: Tensor | null = null;
  for (const l of ls) {
    const s = sum(mul(l, l));
    total = total ? add(total, s) : s;
  }
  return sqrt(total ?? zerosLike(ls[0]));
}

/** Rescales updates so their global norm is at most maxNorm: g * maxNorm / ||g|| when over (no epsilon). */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<null> {
  return {
    init: () => null,
    update: (u, s) => {
      const n = globalNorm(u).item();
      if (n < maxNorm) return [u, s];
      return [mapLeaves(u, (g) => mul(div(g, n), maxNorm)), s];
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Adaptive scalings

export interface RssState {
  sumOfSquares: Tensor[];
}

/** Divides by the root of the sum of all squared gradients so far (optax adagrad's scaling). */
export function scaleByRss(
  opts: { initialAccumulatorValue?: number; eps?: number } = {},
): GradientTransformation<RssState> {
  checkOptions('scaleByRss', opts, ['initialAccumulatorValue', 'eps']);
  const { initialAccumulatorValue = 0.1, eps = 1e-7 } = opts;
  return {
    init: (params) => ({ sumOfSquares: fulls(params, initialAccumulatorValue) }),
    update: (u, s) => {
      const sos = leaves(u).map((g, i) => add(mul(g, g), s.sumOfSquares[i]));
      const out = mapLeaves(u, (g, i) => mul(where(gt(sos[i], 0), rsqrt(add(sos[i], eps)), 0), g));
      return [out, { sumOfSquares: sos }];
    },
  };
}

export interface RmsOptions {
  decay?: number;
  eps?: number;
  initialScale?: number;
  epsInSqrt?: boolean;
  biasCorrection?: boolean;
}
export interface RmsState {
  count: number;
  nu: Tensor[];
}

/** Divides by the root of an EMA of squared gradients (optax.scale_by_rms). */
export function scaleByRms(opts: RmsOptions = {}): GradientTransformation<RmsState> {
  checkOptions('scaleByRms', opts, ['decay', 'eps', 'initialScale', 'epsInSqrt', 'biasCorrection']);
  const { decay = 0.9, eps = 1e-8, initialScale = 0, epsInSqrt = true, biasCorrection: bc = false } = opts;
  return {
    init: (params) => ({ count: 0, nu: fulls(params, initialScale) }),
    update: (u, s) => {
      const nu = leaves(u).map((g, i) => updateMomentSq(g, s.nu[i], decay));
      const c = bc ? s.count + 1 : 0;
      const out = mapLeaves(u, (g, i) => {
        const n = bc ? biasCorrection(nu[i], decay, c) : nu[i];
        const scaling = epsInSqrt ? rsqrt(add(n, eps)) : div(1, add(sqrt(n), eps));
        return mul(scaling, g);
      });
      return [out, { count: c, nu }];
    },
  };
}

export interface StddevState {
  count: number;
  mu: Tensor[];
  nu: Tensor[];
}

/** Centered RMS scaling: divides by sqrt(E[g^2] - E[g]^2) (optax.scale_by_stddev). */
export function scaleByStddev(opts: RmsOptions = {}): GradientTransformation<StddevState> {
  checkOptions('scaleByStddev', opts, ['decay', 'eps', 'initialScale', 'epsInSqrt', 'biasCorrection']);
  const { decay = 0.9, eps = 1e-8, initialScale = 0, epsInSqrt = true, biasCorrection: bc = false } = opts;
  return {
    init: (params) => ({ count: 0, mu: zeros(params), nu: fulls(params, initialScale) }),
    update: (u, s) => {
      const gs = leaves(u);
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], decay));
      const nu = gs.map((g, i) => updateMomentSq(g, s.nu[i], decay));
      const c = bc ? s.count + 1 : 0;
      const out = mapLeaves(u, (g, i) => {
        const m = bc ? biasCorrection(mu[i], decay, c) : mu[i];
        const n = bc ? biasCorrection(nu[i], decay, c) : nu[i];
        const v = sub(n, mul(m, m));
        return mul(epsInSqrt ? rsqrt(add(v, eps)) : div(1, add(sqrt(v), eps)), g);
      });
      return [out, { count: c, mu, nu }];
    },
  };
}

export interface ScaleByAdamOptions {
  b1?: Hyper;
  b2?: Hyper;
  eps?: Hyper;
  epsRoot?: Hyper;
  nesterov?: boolean;
}
export interface AdamState {
  count: number;
  mu: Tensor[];
  nu: Tensor[];
}

function nesterovMuHat(mu: Tensor, g: Tensor, b1: Hyper, count: number): Tensor {
  return add(mul(biasCorrection(mu, b1, count + 1), b1), mul(biasCorrection(g, b1, count), oneMinus(b1)));
}

/** Adam's scaling: bias-corrected m / (sqrt(v_hat + epsRoot) + eps); `nesterov` gives NAdam (optax). */
export function scaleByAdam(opts: ScaleByAdamOptions = {}): GradientTransformation<AdamState> {
  checkOptions('scaleByAdam', opts, ['b1', 'b2', 'eps', 'epsRoot', 'nesterov']);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, nesterov = false } = opts;
  return {
    init: (params) => ({ count: 0, mu: zeros(params), nu: zeros(params) }),
    update: (u, s) => {
      const gs = leaves(u);
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], b1));
      const nu = gs.map((g, i) => updateMomentSq(g, s.nu[i], b2));
      const c = s.count + 1;
      const out = mapLeaves(u, (g, i) => {
        const mHat = nesterov ? nesterovMuHat(mu[i], g, b1, c) : biasCorrection(mu[i], b1, c);
        return div(mHat, add(sqrt(add(biasCorrection(nu[i], b2, c), epsRoot)), eps));
      });
      return [out, { count: c, mu, nu }];
    },
  };
}

export interface AmsgradState extends AdamState {
  nuMax: Tensor[];
}

/** AMSGrad (optax): the running max of the bias-corrected second moment. */
export interface ScaleByAmsgradOptions extends Omit<ScaleByAdamOptions, 'nesterov'> {
  /** Bias-correct the first moment (default true, as optax). */
  biasCorrectionMu?: boolean;
  /** Bias-correct the second moment before the running maximum (default true; false is the paper's). */
  biasCorrectionNu?: boolean;
}
export function scaleByAmsgrad(opts: ScaleByAmsgradOptions = {}): GradientTransformation<AmsgradState> {
  checkOptions('scaleByAmsgrad', opts, [
    'b1',
    'b2',
    'eps',
    'epsRoot',
    'biasCorrectionMu',
    'biasCorrectionNu',
  ]);
  const {
    b1 = 0.9,
    b2 = 0.999,
    eps = 1e-8,
    epsRoot = 0,
    biasCorrectionMu = true,
    biasCorrectionNu = true,
  } = opts;
  return {
    init: (params) => ({ count: 0, mu: zeros(params), nu: zeros(params), nuMax: zeros(params) }),
    update: (u, s) => {
      const gs = leaves(u);
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], b1));
      const nu = gs.map((g, i) => updateMomentSq(g, s.nu[i], b2));
      const c = s.count + 1;
      const nuMax = nu.map((n, i) => maximum(s.nuMax[i], biasCorrectionNu ? biasCorrection(n, b2, c) : n));
      const out = mapLeaves(u, (_, i) =>
        div(biasCorrectionMu ? biasCorrection(mu[i], b1, c) : mu[i], add(sqrt(add(nuMax[i], epsRoot)), eps)),
      );
      return [out, { count: c, mu, nu, nuMax }];
    },
  };
}

/** Adamax (optax): u = max(b2 u, |g| + eps); update = m_hat / u. */
export function scaleByAdamax(
  opts: { b1?: number; b2?: number; eps?: number } = {},
): GradientTransformation<AdamState> {
  checkOptions('scaleByAdamax', opts, ['b1', 'b2', 'eps']);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = opts;
  return {
    init: (params) => ({ count: 0, mu: zeros(params), nu: zeros(params) }),
    update: (u, s) => {
      const gs = leaves(u);
      const c = s.count + 1;
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], b1));
      const nu = gs.map((g, i) => maximum(mul(s.nu[i], b2), add(abs(g), eps)));
      return [mapLeaves(u, (_, i) => div(biasCorrection(mu[i], b1, c), nu[i])), { count: c, mu, nu }];
    },
  };
}

export interface AdadeltaState {
  eG: Tensor[];
  eX: Tensor[];
}

/** Adadelta's scaling: sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g. */
export function scaleByAdadelta(
  opts: { rho?: number; eps?: number } = {},
): GradientTransformation<AdadeltaState> {
  checkOptions('scaleByAdadelta', opts, ['rho', 'eps']);
  const { rho = 0.9, eps = 1e-6 } = opts;
  return {
    init: (params) => ({ eG: zeros(params), eX: zeros(params) }),
    update: (u, s) => {
      const gs = leaves(u);
      const eG = gs.map((g, i) => updateMomentSq(g, s.eG[i], rho));
      const d = gs.map((g, i) => mul(div(sqrt(add(s.eX[i], eps)), sqrt(add(eG[i], eps))), g));
      const eX = d.map((x, i) => updateMomentSq(x, s.eX[i], rho));
      return [mapLeaves(u, (_, i) => d[i]), { eG, eX }];
    },
  };
}

/** Rectified Adam (optax): momentum steps until rho_t >= threshold, then rectified adaptive steps. */
export function scaleByRadam(
  // Numbers only: whether a step is rectified depends on b2's value.
  opts: Omit<ScaleByAdamOptions, 'b2'> & { b2?: number; threshold?: number } = {},
): GradientTransformation<AdamState> {
  checkOptions('scaleByRadam', opts, ['b1', 'b2', 'eps', 'epsRoot', 'threshold', 'nesterov']);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, threshold = 5, nesterov = false } = opts;
  const roInf = 2 / (1 - b2) - 1;
  return {
    init: (params) => ({ count: 0, mu: zeros(params), nu: zeros(params) }),
    update: (u, s) => {
      const gs = leaves(u);
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], b1));
      const nu = gs.map((g, i) => updateMomentSq(g, s.nu[i], b2));
      const c = s.count + 1;
      const b2t = b2 ** c;
      const ro = roInf - (2 * c * b2t) / (1 - b2t);
      const out = mapLeaves(u, (g, i) => {
        const mHat = nesterov ? nesterovMuHat(mu[i], g, b1, c) : biasCorrection(mu[i], b1, c);
        if (!(ro >= threshold)) return mHat;
        const r = Math.sqrt(((ro - 4) * (ro - 2) * roInf) / ((roInf - 4) * (roInf - 2) * ro));
        return div(mul(mHat, r), add(sqrt(add(biasCorrection(nu[i], b2, c), epsRoot)), eps));
      });
      return [out, { count: c, mu, nu }];
    },
  };
}

/** Yogi (optax): v -= (1 - b2) sign(v - g^2) g^2, both moments starting at initialAccumulatorValue. */
export function scaleByYogi(
  opts: { b1?: number; b2?: number; eps?: number; epsRoot?: number; initialAccumulatorValue?: number } = {},
): GradientTransformation<AdamState> {
  checkOptions('scaleByYogi', opts, ['b1', 'b2', 'eps', 'epsRoot', 'initialAccumulatorValue']);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-3, epsRoot = 0, initialAccumulatorValue = 1e-6 } = opts;
  return {
    init: (params) => ({
      count: 0,
      mu: fulls(params, initialAccumulatorValue),
      nu: fulls(params, initialAccumulatorValue),
    }),
    update: (u, s) => {
      const gs = leaves(u);
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], b1));
      const nu = gs.map((g, i) => {
        const g2 = mul(g, g);
        return sub(s.nu[i], mul(mul(sign(sub(s.nu[i], g2)), 1 - b2), g2));
      });
      const c = s.count + 1;
      const out = mapLeaves(u, (_, i) =>
        div(biasCorrection(mu[i], b1, c), add(sqrt(add(biasCorrection(nu[i], b2, c), epsRoot)), eps)),
      );
      return [out, { count: c, mu, nu }];
    },
  };
}

/** AdaBelief (optax): the second moment tracks (g - m)^2, plus epsRoot each step. */
export function scaleByBelief(opts: ScaleByAdamOptions = {}): GradientTransformation<AdamState> {
  checkOptions('scaleByBelief', opts, ['b1', 'b2', 'eps', 'epsRoot', 'nesterov']);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-16, epsRoot = 1e-16, nesterov = false } = opts;
  return {
    init: (params) => ({ count: 0, mu: zeros(params), nu: zeros(params) }),
    update: (u, s) => {
      const gs = leaves(u);
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], b1));
      const nu = gs.map((g, i) => add(updateMomentSq(sub(g, mu[i]), s.nu[i], b2), epsRoot));
      const c = s.count + 1;
      const out = mapLeaves(u, (g, i) => {
        const mHat = nesterov ? nesterovMuHat(mu[i], g, b1, c) : biasCorrection(mu[i], b1, c);
        return div(mHat, add(sqrt(biasCorrection(nu[i], b2, c)), eps));
      });
      return [out, { count: c, mu, nu }];
    },
  };
}

export interface LionState {
  count: number;
  mu: Tensor[];
}

/** Lion (optax): sign((1 - b1) g + b1 m), then m = EMA_b2(g). */
export function scaleByLion(
  opts: {
    b1?: number;
    b2?: number;
    /** 'hard': sign(x) (Lion); 'smooth': tanh(smoothBeta x); 'refined': x where |x| < 1, else sign(x). */
    mode?: 'hard' | 'smooth' | 'refined';
    smoothBeta?: number;
  } = {},
): GradientTransformation<LionState> {
  checkOptions('scaleByLion', opts, ['b1', 'b2', 'mode', 'smoothBeta']);
  const { b1 = 0.9, b2 = 0.99, mode = 'hard', smoothBeta = 1 } = opts;
  if (!['hard', 'smooth', 'refined'].includes(mode))
    throw new ValueError('scaleByLion', `mode must be 'hard', 'smooth' or 'refined', got '${String(mode)}'`);
  const squash = (x: Tensor) =>
    mode === 'hard'
      ? sign(x)
      : mode === 'smooth'
        ? tanh(mul(x, smoothBeta))
        : where(lt(abs(x), 1), x, sign(x));
  return {
    init: (params) => ({ count: 0, mu: zeros(params) }),
    update: (u, s) => {
      const gs = leaves(u);
      const out = mapLeaves(u, (g, i) => squash(add(mul(g, 1 - b1), mul(s.mu[i], b1))));
      const mu = gs.map((g, i) => updateMoment(g, s.mu[i], b2));
      return [out, { count: s.count + 1, mu }];
    },
  };
}

export interface NovogradState {
  count: number;
  mu: Tensor[];
  nu: Tensor[];
}

/** NovoGrad (optax): a per-layer second moment of the squared gradient norm. */
export function scaleByNovograd(
  opts: { b1?: number; b2?: number; eps?: number; epsRoot?: number; weightDecay?: number } = {},
): GradientTransformation<NovogradState> {
  checkOptions('scaleByNovograd', opts, ['b1', 'b2', 'eps', 'epsRoot', 'weightDecay']);
  const { b1 = 0.9, b2 = 0.25, eps = 1e-8, epsRoot = 0, weightDecay = 0 } = opts;
  return {
    init: (params) => ({
      count: 0,
      mu: zeros(params),
      nu: leaves(params).map((p) => zerosLike(p.detach()).sum()),
    }),
    update: (u, s, params) => {
      const ps = requireParams('scaleByNovograd', params);
      const gs = leaves(u);
      const c = s.count + 1;
      const norms = gs.map((g) => {
        const n = vectorNorm(g);
        return mul(n, n);
      });
      const nu = norms.map((n, i) => (c === 1 ? n : updateMoment(n, s.nu[i], b2)));
      const add_ = gs.map((g, i) =>
        add(div(g, add(sqrt(add(nu[i], epsRoot)), eps)), mul(ps[i], weightDecay)),
      );
      const mu = add_.map((a, i) => (c === 1 ? a : add(mul(s.mu[i], b1), a)));
      return [mapLeaves(u, (_, i) => mu[i]), { count: c, mu, nu }];
    },
  };
}

export interface AdanState {
  m: Tensor[];
  v: Tensor[];
  n: Tensor[];
  g: Tensor[];
  t: number;
}

/** Adan (optax): EMAs of the gradient, its difference and the squared corrected gradient. */
export function scaleByAdan(
  opts: { b1?: number; b2?: number; b3?: number; eps?: number; epsRoot?: number } = {},
): GradientTransformation<AdanState> {
  checkOptions('scaleByAdan', opts, ['b1', 'b2', 'b3', 'eps', 'epsRoot']);
  const { b1 = 0.98, b2 = 0.92, b3 = 0.99, eps = 1e-8, epsRoot = 0 } = opts;
  return {
    init: (params) => ({ m: zeros(params), v: zeros(params), n: zeros(params), g: zeros(params), t: 0 }),
    update: (u, s) => {
      const gs = leaves(u);
      const diff = gs.map((g, i) => (s.t === 0 ? zerosLike(g) : sub(g, s.g[i])));
      const m = gs.map((g, i) => updateMoment(g, s.m[i], b1));
      const v = diff.map((d, i) => updateMoment(d, s.v[i], b2));
      const n = gs.map((g, i) => updateMomentSq(add(g, mul(diff[i], 1 - b2)), s.n[i], b3));
      const t = s.t + 1;
      const out = mapLeaves(u, (_, i) => {
        const upd = add(biasCorrection(m[i], b1, t), mul(biasCorrection(v[i], b2, t), 1 - b2));
        return div(upd, add(sqrt(add(biasCorrection(n[i], b3, t), epsRoot)), eps));
      });
      return [out, { m, v, n, g: gs.map((g) => g.detach()), t }];
    },
  };
}

/** LAMB's layer-wise trust ratio: ||p|| / (||u|| + eps), 1 where either norm is 0. */
export function scaleByTrustRatio(
  opts: { minNorm?: number; trustCoefficient?: number; eps?: number } = {},
): GradientTransformation<null> {
  checkOptions('scaleByTrustRatio', opts, ['minNorm', 'trustCoefficient', 'eps']);
  const { minNorm = 0, trustCoefficient = 1, eps = 0 } = opts;
  const safeNorm = (x: Tensor) => maximum(vectorNorm(x), minNorm);
  return {
    init: () => null,
    update: (u, s, params) => {
      const ps = requireParams('scaleByTrustRatio', params);
      const out = mapLeaves(u, (g, i) => {
        const pn = safeNorm(ps[i]);
        const un = safeNorm(g);
        const ratio = div(mul(pn, trustCoefficient), add(un, eps));
        const zero = logicalOr(eq(pn, 0), eq(un, 0));
        return mul(g, where(zero, 1, ratio));
      });
      return [out, s];
    },
  };
}

export interface RpropState {
  stepSizes: Tensor[];
  prevUpdates: Tensor[];
}

/**
 * Rprop (optax.scale_by_rprop): per-element step sizes that grow by etaPlus while the gradient keeps its
 * sign and shrink by etaMinus when it flips (skipping that step); the update is step * sign(g).
 */
export function scaleByRprop(opts: {
  learningRate: Hyper;
  etaMinus?: number;
  etaPlus?: number;
  minStepSize?: number;
  maxStepSize?: number;
}): GradientTransformation<RpropState> {
  checkOptions('scaleByRprop', opts, ['learningRate', 'etaMinus', 'etaPlus', 'minStepSize', 'maxStepSize']);
  const { learningRate, etaMinus = 0.5, etaPlus = 1.2, minStepSize = 1e-6, maxStepSize = 50 } = opts;
  return {
    init: (params) => ({
      // A tensor learning rate starts the step sizes in the graph (differentiable in it).
      stepSizes:
        typeof learningRate === 'number'
          ? fulls(params, learningRate)
          : zeros(params).map((z) => add(z, learningRate)),
      prevUpdates: zeros(params),
    }),
    update: (u, s) => {
      const gs = leaves(u);
      const signs = gs.map((g, i) => mul(g, s.prevUpdates[i]));
      const stepSizes = signs.map((sg, i) =>
        where(
          eq(sg, 0),
          s.stepSizes[i],
          clamp(
            mul(s.stepSizes[i], where(gt(sg, 0), full([], etaPlus, { dtype: sg.dtype }), etaMinus)),
            minStepSize,
            maxStepSize,
          ),
        ),
      );
      const prev = gs.map((g, i) => where(lt(signs[i], 0), 0, mul(stepSizes[i], sign(g))));
      const out = mapLeaves(u, (_, i) => where(lt(signs[i], 0), 0, prev[i]));
      return [out, { stepSizes, prevUpdates: prev }];
    },
  };
}

export { identity };
