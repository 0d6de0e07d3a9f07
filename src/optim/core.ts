/**
 * The functional core, optax's design: a gradient transformation is a pure pair
 * `init(params) -> state`, `update(updates, state, params) -> [updates, state]`; `chain` composes them;
 * `applyUpdates` adds the final updates to the parameters. Parameters may be a tensor or any tree
 * (arrays/records) of tensors.
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { add, mul, sub } from '../ops/primitives/elementwise.js';
import { type Tree, treeLeaves, treeMap } from '../tree.js';

/** A learning rate (or other hyperparameter) as a function of the update count, optax style. */
export type Schedule = (count: number) => number;
/**
 * A hyperparameter: a number, or a one-element tensor. With a tensor the update is differentiable in
 * it, so a validation loss after some steps has a gradient in the learning rate, the weight decay, the
 * momentum (`unroll`, hypergradients).
 */
export type Hyper = number | Tensor;
/** A hyperparameter, or a schedule of the step count. */
export type ScalarOrSchedule = Hyper | Schedule;

/** A state value: numbers, tensors, and arrays/records of them (JSON-serializable via Tensor.toJSON). */
export type OptState = unknown;

/** An optax-style gradient transformation. */
export interface GradientTransformation<S = unknown> {
  init(params: Tree): S;
  update(updates: Tree, state: S, params?: Tree): [Tree, S];
}

/** The leaves of `updates` as an array (the order every transform's per-leaf state follows). */
export function leaves(tree: Tree): Tensor[] {
  return treeLeaves(tree);
}

/** Rebuilds `like`'s structure with new leaves, in leaf order. */
export function withLeaves<T extends Tree>(like: T, values: readonly Tensor[]): T {
  return treeMap(like, (_, i) => values[i]);
}

/** Maps the leaves of `updates`, with the matching leaves of other same-structured trees. */
export function mapLeaves(updates: Tree, fn: (g: Tensor, i: number) => Tensor): Tree {
  return treeMap(updates, (g, i) => fn(g, i));
}

export function requireParams(op: string, params: Tree | undefined): Tensor[] {
  if (params === undefined || params === null) {
    throw new ValueError(
      op,
      'this transformation needs the current params: call update(updates, state, params)',
    );
  }
  return leaves(params);
}

/** The identity transformation (no state). */
export function identity(): GradientTransformation<null> {
  return { init: () => null, update: (u, s) => [u, s] };
}

/**
 * Applies transformations in sequence, each to the output of the previous, like `optax.chain`.
 * @example const tx = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3));
 */
export function chain(...txs: GradientTransformation[]): GradientTransformation<OptState[]> {
  return {
    init: (params) => txs.map((t) => t.init(params)),
    update: (updates, state, params) => {
      const next: OptState[] = [];
      let u = updates;
      txs.forEach((t, i) => {
        const [u2, s2] = t.update(u, state[i], params);
        u = u2;
        next.push(s2);
      });
      return [u, next];
    },
  };
}

/**
 * params + updates, leaf by leaf (a new tree; the inputs are not modified), like `optax.apply_updates`.
 * @example applyUpdates({ w: tensor([1, 2]) }, { w: tensor([0.5, -1]) }).w // tensor([1.5000, 1.0000])
 */
export function applyUpdates<T extends Tree>(params: T, updates: Tree): T {
  const us = leaves(updates);
  return treeMap(params, (p, i) => {
    const u = us[i];
    if (!u)
      throw new ValueError('applyUpdates', `updates have fewer leaves than params (no update for leaf ${i})`);
    return add(p, u.dtype === p.dtype ? u : u.to(p.dtype));
  });
}

export function evalSchedule(v: ScalarOrSchedule, count: number): Hyper {
  return typeof v === 'function' ? v(count) : v;
}

/** 1 - h, for a number or a tensor hyperparameter. */
export function oneMinus(h: Hyper): Hyper {
  return typeof h === 'number' ? 1 - h : sub(1, h);
}

/** h * k for a number k. */
export function times(h: Hyper, k: number): Hyper {
  return typeof h === 'number' ? h * k : mul(h, k);
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
