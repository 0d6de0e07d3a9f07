/**
 * What the PyTorch optimizers share: the per-parameter rule type, PyTorch's fused arithmetic forms in its
 * evaluation order, the Adam family's moments, and the option checks. Each optimizer's rule, options and
 * class live in a file of their own beside this one (sgd.ts, adam.ts, ...).
 */
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add, div, mul, neg, sub } from '../../ops/primitives/elementwise.js';
import { nonNegative, unitInterval } from '../validate.js';

export type ParamState = Record<string, unknown>;

/** A pure per-parameter update rule. */
export interface ParamRule<S extends ParamState = ParamState> {
  init(p: Tensor): S;
  step(p: Tensor, g: Tensor, state: S): [Tensor, S];
  /**
   * Optional: the same update written into p's and the state tensors' own memory (what PyTorch does),
   * returning the next state; null when it cannot (then the caller uses `step`). The stateful optimizer
   * classes use it; the pure `step` stays the definition.
   */
  stepInPlace?(p: Tensor, g: Tensor, state: S): S | null;
}

// PyTorch's fused forms, with its evaluation order.
/** self + alpha * other */
export const addAlpha = (a: Tensor, b: Tensor, alpha: number) => add(a, mul(b, alpha));
/** self + value * t1 * t2 */
export const addcmul = (a: Tensor, t1: Tensor, t2: Tensor, value: number) => add(a, mul(mul(t1, value), t2));
/** self + value * t1 / t2 */
export const addcdiv = (a: Tensor, t1: Tensor, t2: Tensor, value: number) => add(a, div(mul(t1, value), t2));
/** torch.lerp: exact at both ends, as ATen computes it. */
export function lerp(a: Tensor, b: Tensor, w: number): Tensor {
  return Math.abs(w) < 0.5 ? add(a, mul(sub(b, a), w)) : sub(b, mul(sub(b, a), 1 - w));
}

export function prep(
  g: Tensor,
  p: Tensor,
  o: { maximize?: boolean; weightDecay?: number },
  coupled = true,
): Tensor {
  let grad = o.maximize ? neg(g) : g;
  if (coupled && o.weightDecay) grad = addAlpha(grad, p, o.weightDecay);
  return grad;
}

/** The options the Adam family shares, with torch.optim's names. */
export interface AdamFamilyOptions {
  lr: number;
  betas: Betas;
  eps: number;
  weightDecay: number;
  maximize: boolean;
  /** AdamW-style: p *= 1 - lr * weightDecay before the step, instead of adding weightDecay * p to g. */
  decoupledWeightDecay: boolean;
}

/** The Adam family's shared start: weight decay (coupled into g, or decoupled on p) and both moments. */
export function adamMoments(
  p0: Tensor,
  g0: Tensor,
  s: ParamState,
  o: AdamFamilyOptions,
  b1: number,
  b2: number,
) {
  const p = o.decoupledWeightDecay && o.weightDecay ? mul(p0, 1 - o.lr * o.weightDecay) : p0;
  const g = prep(g0, p0, o, !o.decoupledWeightDecay);
  return {
    step: (s.step as number) + 1,
    p,
    g,
    expAvg: lerp(s.expAvg as Tensor, g, 1 - b1),
    expAvgSq: addcmul(mul(s.expAvgSq as Tensor, b2), g, g, 1 - b2),
  };
}

export type { Params } from '../rule-optimizer.js';
/** Adam-style (beta1, beta2). */
export type Betas = readonly [number, number];

export function checkBetas(op: string, betas: readonly number[], n = 2): void {
  if (!Array.isArray(betas) || betas.length !== n)
    throw new ValueError(op, `invalid betas ${JSON.stringify(betas)}: expected ${n} numbers`);
  betas.forEach((b, i) => unitInterval(op, `betas[${i}]`, b));
}
/** torch.optim.Adam's defaults, which RAdam and NAdam share (NAdam with lr 2e-3). */
export const ADAM_FAMILY_DEFAULTS: AdamFamilyOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
  decoupledWeightDecay: false,
};

/** lr, eps and weightDecay non-negative, betas in [0, 1): what every Adam-style optimizer checks. */
export function checkAdamLike(
  o: { lr: number; eps?: number; betas: Betas; weightDecay?: number },
  op: string,
): void {
  checkCommon(op, o);
  checkBetas(op, o.betas);
}
export function checkCommon(op: string, o: { lr: number; eps?: number; weightDecay?: number }): void {
  nonNegative(op, 'lr', o.lr);
  if (o.eps !== undefined) nonNegative(op, 'eps', o.eps);
  if (o.weightDecay !== undefined) nonNegative(op, 'weightDecay', o.weightDecay);
}
