/** torch.optim.Adamax: its rule, options and class. */
import type { Tensor } from '../../tensor/tensor.js';
import { ruleOptimizer } from '../rule-optimizer.js';
import { zerosLike } from '../../tensor/creation.js';
import { abs, add, maximum, mul } from '../../ops/primitives/elementwise.js';
import type { ParamRule, AdamFamilyOptions } from './rule.js';
import { addcdiv, lerp, prep, checkAdamLike } from './rule.js';

export type AdamaxRuleOptions = Omit<AdamFamilyOptions, 'decoupledWeightDecay'>;
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

export type AdamaxOptions = AdamaxRuleOptions;
/** Adamax (torch.optim.Adamax): u = max(b2 u, |g| + eps). */
export class Adamax extends ruleOptimizer<AdamaxOptions>({
  name: 'Adamax',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  validate: checkAdamLike,
  rule: adamaxRule,
}) {}
