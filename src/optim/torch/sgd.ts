/** torch.optim.SGD: its rule (with the fused kernel where the backend has one), options and class. */
import type { Tensor } from '../../tensor/tensor.js';
import { ruleOptimizer } from '../rule-optimizer.js';
import type { SgdStepArgs } from '../../backends/backend.js';
import { ValueError } from '../../errors.js';
import { mul } from '../../ops/primitives/elementwise.js';
import { fusedSgdStep } from '../../ops/fused-optim.js';
import { nonNegative } from '../validate.js';
import { type ParamRule, type ParamState, addAlpha, checkCommon, prep } from './rule.js';

/** The same fields as the fused kernel's (Backend's SgdStepArgs): one list of SGD's options. */
export type SgdRuleOptions = SgdStepArgs;
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

/** The same fields as the rule it runs (SgdRuleOptions). */
export type SGDOptions = SgdRuleOptions;
/** Stochastic gradient descent with momentum, dampening, Nesterov and coupled weight decay (torch.optim.SGD). */
export class SGD extends ruleOptimizer<SGDOptions>({
  name: 'SGD',
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  validate: (o, name) => {
    checkCommon(name, o);
    nonNegative(name, 'momentum', o.momentum);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      const got = `got momentum ${o.momentum}, dampening ${o.dampening}`;
      throw new ValueError(name, `nesterov requires momentum > 0 and dampening = 0 (${got})`);
    }
  },
  rule: sgdRule,
}) {}
