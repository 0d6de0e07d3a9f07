/**
 * torch.optim's optimizers, one file each (rule, options, class), with PyTorch's constructor options
 * (camelCased), defaults and numbers. Each rule is pure (`init`/`step`, in PyTorch's operation order so the
 * numbers agree to the last bits; state keys are PyTorch's, camelCased); each class is a thin wrapper that
 * keeps those states per parameter.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
 * opt.zeroGrad(); loss().backward(); opt.step();
 */
export { type ParamState, type ParamRule, type Betas } from './rule.js';
export {
  type Params,
  ruleOptimizer,
  type RuleOptimizerSpec,
  type RuleOptimizerClass,
} from '../rule-optimizer.js';
export * from './sgd.js';
export * from './adagrad.js';
export * from './rmsprop.js';
export * from './adadelta.js';
export * from './adam.js';
export * from './adamax.js';
export * from './nadam.js';
export * from './radam.js';
