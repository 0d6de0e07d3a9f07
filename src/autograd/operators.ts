/**
 * Linear operators from autodiff, below optim and diagnostics (Newton's method and the spectra both use
 * them): dense ones, and the Hessian of a loss as a matrix-free linear operator on the raveled parameters. The gradient graph is
 * built once; each product H v is then one backward pass through it (no forward pass), so a product costs
 * about as much as a gradient.
 */
import { enableGrad, noGrad } from './mode.js';
import { ShapeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { mul } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { cat, reshape } from '../ops/primitives/shape.js';
import { autogradGrad } from '../ops/autograd.js';
import { type Tree, treeLeaves } from '../tree.js';
import { zeros } from '../tensor/creation.js';
import { stack } from '../ops/composite/shape.js';

/** A symmetric linear operator on vectors of length `dim`, counting its products. */
export interface LinearOperator {
  readonly dim: number;
  readonly dtype: 'float32' | 'float64';
  matvec(v: Tensor): Tensor;
  /** Products computed so far. */
  readonly matvecs: number;
}

/** A LinearOperator from a dense symmetric matrix. @example denseOperator(eye(3, 3, { dtype: 'float64' })).dim // 3 */
export function denseOperator(H: Tensor): LinearOperator {
  if (H.shape.length !== 2 || H.shape[0] !== H.shape[1])
    throw new ShapeError('denseOperator', `needs a square matrix, got shape ${fmtShape(H.shape)}`);
  let count = 0;
  return {
    dim: H.shape[0],
    dtype: H.dtype as 'float32' | 'float64',
    get matvecs() {
      return count;
    },
    matvec: (v) => {
      count++;
      return noGrad(() => reshape(H.matmul(reshape(v, [-1, 1])), [-1]));
    },
  };
}

/**
 * The Hessian of `loss()` with respect to `params` (tensors requiring grad, e.g. `model.parameters()`)
 * as an operator on the raveled parameters; also gives the loss and flat gradient.
 * @example const H = hessianOperator(() => crossEntropy(model.call(xs) as Tensor, ys), model.parameters());
 */
export class HessianOperator implements LinearOperator {
  readonly dim: number;
  readonly dtype: 'float32' | 'float64';
  readonly loss: number;
  /** The flat gradient (detached). */
  readonly gradient: Tensor;
  private readonly flatGrad: Tensor;
  private count = 0;
  constructor(
    loss: () => Tensor,
    readonly params: readonly Tensor[],
  ) {
    if (!params.length) throw new ValueError('hessianOperator', 'needs at least one parameter');
    params.forEach((p, i) => {
      if (!(p instanceof Tensor) || !p.requiresGrad)
        throw new ValueError('hessianOperator', `params[${i}] must be a tensor that requires grad`);
    });
    const [l, g] = enableGrad(() => {
      const lv = loss();
      if (!(lv instanceof Tensor) || lv.size !== 1)
        throw new ValueError('hessianOperator', 'the loss must be a scalar tensor');
      const gs = autogradGrad([lv], params, { createGraph: true, allowUnused: true });
      return [lv, cat(gs.map((x) => reshape(x, [-1])))];
    });
    this.loss = l.item();
    this.flatGrad = g;
    this.gradient = g.detach();
    this.dim = g.shape[0];
    this.dtype = g.dtype as 'float32' | 'float64';
  }
  get matvecs(): number {
    return this.count;
  }
  matvec(v: Tensor): Tensor {
    if (v.shape.length !== 1 || v.shape[0] !== this.dim) {
      throw new ShapeError(
        'hvp',
        `the vector v has shape ${fmtShape(v.shape)}; expected [${this.dim}] (the number of parameters)`,
      );
    }
    this.count++;
    if (!this.flatGrad.requiresGrad) return v.mul(0);
    return enableGrad(() => {
      const hv = autogradGrad([sum(mul(this.flatGrad, v.to(this.dtype)))], this.params, {
        retainGraph: true,
        allowUnused: true,
      });
      return cat(hv.map((x) => reshape(x, [-1]))).detach();
    });
  }
}

/** The operator for `hessianOperator`, as a function. */
export function hessianOperator(loss: () => Tensor, params: readonly Tensor[] | Tree): HessianOperator {
  return new HessianOperator(
    loss,
    Array.isArray(params) && params.every((p) => p instanceof Tensor)
      ? (params as Tensor[])
      : treeLeaves(params as Tree),
  );
}

/** The dense symmetric matrix of an operator (one product per column, symmetrized). */
export function materialize(op: LinearOperator): Tensor {
  const cols: Tensor[] = [];
  for (let j = 0; j < op.dim; j++) {
    const e = zeros([op.dim], { dtype: op.dtype });
    noGrad(() => e.setIndex_([j], 1));
    cols.push(op.matvec(e));
  }
  const M = stack(cols, 1);
  return noGrad(() => M.add(M.t()).mul(0.5));
}
