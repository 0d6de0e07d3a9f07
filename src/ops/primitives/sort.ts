/**
 * Order primitives: sorting (argsort, sort, topk: values gathered, so gradients flow to the chosen
 * elements) and cumsum, whose VJP is the reverse cumsum of the cotangent: a closed pair, every order.
 */
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { moveDim } from '../batching.js';
import { ValueError } from '../../errors.js';
import { normDim } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkTensor, fromStorage } from '../core.js';
import { gatherTrusted } from './indexing.js';
import { narrow } from './shape.js';

/** Values and their indices along a dim (torch's (values, indices) pairs). */
export interface SortResult {
  values: Tensor;
  indices: Tensor;
}

/**
 * The indices (int32) that sort `x` along `dim`: stable, NaN above every number (torch.argsort with
 * stable=True).
 * @example argsort(tensor([3, 1, 2])) // tensor([1, 2, 0])
 */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  checkTensor('argsort', 'x', x);
  if (x.shape.length === 0) return fromStorage(x.backend.full('int32', 1, 0), []);
  const axis = normDim('argsort', dim, x.shape.length);
  return fromStorage(x.backend.argsort(x._storage, x.shape, axis, descending), x.shape);
}

/**
 * `x` sorted along `dim`, with the indices of the sorted elements (torch.sort, stable). Differentiable:
 * each value's gradient goes back to the element it came from.
 * @example sort(tensor([3, 1, 2])).values // tensor([1., 2., 3.])
 */
export function sort(x: Tensor, dim = -1, descending = false): SortResult {
  checkTensor('sort', 'x', x);
  const indices = argsort(x, dim, descending);
  if (x.shape.length === 0) return { values: x, indices };
  return { values: gatherTrusted(x, normDim('sort', dim, x.shape.length), indices), indices };
}

/**
 * The `k` largest (or smallest) elements along `dim`, sorted, and their indices (torch.topk).
 * @example topk(tensor([1, 5, 3, 4]), 2) // values tensor([5., 4.]), indices tensor([1, 3])
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true): SortResult {
  checkTensor('topk', 'x', x);
  const axis = x.shape.length === 0 ? 0 : normDim('topk', dim, x.shape.length);
  const n = x.shape.length === 0 ? 1 : x.shape[axis];
  if (!(Number.isInteger(k) && k >= 0 && k <= n))
    throw new ValueError('topk', `k must be an integer in [0, ${n}] (the size of dim ${axis}), got ${k}`);
  const { indices } = sort(x, dim, largest);
  if (x.shape.length === 0) return { values: x, indices };
  const idx = narrow(indices, axis, 0, k);
  return { values: gatherTrusted(x, axis, idx), indices: idx };
}

const cumsumPrim: Primitive<{ axis: number; reverse: boolean }> = definePrimitive<{
  axis: number;
  reverse: boolean;
}>({
  name: 'cumsum',
  forward: ([x], { axis, reverse }) =>
    fromStorage(x.backend.cumsum(x._storage, x.shape, axis, reverse), x.shape),
  // y_j = sum_{i<=j} x_i, so dL/dx_i = sum_{j>=i} g_j: the reverse cumsum.
  vjp: (g, { attrs: { axis, reverse } }) => [cumsumPrim([g], { axis, reverse: !reverse })],
  jvp: ([t], { attrs }) => (t ? cumsumPrim([t], attrs) : null), // linear
  batch: ([x], [b], { axis, reverse }) => [cumsumPrim([moveDim(x, b!, 0)], { axis: axis + 1, reverse }), 0],
});

/**
 * Inclusive prefix sums along `dim` (torch.cumsum); integer and bool inputs sum to int32.
 * @example cumsum(tensor([1, 2, 3]), 0) // tensor([1., 3., 6.])
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  checkTensor('cumsum', 'x', x);
  if (x.shape.length === 0) return x.dtype === 'bool' ? x.to('int32') : x;
  const axis = normDim('cumsum', dim, x.shape.length);
  return cumsumPrim([x.dtype === 'bool' ? x.to('int32') : x], { axis, reverse: false });
}
