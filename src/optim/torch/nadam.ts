/** torch.optim.NAdam: its rule, options and class. */
import { ruleOptimizer } from '../rule-optimizer.js';
import { zerosLike } from '../../tensor/creation.js';
import { add, div, sqrt } from '../../ops/primitives/elementwise.js';
import { nonNegative } from '../validate.js';
import type { ParamRule, AdamFamilyOptions } from './rule.js';
import { adamMoments, addcdiv, ADAM_FAMILY_DEFAULTS, checkAdamLike } from './rule.js';

export type NadamRuleOptions = AdamFamilyOptions & { momentumDecay: number };
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

export type NAdamOptions = NadamRuleOptions;
/** NAdam as PyTorch 2.x defines it (the momentumDecay schedule of mu_t). */
export class NAdam extends ruleOptimizer<NAdamOptions>({
  name: 'NAdam',
  defaults: { ...ADAM_FAMILY_DEFAULTS, lr: 2e-3, momentumDecay: 4e-3 },
  validate: (o, name) => (checkAdamLike(o, name), nonNegative(name, 'momentumDecay', o.momentumDecay)),
  rule: nadamRule,
}) {}
