/** torch.optim.RMSprop: its rule, options and class. */
import type { Tensor } from '../../tensor/tensor.js';
import { ruleOptimizer } from '../rule-optimizer.js';
import { zerosLike } from '../../tensor/creation.js';
import { add, mul, sqrt } from '../../ops/primitives/elementwise.js';
import { nonNegative, unitInterval } from '../validate.js';
import {
  type ParamRule,
  type ParamState,
  addAlpha,
  addcdiv,
  addcmul,
  checkCommon,
  lerp,
  prep,
} from './rule.js';

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

/** The same fields as the rule it runs (RmspropRuleOptions). */
export type RMSpropOptions = RmspropRuleOptions;
/** RMSprop as PyTorch defines it: eps outside the root, optional centering and momentum. */
export class RMSprop extends ruleOptimizer<RMSpropOptions>({
  name: 'RMSprop',
  defaults: {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
    maximize: false,
  },
  validate: (o, name) => {
    checkCommon(name, o);
    unitInterval(name, 'alpha', o.alpha, true);
    nonNegative(name, 'momentum', o.momentum);
  },
  rule: rmspropRule,
}) {}
