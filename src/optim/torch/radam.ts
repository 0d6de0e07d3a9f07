/** torch.optim.RAdam: its rule, options and class. */
import type { Tensor } from '../../tensor/tensor.js';
import { ruleOptimizer } from '../rule-optimizer.js';
import { zerosLike } from '../../tensor/creation.js';
import { add, div, mul, sqrt } from '../../ops/primitives/elementwise.js';
import type { ParamRule, AdamFamilyOptions } from './rule.js';
import { adamMoments, addAlpha, ADAM_FAMILY_DEFAULTS, checkAdamLike } from './rule.js';

export type RadamRuleOptions = AdamFamilyOptions;
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

export type RAdamOptions = RadamRuleOptions;
/** RAdam as PyTorch defines it (eps added to sqrt(v) before the bias correction). */
export class RAdam extends ruleOptimizer<RAdamOptions>({
  name: 'RAdam',
  defaults: ADAM_FAMILY_DEFAULTS,
  validate: checkAdamLike,
  rule: radamRule,
}) {}
