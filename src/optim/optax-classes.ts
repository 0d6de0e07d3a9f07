/**
 * Optimizers PyTorch lacks, in the same class style (Yogi, AdaBelief, LAMB, Lion, Novograd, Adan,
 * SignSGD): the optax recipe (recipes.ts, optax's definitions and defaults) run per parameter with the
 * group's current options.
 */
import type { Tensor } from '../tensor/tensor.js';
import { add } from '../ops/primitives/elementwise.js';
import type { GradientTransformation } from './core.js';
import { ruleOptimizer } from './rule-optimizer.js';
import { adabelief, adan, lamb, lion, novograd, signSgd, yogi } from './recipes.js';
import { nonNegative } from './validate.js';
import {
  type Betas,
  type ParamRule,
  type ParamState,
  checkAdamLike,
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

/** The optax recipe for a group's current options, per parameter. */
const viaOptax =
  <O>(recipe: (o: O) => GradientTransformation) =>
  (o: O): ParamRule =>
    ruleFromTransform(recipe(o));
const b12 = (betas: readonly number[]) => ({ b1: betas[0], b2: betas[1] });

export type YogiOptions = { lr: number; betas: Betas; eps: number };
/** Yogi (optax's definition and defaults: eps 1e-3, accumulators from 1e-6). */
export class Yogi extends ruleOptimizer<YogiOptions>({
  name: 'Yogi',
  defaults: { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-3 },
  validate: checkAdamLike,
  rule: viaOptax((o) => yogi(o.lr, { ...b12(o.betas), eps: o.eps })),
}) {}

export type AdaBeliefOptions = { lr: number; betas: Betas; eps: number; epsRoot: number };
/** AdaBelief (optax: eps = epsRoot = 1e-16). */
export class AdaBelief extends ruleOptimizer<AdaBeliefOptions>({
  name: 'AdaBelief',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-16, epsRoot: 1e-16 },
  validate: (o, name) => (checkAdamLike(o, name), nonNegative(name, 'epsRoot', o.epsRoot)),
  rule: viaOptax((o) => adabelief(o.lr, { ...b12(o.betas), eps: o.eps, epsRoot: o.epsRoot })),
}) {}

export type LAMBOptions = { lr: number; betas: Betas; eps: number; weightDecay: number };
/** LAMB (optax: eps 1e-6, decoupled weight decay, layer-wise trust ratio). */
export class LAMB extends ruleOptimizer<LAMBOptions>({
  name: 'LAMB',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0 },
  validate: checkAdamLike,
  rule: viaOptax((o) => lamb(o.lr, { ...b12(o.betas), eps: o.eps, weightDecay: o.weightDecay })),
}) {}

export type LionOptions = { lr: number; betas: Betas; weightDecay: number };
/** Lion (optax: betas 0.9/0.99, weight decay 1e-3). */
export class Lion extends ruleOptimizer<LionOptions>({
  name: 'Lion',
  defaults: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 1e-3 },
  validate: checkAdamLike,
  rule: viaOptax((o) => lion(o.lr, { ...b12(o.betas), weightDecay: o.weightDecay })),
}) {}

export type NovogradOptions = { lr: number; betas: Betas; eps: number; weightDecay: number };
/** NovoGrad (optax: betas 0.9/0.25, eps 1e-6). */
export class Novograd extends ruleOptimizer<NovogradOptions>({
  name: 'Novograd',
  defaults: { lr: 1e-3, betas: [0.9, 0.25], eps: 1e-6, weightDecay: 0 },
  validate: checkAdamLike,
  rule: viaOptax((o) => novograd(o.lr, { ...b12(o.betas), eps: o.eps, weightDecay: o.weightDecay })),
}) {}

export type AdanOptions = {
  lr: number;
  betas: readonly [number, number, number];
  eps: number;
  weightDecay: number;
};
/** Adan (optax: betas 0.98/0.92/0.99). */
export class Adan extends ruleOptimizer<AdanOptions>({
  name: 'Adan',
  defaults: { lr: 1e-3, betas: [0.98, 0.92, 0.99], eps: 1e-8, weightDecay: 0 },
  validate: (o, name) => (checkCommon(name, o), checkBetas(name, o.betas, 3)),
  rule: viaOptax((o) =>
    adan(o.lr, { ...b12(o.betas), b3: o.betas[2], eps: o.eps, weightDecay: o.weightDecay }),
  ),
}) {}

export type SignSGDOptions = { lr: number };
/** SignSGD: p -= lr sign(g). */
export class SignSGD extends ruleOptimizer<SignSGDOptions>({
  name: 'SignSGD',
  defaults: { lr: 1e-3 },
  validate: (o, name) => checkCommon(name, o),
  rule: viaOptax((o) => signSgd(o.lr)),
}) {}
