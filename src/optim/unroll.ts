/**
 * Differentiating through training (the lectures' "gradient-based hyperparameter optimisation" and
 * "learning to learn"): `unroll` runs K steps of a gradient transformation as a pure function, so the
 * final parameters are differentiable in the initial ones and in every tensor hyperparameter (learning
 * rate, weight decay, momentum, Adam's betas); and hypergradient descent (Baydin et al. 2018), which
 * adapts the learning rate online from the same derivative, one step back.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { noGrad } from '../autograd/mode.js';
import { grad } from '../autograd/transforms.js';
import type { Tree } from '../tree.js';
import {
  type GradientTransformation,
  type OptState,
  applyUpdates,
  identity,
  leaves,
  mapLeaves,
} from './core.js';
import { type ScaleByAdamOptions, scaleByAdam } from './transforms.js';

/**
 * Runs `steps` updates of `tx` on `loss(params, step)` from `params0`, functionally (nothing is
 * modified). Inside `grad`, the result is differentiable in `params0` and in the tensors `tx` holds as
 * hyperparameters: the gradients of every step are kept in the graph.
 * @example
 * const trainLoss = (w: Tensor) => w.sub(3).pow(2).sum();
 * const w0 = tensor([0], { dtype: 'float64' });
 * const valLoss = (lr: Tensor) => (unroll(sgd(lr), trainLoss, w0, 5).params as Tensor).sub(2.5).pow(2).sum();
 * const dLr = grad(valLoss)(tensor(0.1, { dtype: 'float64' }));
 */
export function unroll<T extends Tree>(
  tx: GradientTransformation,
  loss: (params: T, step: number) => Tensor,
  params0: T,
  steps: number,
): { params: T; state: OptState; losses: number[] } {
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new ValueError('unroll', `steps must be a non-negative integer, got ${steps}`);
  let params = params0;
  let state = tx.init(params0);
  const losses: number[] = [];
  for (let k = 0; k < steps; k++) {
    const step = k;
    let value = NaN;
    const g = grad((p: T) => {
      const l = loss(p, step);
      value = noGrad(() => l.detach().item());
      return l;
    })(params) as Tree;
    losses.push(value);
    const [u, next] = tx.update(g, state, params);
    state = next;
    params = applyUpdates(params, u);
  }
  return { params, state, losses };
}

export interface HypergradientState {
  /** The learning rate in use (it adapts every step). */
  lr: number;
  /** The previous step's direction, before the learning rate (null before the first). */
  prev: Tensor[] | null;
  inner: OptState;
}

/**
 * Hypergradient descent (Baydin et al. 2018): the update is -lr_t times `inner`'s direction d_t, and
 * lr_t = lr_{t-1} + hyperLr * <g_t, d_{t-1}>: the derivative of this step's loss in the previous step's
 * learning rate, followed downhill. `inner` = identity gives SGD-HD, scaleByAdam gives Adam-HD.
 * @example const tx = hypergradientDescent(scaleByAdam(), { lr: 1e-3, hyperLr: 1e-7 });
 */
export function hypergradientDescent(
  inner: GradientTransformation,
  opts: { lr: number; hyperLr: number },
): GradientTransformation<HypergradientState> {
  const { lr, hyperLr } = opts;
  if (!(lr >= 0 && Number.isFinite(lr)))
    throw new ValueError('hypergradientDescent', `invalid lr ${lr}: must be a finite number >= 0`);
  if (!(hyperLr >= 0 && Number.isFinite(hyperLr)))
    throw new ValueError('hypergradientDescent', `invalid hyperLr ${hyperLr}: must be a finite number >= 0`);
  return {
    init: (params) => ({ lr, prev: null, inner: inner.init(params) }),
    update: (updates, state, params) => {
      const [dir, innerState] = inner.update(updates, state.inner, params);
      const gs = leaves(updates);
      const ds = leaves(dir);
      let rate = state.lr;
      if (state.prev) {
        const prev = state.prev;
        const h = noGrad(() =>
          gs.reduce((acc: Tensor | null, g, i) => {
            const t = sum(mul(g, prev[i]));
            return acc ? add(acc, t) : t;
          }, null),
        );
        rate = state.lr + hyperLr * (h ? h.item() : 0);
      }
      const r = rate;
      return [
        mapLeaves(dir, (d) => mul(d, -r)),
        { lr: rate, prev: ds.map((d) => d.detach()), inner: innerState },
      ];
    },
  };
}

/** SGD-HD: SGD whose learning rate follows its hypergradient. @example sgdHd(0.01, 1e-4) */
export function sgdHd(lr: number, hyperLr: number): GradientTransformation<HypergradientState> {
  return hypergradientDescent(identity(), { lr, hyperLr });
}

/** Adam-HD: Adam whose learning rate follows its hypergradient. @example adamHd(1e-3, 1e-7) */
export function adamHd(
  lr: number,
  hyperLr: number,
  opts: ScaleByAdamOptions = {},
): GradientTransformation<HypergradientState> {
  return hypergradientDescent(scaleByAdam(opts), { lr, hyperLr });
}
