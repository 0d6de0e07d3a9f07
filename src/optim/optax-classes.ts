/**
 * Optimizers PyTorch lacks, in the same class style (Yogi, AdaBelief, LAMB, Lion, Novograd, Adan,
 * SignSGD): the optax recipe (recipes.ts, optax's definitions and defaults) run per parameter with the
 * group's current options.
 */
import type { Tensor } from '../tensor/tensor.js';
import { add } from '../ops/primitives/elementwise.js';
import type { GradientTransformation } from './core.js';
import { type ParamGroup, Optimizer } from './optimizer.js';
import { adabelief, adan, lamb, lion, novograd, signSgd, yogi } from './recipes.js';
import { nonNegative } from './validate.js';
import {
  type Betas,
  type ParamRule,
  type ParamState,
  type Params,
  checkBetas,
  checkCommon,
} from './torch/rule.js';

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
  protected override rule(g: ParamGroup<O>): ParamRule {
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
    checkCommon('Yogi', o);
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
    checkCommon('AdaBelief', o);
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
    checkCommon('LAMB', o);
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
    checkCommon('Lion', o);
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
    checkCommon('Novograd', o);
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
    checkCommon('Adan', o);
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
    checkCommon('SignSGD', o);
  }
  protected transform(o: SignSGDOptions): GradientTransformation {
    return signSgd(o.lr);
  }
}
