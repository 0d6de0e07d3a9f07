/**
 * torch.optim's classes, with PyTorch's constructor options (camelCased), defaults and numbers; and
 * classes in the same style for methods PyTorch lacks (Yogi, AdaBelief, LAMB, Lion, Novograd, Adan,
 * SignSGD), with optax's definitions and defaults. Each is a thin wrapper: options in, a pure rule out.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from '../ops/primitives/elementwise.js';
import type { GradientTransformation } from './core.js';
import { type ParamGroup, type ParamGroupInit, Optimizer } from './optimizer.js';
import { adabelief, adan, lamb, lion, novograd, signSgd, yogi } from './recipes.js';
import {
  type ParamRule,
  type ParamState,
  type AdadeltaRuleOptions,
  type AdagradRuleOptions,
  type RmspropRuleOptions,
  type SgdRuleOptions,
  adadeltaRule,
  adagradRule,
  adamaxRule,
  adamRule,
  nadamRule,
  radamRule,
  rmspropRule,
  sgdRule,
} from './torch-rules.js';
import { nonNegative, unitInterval } from './validate.js';

/** Parameters: a list of tensors or of param groups with their own options. */
export type Params<O> = readonly Tensor[] | readonly ParamGroupInit<O>[];
/** Adam-style (beta1, beta2). */
export type Betas = readonly [number, number];

function checkBetas(op: string, betas: readonly number[], n = 2): void {
  if (!Array.isArray(betas) || betas.length !== n)
    throw new ValueError(op, `invalid betas ${JSON.stringify(betas)}: expected ${n} numbers`);
  betas.forEach((b, i) => unitInterval(op, `betas[${i}]`, b));
}
function common(op: string, o: { lr: number; eps?: number; weightDecay?: number }): void {
  nonNegative(op, 'lr', o.lr);
  if (o.eps !== undefined) nonNegative(op, 'eps', o.eps);
  if (o.weightDecay !== undefined) nonNegative(op, 'weightDecay', o.weightDecay);
}

/** The same fields as the rule it runs (SgdRuleOptions). */
export type SGDOptions = SgdRuleOptions;
/** Stochastic gradient descent with momentum, dampening, Nesterov and coupled weight decay (torch.optim.SGD). */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(
      'SGD',
      params,
      {
        lr: 1e-3,
        momentum: 0,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
        maximize: false,
      },
      options,
    );
  }
  protected validate(o: SGDOptions): void {
    common('SGD', o);
    nonNegative('SGD', 'momentum', o.momentum);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ValueError(
        'SGD',
        `nesterov requires momentum > 0 and dampening = 0 (got momentum ${o.momentum}, dampening ${o.dampening})`,
      );
    }
  }
  protected rule(g: ParamGroup<SGDOptions>): ParamRule {
    return sgdRule(g);
  }
}

/** The same fields as the rule it runs (AdagradRuleOptions). */
export type AdagradOptions = AdagradRuleOptions;
/** Adagrad as PyTorch defines it: accumulator from 0, eps 1e-10 outside the root, lrDecay. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(
      'Adagrad',
      params,
      {
        lr: 1e-2,
        lrDecay: 0,
        weightDecay: 0,
        initialAccumulatorValue: 0,
        eps: 1e-10,
        maximize: false,
      },
      options,
    );
  }
  protected validate(o: AdagradOptions): void {
    common('Adagrad', o);
    nonNegative('Adagrad', 'lrDecay', o.lrDecay);
    nonNegative('Adagrad', 'initialAccumulatorValue', o.initialAccumulatorValue);
  }
  protected rule(g: ParamGroup<AdagradOptions>): ParamRule {
    return adagradRule(g);
  }
}

/** The same fields as the rule it runs (RmspropRuleOptions). */
export type RMSpropOptions = RmspropRuleOptions;
/** RMSprop as PyTorch defines it: eps outside the root, optional centering and momentum. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(
      'RMSprop',
      params,
      {
        lr: 1e-2,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
      },
      options,
    );
  }
  protected validate(o: RMSpropOptions): void {
    common('RMSprop', o);
    unitInterval('RMSprop', 'alpha', o.alpha, true);
    nonNegative('RMSprop', 'momentum', o.momentum);
  }
  protected rule(g: ParamGroup<RMSpropOptions>): ParamRule {
    return rmspropRule(g);
  }
}

/** The same fields as the rule it runs (AdadeltaRuleOptions). */
export type AdadeltaOptions = AdadeltaRuleOptions;
/** Adadelta (PyTorch: lr 1.0, eps 1e-6 inside both roots). */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: Params<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super('Adadelta', params, { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options);
  }
  protected validate(o: AdadeltaOptions): void {
    common('Adadelta', o);
    unitInterval('Adadelta', 'rho', o.rho, true);
  }
  protected rule(g: ParamGroup<AdadeltaOptions>): ParamRule {
    return adadeltaRule(g);
  }
}

export interface AdamOptions {
  lr: number;
  betas: Betas;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  decoupledWeightDecay: boolean;
}
/** Adam (torch.optim.Adam): coupled L2 `weightDecay`, AMSGrad on the raw second moment. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}, name = 'Adam') {
    super(
      name,
      params,
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
        maximize: false,
        decoupledWeightDecay: false,
      },
      options,
    );
  }
  protected validate(o: AdamOptions): void {
    common(this.name ?? 'Adam', o);
    checkBetas(this.name ?? 'Adam', o.betas);
  }
  protected rule(g: ParamGroup<AdamOptions>): ParamRule {
    return adamRule(g);
  }
}

/** AdamW: Adam with decoupled weight decay (default 1e-2): p *= 1 - lr wd before the step. */
export class AdamW extends Adam {
  constructor(params: Params<AdamOptions>, options: Partial<Omit<AdamOptions, 'decoupledWeightDecay'>> = {}) {
    super(params, { weightDecay: 1e-2, ...options, decoupledWeightDecay: true }, 'AdamW');
  }
}

export interface AdamaxOptions {
  lr: number;
  betas: Betas;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}
/** Adamax (torch.optim.Adamax): u = max(b2 u, |g| + eps). */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: Params<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(
      'Adamax',
      params,
      {
        lr: 2e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        maximize: false,
      },
      options,
    );
  }
  protected validate(o: AdamaxOptions): void {
    common('Adamax', o);
    checkBetas('Adamax', o.betas);
  }
  protected rule(g: ParamGroup<AdamaxOptions>): ParamRule {
    return adamaxRule(g);
  }
}

export interface NAdamOptions {
  lr: number;
  betas: Betas;
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}
/** NAdam as PyTorch 2.x defines it (the momentumDecay schedule of mu_t). */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: Params<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(
      'NAdam',
      params,
      {
        lr: 2e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        momentumDecay: 4e-3,
        decoupledWeightDecay: false,
        maximize: false,
      },
      options,
    );
  }
  protected validate(o: NAdamOptions): void {
    common('NAdam', o);
    checkBetas('NAdam', o.betas);
    nonNegative('NAdam', 'momentumDecay', o.momentumDecay);
  }
  protected rule(g: ParamGroup<NAdamOptions>): ParamRule {
    return nadamRule(g);
  }
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
    common('RAdam', o);
    checkBetas('RAdam', o.betas);
  }
  protected rule(g: ParamGroup<RAdamOptions>): ParamRule {
    return radamRule(g);
  }
}

// ------------------------------------------------------------------------------------------------
// Methods PyTorch lacks: the optax recipe, run per parameter with the group's current options.

/** A per-parameter rule from an optax-style transformation (state = the transformation's state for [p]). */
export function ruleFromTransform(tx: GradientTransformation): ParamRule {
  return {
    init: (p) => ({ tx: tx.init([p]) }) as unknown as ParamState,
    step: (p, g, s) => {
      const [u, next] = tx.update([g], (s as unknown as { tx: unknown }).tx, [p]);
      return [add(p, (u as Tensor[])[0]), { tx: next } as unknown as ParamState];
    },
  };
}

abstract class OptaxBacked<O extends { lr: number }> extends Optimizer<O> {
  protected abstract transform(o: O): GradientTransformation;
  protected rule(g: ParamGroup<O>): ParamRule {
    return ruleFromTransform(this.transform(g));
  }
}

export interface YogiOptions {
  lr: number;
  betas: Betas;
  eps: number;
}
/** Yogi (optax's definition and defaults: eps 1e-3, accumulators from 1e-6). */
export class Yogi extends OptaxBacked<YogiOptions> {
  constructor(params: Params<YogiOptions>, options: Partial<YogiOptions> = {}) {
    super('Yogi', params, { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-3 }, options);
  }
  protected validate(o: YogiOptions): void {
    common('Yogi', o);
    checkBetas('Yogi', o.betas);
  }
  protected transform(o: YogiOptions): GradientTransformation {
    return yogi(o.lr, { b1: o.betas[0], b2: o.betas[1], eps: o.eps });
  }
}

export interface AdaBeliefOptions {
  lr: number;
  betas: Betas;
  eps: number;
  epsRoot: number;
}
/** AdaBelief (optax: eps = epsRoot = 1e-16). */
export class AdaBelief extends OptaxBacked<AdaBeliefOptions> {
  constructor(params: Params<AdaBeliefOptions>, options: Partial<AdaBeliefOptions> = {}) {
    super('AdaBelief', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-16, epsRoot: 1e-16 }, options);
  }
  protected validate(o: AdaBeliefOptions): void {
    common('AdaBelief', o);
    checkBetas('AdaBelief', o.betas);
    nonNegative('AdaBelief', 'epsRoot', o.epsRoot);
  }
  protected transform(o: AdaBeliefOptions): GradientTransformation {
    return adabelief(o.lr, { b1: o.betas[0], b2: o.betas[1], eps: o.eps, epsRoot: o.epsRoot });
  }
}

export interface LAMBOptions {
  lr: number;
  betas: Betas;
  eps: number;
  weightDecay: number;
}
/** LAMB (optax: eps 1e-6, decoupled weight decay, layer-wise trust ratio). */
export class LAMB extends OptaxBacked<LAMBOptions> {
  constructor(params: Params<LAMBOptions>, options: Partial<LAMBOptions> = {}) {
    super('LAMB', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0 }, options);
  }
  protected validate(o: LAMBOptions): void {
    common('LAMB', o);
    checkBetas('LAMB', o.betas);
  }
  protected transform(o: LAMBOptions): GradientTransformation {
    return lamb(o.lr, { b1: o.betas[0], b2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay });
  }
}

export interface LionOptions {
  lr: number;
  betas: Betas;
  weightDecay: number;
}
/** Lion (optax: betas 0.9/0.99, weight decay 1e-3). */
export class Lion extends OptaxBacked<LionOptions> {
  constructor(params: Params<LionOptions>, options: Partial<LionOptions> = {}) {
    super('Lion', params, { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 1e-3 }, options);
  }
  protected validate(o: LionOptions): void {
    common('Lion', o);
    checkBetas('Lion', o.betas);
  }
  protected transform(o: LionOptions): GradientTransformation {
    return lion(o.lr, { b1: o.betas[0], b2: o.betas[1], weightDecay: o.weightDecay });
  }
}

export interface NovogradOptions {
  lr: number;
  betas: Betas;
  eps: number;
  weightDecay: number;
}
/** NovoGrad (optax: betas 0.9/0.25, eps 1e-6). */
export class Novograd extends OptaxBacked<NovogradOptions> {
  constructor(params: Params<NovogradOptions>, options: Partial<NovogradOptions> = {}) {
    super('Novograd', params, { lr: 1e-3, betas: [0.9, 0.25], eps: 1e-6, weightDecay: 0 }, options);
  }
  protected validate(o: NovogradOptions): void {
    common('Novograd', o);
    checkBetas('Novograd', o.betas);
  }
  protected transform(o: NovogradOptions): GradientTransformation {
    return novograd(o.lr, { b1: o.betas[0], b2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay });
  }
}

export interface AdanOptions {
  lr: number;
  betas: readonly [number, number, number];
  eps: number;
  weightDecay: number;
}
/** Adan (optax: betas 0.98/0.92/0.99). */
export class Adan extends OptaxBacked<AdanOptions> {
  constructor(params: Params<AdanOptions>, options: Partial<AdanOptions> = {}) {
    super('Adan', params, { lr: 1e-3, betas: [0.98, 0.92, 0.99], eps: 1e-8, weightDecay: 0 }, options);
  }
  protected validate(o: AdanOptions): void {
    common('Adan', o);
    checkBetas('Adan', o.betas, 3);
  }
  protected transform(o: AdanOptions): GradientTransformation {
    return adan(o.lr, {
      b1: o.betas[0],
      b2: o.betas[1],
      b3: o.betas[2],
      eps: o.eps,
      weightDecay: o.weightDecay,
    });
  }
}

export interface SignSGDOptions {
  lr: number;
}
/** SignSGD: p -= lr sign(g). */
export class SignSGD extends OptaxBacked<SignSGDOptions> {
  constructor(params: Params<SignSGDOptions>, options: Partial<SignSGDOptions> = {}) {
    super('SignSGD', params, { lr: 1e-3 }, options);
  }
  protected validate(o: SignSGDOptions): void {
    common('SignSGD', o);
  }
  protected transform(o: SignSGDOptions): GradientTransformation {
    return signSgd(o.lr);
  }
}
