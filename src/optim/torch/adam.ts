/** torch.optim.Adam and AdamW: the rule (with the fused kernel where the backend has one), options and classes. */
import type { Tensor } from '../../tensor/tensor.js';
import { type ParamGroup, Optimizer } from '../optimizer.js';
import { zerosLike } from '../../tensor/creation.js';
import { add, div, maximum, sqrt } from '../../ops/primitives/elementwise.js';
import { fusedAdamStep } from '../../ops/fused-optim.js';
import type { ParamRule, ParamState, Params, AdamFamilyOptions } from './rule.js';
import { adamMoments, addcdiv, ADAM_FAMILY_DEFAULTS, checkAdamLike } from './rule.js';

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

export type AdamRuleOptions = AdamFamilyOptions & { amsgrad: boolean };
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

export type AdamOptions = AdamRuleOptions;
/** Adam (torch.optim.Adam): coupled L2 `weightDecay`, AMSGrad on the raw second moment. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}, name = 'Adam') {
    super(name, params, { ...ADAM_FAMILY_DEFAULTS, amsgrad: false }, options);
  }
  protected override validate(o: AdamOptions): void {
    checkAdamLike(o, this.name ?? 'Adam');
  }
  protected override rule(g: ParamGroup<AdamOptions>): ParamRule {
    return adamRule(g);
  }
}

/** AdamW: Adam with decoupled weight decay (default 1e-2): p *= 1 - lr wd before the step. */
export class AdamW extends Adam {
  constructor(params: Params<AdamOptions>, options: Partial<Omit<AdamOptions, 'decoupledWeightDecay'>> = {}) {
    super(params, { weightDecay: 1e-2, ...options, decoupledWeightDecay: true }, 'AdamW');
  }
}
