/** torch.optim.Adagrad: its rule, options and class. */
import type { Tensor } from '../../tensor/tensor.js';
import { ruleOptimizer } from '../rule-optimizer.js';
import { fullLike } from '../../tensor/creation.js';
import { add, sqrt } from '../../ops/primitives/elementwise.js';
import { nonNegative } from '../validate.js';
import { type ParamRule, addcdiv, addcmul, checkCommon, prep } from './rule.js';

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

/** The same fields as the rule it runs (AdagradRuleOptions). */
export type AdagradOptions = AdagradRuleOptions;
/** Adagrad as PyTorch defines it: accumulator from 0, eps 1e-10 outside the root, lrDecay. */
export class Adagrad extends ruleOptimizer<AdagradOptions>({
  name: 'Adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  validate: (o, name) => {
    checkCommon(name, o);
    nonNegative(name, 'lrDecay', o.lrDecay);
    nonNegative(name, 'initialAccumulatorValue', o.initialAccumulatorValue);
  },
  rule: adagradRule,
}) {}
