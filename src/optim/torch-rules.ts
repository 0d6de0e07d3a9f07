/**
 * PyTorch's update rules (torch.optim, 2.x, single-tensor path) as pure per-parameter functions:
 * `init(p)` gives the state, `step(p, g, state)` gives the new parameter value and state, with the
 * operations in PyTorch's order so the numbers agree to the last bits. State keys are PyTorch's,
 * camelCased (exp_avg -> expAvg, momentum_buffer -> momentumBuffer, ...). The classes in `classes.ts`
 * are thin wrappers that keep these states per parameter.
 */
import { Tensor } from '../tensor/tensor.js';
import { fullLike, zerosLike } from '../tensor/creation.js';
import { abs, add, div, maximum, mul, neg, sqrt, sub } from '../ops/primitives/elementwise.js';
import { fusedAdamStep, fusedSgdStep } from '../ops/fused-optim.js';

/** A parameter's optimizer state: tensors, numbers, null, or arrays/records of them. */
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
const addAlpha = (a: Tensor, b: Tensor, alpha: number) => add(a, mul(b, alpha));
/** self + value * t1 * t2 */
const addcmul = (a: Tensor, t1: Tensor, t2: Tensor, value: number) => add(a, mul(mul(t1, value), t2));
/** self + value * t1 / t2 */
const addcdiv = (a: Tensor, t1: Tensor, t2: Tensor, value: number) => add(a, div(mul(t1, value), t2));
/** torch.lerp: exact at both ends, as ATen computes it. */
function lerp(a: Tensor, b: Tensor, w: number): Tensor {
  return Math.abs(w) < 0.5 ? add(a, mul(sub(b, a), w)) : sub(b, mul(sub(b, a), 1 - w));
}

function prep(g: Tensor, p: Tensor, o: { maximize?: boolean; weightDecay?: number }, coupled = true): Tensor {
  let grad = o.maximize ? neg(g) : g;
  if (coupled && o.weightDecay) grad = addAlpha(grad, p, o.weightDecay);
  return grad;
}

export interface SgdRuleOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}
/** sgdRule's update through the backend's fused kernel where there is one: bit for bit the composed ops. */
function fusedSgd(p: Tensor, g: Tensor, s: ParamState, o: SgdRuleOptions, inPlace: boolean) {
  const prev = (s.momentumBuffer as Tensor | null | undefined) ?? null;
  const r = fusedSgdStep(p, g, prev, o, inPlace);
  if (!r) return null;
  const state: ParamState = o.momentum === 0 ? {} : { momentumBuffer: r.buf };
  return [r.p, state] as [Tensor, ParamState];
}

export function sgdRule(o: SgdRuleOptions): ParamRule {
  return {
    init: () => ({}),
    stepInPlace: (p, g, s) => fusedSgd(p, g, s, o, true)?.[1] ?? null,
    step: (p, g0, s) => {
      const fused = fusedSgd(p, g0, s, o, false);
      if (fused) return fused;
      let g = prep(g0, p, o);
      if (o.momentum === 0) return [addAlpha(p, g, -o.lr), {}];
      const prev = s.momentumBuffer as Tensor | null | undefined;
      // The first step stores g itself: dampening does not apply to it.
      const buf = prev ? addAlpha(mul(prev, o.momentum), g, 1 - o.dampening) : g.clone();
      g = o.nesterov ? addAlpha(g, buf, o.momentum) : buf;
      return [addAlpha(p, g, -o.lr), { momentumBuffer: buf }];
    },
  };
}

export interface AdagradRuleOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}
export function adagradRule(o: AdagradRuleOptions): ParamRule {
  return {
    init: (p) => ({ step: 0, sum: fullLike(p.detach(), o.initialAccumulatorValue) }),
    step: (p, g0, s) => {
      const step = (s.step as number) + 1;
      const g = prep(g0, p, o);
      const clr = o.lr / (1 + (step - 1) * o.lrDecay);
      const sum = addcmul(s.sum as Tensor, g, g, 1);
      const std = add(sqrt(sum), o.eps);
      return [addcdiv(p, g, std, -clr), { step, sum }];
    },
  };
}

export interface RmspropRuleOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}
export function rmspropRule(o: RmspropRuleOptions): ParamRule {
  return {
    init: (p) => {
      const s: ParamState = { step: 0, squareAvg: zerosLike(p.detach()) };
      if (o.momentum > 0) s.momentumBuffer = zerosLike(p.detach());
      if (o.centered) s.gradAvg = zerosLike(p.detach());
      return s;
    },
    step: (p, g0, s) => {
      const step = (s.step as number) + 1;
      const g = prep(g0, p, o);
      const squareAvg = addcmul(mul(s.squareAvg as Tensor, o.alpha), g, g, 1 - o.alpha);
      const next: ParamState = { step, squareAvg };
      let avg: Tensor;
      if (o.centered) {
        const gradAvg = lerp(s.gradAvg as Tensor, g, 1 - o.alpha);
        next.gradAvg = gradAvg;
        avg = sqrt(addcmul(squareAvg, gradAvg, gradAvg, -1));
      } else {
        avg = sqrt(squareAvg);
      }
      avg = add(avg, o.eps);
      if (o.momentum > 0) {
        const buf = addcdiv(mul(s.momentumBuffer as Tensor, o.momentum), g, avg, 1);
        next.momentumBuffer = buf;
        return [addAlpha(p, buf, -o.lr), next];
      }
      return [addcdiv(p, g, avg, -o.lr), next];
    },
  };
}

export interface AdadeltaRuleOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}
export function adadeltaRule(o: AdadeltaRuleOptions): ParamRule {
  return {
    init: (p) => ({ step: 0, squareAvg: zerosLike(p.detach()), accDelta: zerosLike(p.detach()) }),
    step: (p, g0, s) => {
      const step = (s.step as number) + 1;
      const g = prep(g0, p, o);
      const squareAvg = addcmul(mul(s.squareAvg as Tensor, o.rho), g, g, 1 - o.rho);
      const std = sqrt(add(squareAvg, o.eps));
      const delta = mul(div(sqrt(add(s.accDelta as Tensor, o.eps)), std), g);
      const accDelta = addcmul(mul(s.accDelta as Tensor, o.rho), delta, delta, 1 - o.rho);
      return [addAlpha(p, delta, -o.lr), { step, squareAvg, accDelta }];
    },
  };
}

interface AdamFamilyOptions {
  lr: number;
  weightDecay: number;
  maximize: boolean;
  decoupledWeightDecay: boolean;
}

/** The Adam family's shared start: weight decay (coupled into g, or decoupled on p) and both moments. */
function adamMoments(p0: Tensor, g0: Tensor, s: ParamState, o: AdamFamilyOptions, b1: number, b2: number) {
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

/**
 * The same update in one pass where the backend has a fused Adam kernel: bit for bit the composed ops
 * below (tested in test/kernels.test.ts).
 */
function fusedAdam(
  p0: Tensor,
  g0: Tensor,
  s: ParamState,
  o: AdamRuleOptions,
  inPlace: boolean,
): [Tensor, ParamState] | null {
  const [b1, b2] = o.betas;
  const step = (s.step as number) + 1;
  const args = {
    lr: o.lr,
    beta1: b1,
    beta2: b2,
    eps: o.eps,
    weightDecay: o.weightDecay,
    decoupled: o.decoupledWeightDecay,
    maximize: o.maximize,
    stepSize: o.lr / (1 - b1 ** step),
    bc2Sqrt: Math.sqrt(1 - b2 ** step),
  };
  const maxV = o.amsgrad ? (s.maxExpAvgSq as Tensor) : null;
  const r = fusedAdamStep(p0, g0, s.expAvg as Tensor, s.expAvgSq as Tensor, maxV, args, inPlace);
  if (!r) return null;
  if (inPlace) return [p0, { ...s, step }];
  const next: ParamState = { step, expAvg: r.m, expAvgSq: r.v };
  if (r.maxV) next.maxExpAvgSq = r.maxV;
  return [r.p, next];
}

export interface AdamRuleOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW: p *= 1 - lr * weightDecay before the step, instead of adding weightDecay * p to g. */
  decoupledWeightDecay: boolean;
}
export function adamRule(o: AdamRuleOptions): ParamRule {
  const [b1, b2] = o.betas;
  return {
    init: (p) => {
      const s: ParamState = { step: 0, expAvg: zerosLike(p.detach()), expAvgSq: zerosLike(p.detach()) };
      if (o.amsgrad) s.maxExpAvgSq = zerosLike(p.detach());
      return s;
    },
    stepInPlace: (p, g, s) => fusedAdam(p, g, s, o, true)?.[1] ?? null,
    step: (p0, g0, s) => {
      const fused = fusedAdam(p0, g0, s, o, false);
      if (fused) return fused;
      const { step, p, expAvg, expAvgSq } = adamMoments(p0, g0, s, o, b1, b2);
      const stepSize = o.lr / (1 - b1 ** step);
      const bc2Sqrt = Math.sqrt(1 - b2 ** step);
      const next: ParamState = { step, expAvg, expAvgSq };
      let v = expAvgSq;
      if (o.amsgrad) {
        v = maximum(s.maxExpAvgSq as Tensor, expAvgSq);
        next.maxExpAvgSq = v;
      }
      const denom = add(div(sqrt(v), bc2Sqrt), o.eps);
      return [addcdiv(p, expAvg, denom, -stepSize), next];
    },
  };
}

export interface AdamaxRuleOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}
export function adamaxRule(o: AdamaxRuleOptions): ParamRule {
  const [b1, b2] = o.betas;
  return {
    init: (p) => ({ step: 0, expAvg: zerosLike(p.detach()), expInf: zerosLike(p.detach()) }),
    step: (p, g0, s) => {
      const step = (s.step as number) + 1;
      const g = prep(g0, p, o);
      const expAvg = lerp(s.expAvg as Tensor, g, 1 - b1);
      const expInf = maximum(mul(s.expInf as Tensor, b2), add(abs(g), o.eps));
      const clr = o.lr / (1 - b1 ** step);
      return [addcdiv(p, expAvg, expInf, -clr), { step, expAvg, expInf }];
    },
  };
}

export interface NadamRuleOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}
export function nadamRule(o: NadamRuleOptions): ParamRule {
  const [b1, b2] = o.betas;
  return {
    init: (p) => ({ step: 0, muProduct: 1, expAvg: zerosLike(p.detach()), expAvgSq: zerosLike(p.detach()) }),
    step: (p0, g0, s) => {
      const { step, p, g, expAvg, expAvgSq } = adamMoments(p0, g0, s, o, b1, b2);
      const bc2 = 1 - b2 ** step;
      // PyTorch 2.x's momentum schedule.
      const mu = b1 * (1 - 0.5 * 0.96 ** (step * o.momentumDecay));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * o.momentumDecay));
      const muProduct = (s.muProduct as number) * mu;
      const denom = add(sqrt(div(expAvgSq, bc2)), o.eps);
      const muProductNext = muProduct * muNext;
      let out = addcdiv(p, g, denom, (-o.lr * (1 - mu)) / (1 - muProduct));
      out = addcdiv(out, expAvg, denom, (-o.lr * muNext) / (1 - muProductNext));
      return [out, { step, muProduct, expAvg, expAvgSq }];
    },
  };
}

export interface RadamRuleOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}
export function radamRule(o: RadamRuleOptions): ParamRule {
  const [b1, b2] = o.betas;
  return {
    init: (p) => ({ step: 0, expAvg: zerosLike(p.detach()), expAvgSq: zerosLike(p.detach()) }),
    step: (p0, g0, s) => {
      const { step, p, expAvg, expAvgSq } = adamMoments(p0, g0, s, o, b1, b2);
      const bc1 = 1 - b1 ** step;
      const bc2 = 1 - b2 ** step;
      const corrected = div(expAvg, bc1);
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - (2 * step * b2 ** step) / bc2;
      let update: Tensor;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        // eps joins sqrt(v) before the bias correction, unlike Adam.
        const adaptive = div(Math.sqrt(bc2), add(sqrt(expAvgSq), o.eps));
        update = mul(mul(mul(corrected, o.lr), adaptive), rect);
      } else {
        update = mul(corrected, o.lr);
      }
      return [addAlpha(p, update, -1), { step, expAvg, expAvgSq }];
    },
  };
}
