/**
 * optax's named optimizers, as short recipes over the building blocks. Same definitions, defaults and
 * option names (camelCased) as optax 0.2, so optax code ports line by line and gives optax's numbers.
 * @example
 * const tx = adamw(1e-3, { weightDecay: 1e-2 });
 * let params = { w: tensor([1, 2]) };
 * const state = tx.init(params);
 * const [updates, next] = tx.update({ w: tensor([0.1, -0.1]) }, state, params);
 * params = applyUpdates(params, updates);
 */
import { type GradientTransformation, type Hyper, type ScalarOrSchedule, chain, identity } from './core.js';
import {
  type Mask,
  addDecayedWeights,
  scaleByAdadelta,
  scaleByAdam,
  scaleByAdamax,
  scaleByAdan,
  scaleByAmsgrad,
  type ScaleByAmsgradOptions,
  scaleByBelief,
  scaleByLearningRate,
  scaleByLion,
  scaleByNovograd,
  scaleByRadam,
  scaleByRms,
  scaleByRss,
  scaleBySign,
  scaleByStddev,
  scaleByTrustRatio,
  scaleByYogi,
  scaleByRprop,
  scale,
  trace,
} from './transforms.js';
import { checkOptions, lrValue, nonNegative, tensorHyper, unitInterval } from './validate.js';
import { Tensor } from '../tensor/tensor.js';
import { add, mul, rsqrt, sub } from '../ops/primitives/elementwise.js';

type Opts = Record<string, unknown>;

function check(op: string, lr: ScalarOrSchedule, opts: Opts, allowed: string[]): void {
  lrValue(op, lr);
  checkOptions(op, opts, allowed);
  for (const k of ['b1', 'b2', 'b3', 'decay', 'rho', 'momentum'] as const) {
    const v = opts[k];
    if (v instanceof Tensor) tensorHyper(op, k, v);
    else if (v !== undefined && v !== null) unitInterval(op, k, v as number, k === 'momentum');
  }
  for (const k of ['eps', 'epsRoot', 'initialAccumulatorValue', 'initialScale'] as const) {
    const v = opts[k];
    if (v instanceof Tensor) tensorHyper(op, k, v);
    else if (v !== undefined) nonNegative(op, k, v as number);
  }
  if (opts.weightDecay instanceof Tensor) tensorHyper(op, 'weightDecay', opts.weightDecay);
  else if (typeof opts.weightDecay === 'number') nonNegative(op, 'weightDecay', opts.weightDecay);
}

export interface SgdOptions {
  momentum?: Hyper | null;
  nesterov?: boolean;
}
/** SGD, with optional (Nesterov) momentum. @example sgd(0.1, { momentum: 0.9 }) */
export function sgd(lr: ScalarOrSchedule, opts: SgdOptions = {}): GradientTransformation {
  check('sgd', lr, opts as Opts, ['momentum', 'nesterov']);
  const m = opts.momentum;
  return chain(
    m != null ? trace({ decay: m, nesterov: opts.nesterov }) : identity(),
    scaleByLearningRate(lr),
  );
}

/** Adagrad, optax's form: accumulator starts at 0.1, eps 1e-7 inside the root. @example adagrad(0.1) */
export function adagrad(lr: ScalarOrSchedule, opts: { initialAccumulatorValue?: number; eps?: number } = {}) {
  check('adagrad', lr, opts as Opts, ['initialAccumulatorValue', 'eps']);
  return chain(scaleByRss(opts), scaleByLearningRate(lr));
}

export interface RmspropOptions {
  decay?: number;
  eps?: number;
  initialScale?: number;
  epsInSqrt?: boolean;
  centered?: boolean;
  momentum?: number | null;
  nesterov?: boolean;
  biasCorrection?: boolean;
}
/** RMSProp, optax's form (eps inside the root unless `epsInSqrt: false`). @example rmsprop(0.01, { centered: true }) */
export function rmsprop(lr: ScalarOrSchedule, opts: RmspropOptions = {}): GradientTransformation {
  check('rmsprop', lr, opts as Opts, [
    'decay',
    'eps',
    'initialScale',
    'epsInSqrt',
    'centered',
    'momentum',
    'nesterov',
    'biasCorrection',
  ]);
  const { centered, momentum, nesterov, ...rms } = opts;
  return chain(
    centered ? scaleByStddev(rms) : scaleByRms(rms),
    scaleByLearningRate(lr),
    momentum != null ? trace({ decay: momentum, nesterov }) : identity(),
  );
}

/** Adadelta. @example adadelta(1.0, { rho: 0.9 }) */
export function adadelta(
  lr: ScalarOrSchedule,
  opts: { rho?: number; eps?: number; weightDecay?: number; mask?: Mask } = {},
) {
  check('adadelta', lr, opts as Opts, ['rho', 'eps', 'weightDecay', 'mask']);
  return chain(
    addDecayedWeights({ weightDecay: opts.weightDecay, mask: opts.mask }),
    scaleByAdadelta({ rho: opts.rho, eps: opts.eps }),
    scaleByLearningRate(lr),
  );
}

export interface AdamRecipeOptions {
  b1?: Hyper;
  b2?: Hyper;
  eps?: Hyper;
  epsRoot?: number;
  nesterov?: boolean;
}
/** Adam. @example adam(1e-3) */
export function adam(lr: ScalarOrSchedule, opts: AdamRecipeOptions = {}): GradientTransformation {
  check('adam', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'nesterov']);
  return chain(scaleByAdam(opts), scaleByLearningRate(lr));
}
/** NAdam as optax defines it: Adam with a Nesterov step (not PyTorch's mu schedule). @example nadam(1e-3) */
export function nadam(lr: ScalarOrSchedule, opts: Omit<AdamRecipeOptions, 'nesterov'> = {}) {
  check('nadam', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot']);
  return chain(scaleByAdam({ ...opts, nesterov: true }), scaleByLearningRate(lr));
}
/** AdamW: Adam plus decoupled weight decay (default 1e-4). @example adamw(1e-3, { weightDecay: 0.01 }) */
export function adamw(
  lr: ScalarOrSchedule,
  opts: AdamRecipeOptions & { weightDecay?: Hyper; mask?: Mask } = {},
) {
  check('adamw', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'nesterov', 'weightDecay', 'mask']);
  const { weightDecay = 1e-4, mask, ...a } = opts;
  return chain(scaleByAdam(a), addDecayedWeights({ weightDecay, mask }), scaleByLearningRate(lr));
}
/** NAdamW: nadam with decoupled weight decay. @example nadamw(1e-3) */
export function nadamw(
  lr: ScalarOrSchedule,
  opts: Omit<AdamRecipeOptions, 'nesterov'> & { weightDecay?: number; mask?: Mask } = {},
) {
  check('nadamw', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'weightDecay', 'mask']);
  const { weightDecay = 1e-4, mask, ...a } = opts;
  return chain(
    scaleByAdam({ ...a, nesterov: true }),
    addDecayedWeights({ weightDecay, mask }),
    scaleByLearningRate(lr),
  );
}
/** AMSGrad, optax's form (max of the bias-corrected v). @example amsgrad(1e-3) */
export function amsgrad(lr: ScalarOrSchedule, opts: ScaleByAmsgradOptions = {}) {
  check('amsgrad', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'biasCorrectionMu', 'biasCorrectionNu']);
  return chain(scaleByAmsgrad(opts), scaleByLearningRate(lr));
}
/** Adamax. @example adamax(2e-3) */
export function adamax(lr: ScalarOrSchedule, opts: { b1?: number; b2?: number; eps?: number } = {}) {
  check('adamax', lr, opts as Opts, ['b1', 'b2', 'eps']);
  return chain(scaleByAdamax(opts), scaleByLearningRate(lr));
}
/** Adamax with decoupled weight decay (default 1e-4). @example adamaxw(2e-3) */
export function adamaxw(
  lr: ScalarOrSchedule,
  opts: { b1?: number; b2?: number; eps?: number; weightDecay?: number; mask?: Mask } = {},
) {
  check('adamaxw', lr, opts as Opts, ['b1', 'b2', 'eps', 'weightDecay', 'mask']);
  const { weightDecay = 1e-4, mask, ...a } = opts;
  return chain(scaleByAdamax(a), addDecayedWeights({ weightDecay, mask }), scaleByLearningRate(lr));
}
/** Rectified Adam. @example radam(1e-3) */
export function radam(
  lr: ScalarOrSchedule,
  opts: Omit<AdamRecipeOptions, 'b2'> & { b2?: number; threshold?: number } = {},
) {
  check('radam', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'threshold', 'nesterov']);
  return chain(scaleByRadam(opts), scaleByLearningRate(lr));
}
/** Yogi (eps 1e-3). @example yogi(1e-2) */
export function yogi(lr: ScalarOrSchedule, opts: { b1?: number; b2?: number; eps?: number } = {}) {
  check('yogi', lr, opts as Opts, ['b1', 'b2', 'eps']);
  return chain(scaleByYogi(opts), scaleByLearningRate(lr));
}
/** AdaBelief (eps = epsRoot = 1e-16). @example adabelief(1e-3) */
export function adabelief(lr: ScalarOrSchedule, opts: AdamRecipeOptions = {}) {
  check('adabelief', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'nesterov']);
  return chain(scaleByBelief(opts), scaleByLearningRate(lr));
}
/** LAMB: Adam, decoupled decay, then the layer-wise trust ratio. @example lamb(1e-3, { weightDecay: 0.01 }) */
export function lamb(
  lr: ScalarOrSchedule,
  opts: Omit<AdamRecipeOptions, 'nesterov'> & { weightDecay?: number; mask?: Mask } = {},
) {
  check('lamb', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'weightDecay', 'mask']);
  const { weightDecay = 0, mask, eps = 1e-6, ...a } = opts;
  return chain(
    scaleByAdam({ ...a, eps }),
    addDecayedWeights({ weightDecay, mask }),
    scaleByTrustRatio(),
    scaleByLearningRate(lr),
  );
}
/** Lion (b1 0.9, b2 0.99, weight decay 1e-3). @example lion(1e-4) */
export function lion(
  lr: ScalarOrSchedule,
  opts: { b1?: number; b2?: number; weightDecay?: number; mask?: Mask } = {},
) {
  check('lion', lr, opts as Opts, ['b1', 'b2', 'weightDecay', 'mask']);
  const { weightDecay = 1e-3, mask, ...a } = opts;
  return chain(scaleByLion(a), addDecayedWeights({ weightDecay, mask }), scaleByLearningRate(lr));
}
/** NovoGrad (b2 0.25, eps 1e-6). @example novograd(1e-2) */
export function novograd(
  lr: ScalarOrSchedule,
  opts: { b1?: number; b2?: number; eps?: number; epsRoot?: number; weightDecay?: number } = {},
) {
  check('novograd', lr, opts as Opts, ['b1', 'b2', 'eps', 'epsRoot', 'weightDecay']);
  return chain(scaleByNovograd({ eps: 1e-6, ...opts }), scaleByLearningRate(lr));
}
/** Adan (b1 0.98, b2 0.92, b3 0.99, eps 1e-8, epsRoot 1e-8 as optax.adan; scaleByAdan's epsRoot is 0). @example adan(1e-3) */
export function adan(
  lr: ScalarOrSchedule,
  opts: {
    b1?: number;
    b2?: number;
    b3?: number;
    eps?: number;
    epsRoot?: number;
    weightDecay?: number;
    mask?: Mask;
  } = {},
) {
  check('adan', lr, opts as Opts, ['b1', 'b2', 'b3', 'eps', 'epsRoot', 'weightDecay', 'mask']);
  const { weightDecay = 0, mask, epsRoot = 1e-8, ...a } = opts;
  return chain(
    scaleByAdan({ ...a, epsRoot }),
    addDecayedWeights({ weightDecay, mask }),
    scaleByLearningRate(lr),
  );
}
/** SignSGD: steps of -lr sign(g). @example signSgd(0.01) */
export function signSgd(lr: ScalarOrSchedule): GradientTransformation {
  lrValue('signSgd', lr);
  return chain(scaleBySign(), scaleByLearningRate(lr));
}

/**
 * Rprop (optax.rprop): sign-based steps with adaptive per-element step sizes, starting at lr.
 * @example rprop(0.01)
 */
export function rprop(
  lr: Hyper,
  opts: { etaMinus?: number; etaPlus?: number; minStepSize?: number; maxStepSize?: number } = {},
) {
  check('rprop', lr, opts as Opts, ['etaMinus', 'etaPlus', 'minStepSize', 'maxStepSize']);
  return chain(scaleByRprop({ learningRate: lr, ...opts }), scale(-1));
}

/**
 * LARS (optax.lars): decoupled decay, a layer-wise trust ratio (coefficient 1e-3), lr, then momentum.
 * @example lars(0.1, { weightDecay: 1e-4 })
 */
export function lars(
  lr: ScalarOrSchedule,
  opts: {
    weightDecay?: number;
    trustCoefficient?: number;
    eps?: number;
    momentum?: number;
    nesterov?: boolean;
    mask?: Mask;
  } = {},
): GradientTransformation {
  check('lars', lr, opts as Opts, ['weightDecay', 'trustCoefficient', 'eps', 'momentum', 'nesterov', 'mask']);
  const { weightDecay = 0, trustCoefficient = 0.001, eps = 0, momentum = 0.9, nesterov = false, mask } = opts;
  return chain(
    addDecayedWeights({ weightDecay, mask }),
    scaleByTrustRatio({ trustCoefficient, eps }),
    scaleByLearningRate(lr),
    trace({ decay: momentum, nesterov }),
  );
}

/**
 * Fromage (optax.fromage): trust-ratio steps scaled by 1/sqrt(1 + lr^2), shrinking the weights by the same
 * factor.
 * @example fromage(0.01)
 */
export function fromage(lr: Hyper, opts: { minNorm?: number } = {}): GradientTransformation {
  check('fromage', lr, opts as Opts, ['minNorm']);
  const mult = typeof lr === 'number' ? 1 / Math.sqrt(1 + lr * lr) : rsqrt(add(mul(lr, lr), 1));
  return chain(
    scaleByTrustRatio({ minNorm: opts.minNorm ?? 1e-6 }),
    scaleByLearningRate(typeof lr === 'number' ? lr * (mult as number) : mul(lr, mult)),
    addDecayedWeights({ weightDecay: typeof mult === 'number' ? mult - 1 : sub(mult, 1) }),
  );
}
