/** Minimizing a plain function of parameters with any gradient transformation (the lectures' GD examples). */
import { noGrad } from '../autograd/mode.js';
import { valueAndGrad } from '../autograd/transforms.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Tree, treeMap } from '../tree.js';
import { type GradientTransformation, applyUpdates } from './core.js';
import { globalNorm } from './transforms.js';

export interface MinimizeOptions {
  optimizer: GradientTransformation;
  steps: number;
  /** Stop early once the gradient's global norm is below this. */
  gradTol?: number;
  /** Called after every step with the step number, the loss before it and the new parameters. */
  onStep?: (step: number, loss: number, x: Tree) => void;
}

export interface MinimizeResult<T extends Tree> {
  /** The final parameters. */
  x: T;
  /** f at every iterate: losses[k] = f(x_k), including the final one. */
  losses: number[];
  /** Every iterate, x_0 first. */
  trajectory: T[];
  /** The gradient's global norm at each iterate where a step was taken. */
  gradNorms: number[];
  /** Steps actually taken. */
  steps: number;
  /** Whether gradTol was reached. */
  converged: boolean;
}

/**
 * Runs `steps` updates of a gradient transformation on f from x0 (a tensor or a tree of tensors).
 * @example
 * const { x, losses } = minimize((x) => x.index(0).pow(2).add(x.index(1).pow(2).mul(2)),
 *   tensor([-5, -2], { dtype: 'float64' }), { optimizer: sgd(0.1), steps: 10 });
 */
export function minimize<T extends Tree>(
  f: (x: T) => Tensor,
  x0: T,
  opts: MinimizeOptions,
): MinimizeResult<T> {
  if (!(Number.isInteger(opts.steps) && opts.steps >= 0))
    throw new ValueError('minimize', `steps must be a non-negative integer, got ${opts.steps}`);
  const vg = valueAndGrad(f);
  let x = treeMap(x0, (t) => t.detach()) as T;
  let state = opts.optimizer.init(x);
  const losses: number[] = [];
  const trajectory: T[] = [x];
  const gradNorms: number[] = [];
  let converged = false;
  let k = 0;
  for (; k < opts.steps; k++) {
    const [loss, [g]] = vg(x);
    losses.push(loss.item());
    const gn = globalNorm(g).item();
    if (opts.gradTol !== undefined && gn < opts.gradTol) {
      converged = true;
      break;
    }
    gradNorms.push(gn);
    const [u, s] = noGrad(() => opts.optimizer.update(g, state, x));
    state = s;
    x = noGrad(() => applyUpdates(x, u));
    trajectory.push(x);
    opts.onStep?.(k + 1, losses[k], x);
  }
  if (!converged) losses.push(f(x).item());
  return { x, losses, trajectory, gradNorms, steps: k, converged };
}
