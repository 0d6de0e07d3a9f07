/** torch.optim.Adadelta: its rule, options and class. */
import type { Tensor } from '../../tensor/tensor.js';
import { ruleOptimizer } from '../rule-optimizer.js';
import { zerosLike } from '../../tensor/creation.js';
import { add, div, mul, sqrt } from '../../ops/primitives/elementwise.js';
import { unitInterval } from '../validate.js';
import { type ParamRule, addAlpha, addcmul, checkCommon, prep } from './rule.js';

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

/** The same fields as the rule it runs (AdadeltaRuleOptions). */
export type AdadeltaOptions = AdadeltaRuleOptions;
/** Adadelta (PyTorch: lr 1.0, eps 1e-6 inside both roots). */
export class Adadelta extends ruleOptimizer<AdadeltaOptions>({
  name: 'Adadelta',
  defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  validate: (o, name) => (checkCommon(name, o), unitInterval(name, 'rho', o.rho, true)),
  rule: adadeltaRule,
}) {}
