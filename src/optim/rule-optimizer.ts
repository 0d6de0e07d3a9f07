/**
 * The class shell of a per-parameter optimizer: a name, defaults, option checks and a pure rule make a
 * PyTorch-style class (`new Adamax(params, { lr })`, param groups, state dicts). The torch.optim classes
 * and the optax-backed ones are each one `ruleOptimizer` call beside their rule.
 */
import type { Tensor } from '../tensor/tensor.js';
import { type ParamGroup, type ParamGroupInit, Optimizer } from './optimizer.js';
import type { ParamRule } from './torch/rule.js';

/** Parameters: a list of tensors or of param groups with their own options. */
export type Params<O> = readonly Tensor[] | readonly ParamGroupInit<O>[];

export interface RuleOptimizerSpec<O extends object> {
  name: string;
  defaults: O;
  /** Throws a ValueError naming the option at fault (`name` is the optimizer's, for the message). */
  validate(options: O, name: string): void;
  /** The update rule for a group's current options. */
  rule(options: O): ParamRule;
}

export type RuleOptimizerClass<O extends object> = new (
  params: Params<O>,
  options?: Partial<O>,
) => Optimizer<O>;

export function ruleOptimizer<O extends object>(spec: RuleOptimizerSpec<O>): RuleOptimizerClass<O> {
  return class extends Optimizer<O> {
    constructor(params: Params<O>, options: Partial<O> = {}) {
      super(spec.name, params, spec.defaults, options);
    }
    protected override validate(o: O): void {
      spec.validate(o, spec.name);
    }
    protected override rule(g: ParamGroup<O>): ParamRule {
      return spec.rule(g);
    }
  };
}
