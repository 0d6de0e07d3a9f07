/** torch.optim.RAdam: its rule, options and class. */
import type { Tensor } from '../../tensor/tensor.js';
import { type ParamGroup, Optimizer } from '../optimizer.js';
import { zerosLike } from '../../tensor/creation.js';
import { add, div, mul, sqrt } from '../../ops/primitives/elementwise.js';
import {
  type Betas,
  type ParamRule,
  type Params,
  adamMoments,
  addAlpha,
  checkBetas,
  checkCommon,
} from './rule.js';

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

export interface RAdamOptions {
  lr: number;
  betas: Betas;
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}
/** RAdam as PyTorch defines it (eps added to sqrt(v) before the bias correction). */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: Params<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(
      'RAdam',
      params,
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        decoupledWeightDecay: false,
        maximize: false,
      },
      options,
    );
  }
  protected validate(o: RAdamOptions): void {
    checkCommon('RAdam', o);
    checkBetas('RAdam', o.betas);
  }
  protected override rule(g: ParamGroup<RAdamOptions>): ParamRule {
    return radamRule(g);
  }
}
