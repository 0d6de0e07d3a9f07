/** Reductions built from primitives: mean, var/std, norms, logsumexp, max/min along a dim. */
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { moveDim } from '../batching.js';
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape, normDim, normDims, sizeOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asFloat, checkTensor, fromStorage } from '../core.js';
import {
  abs,
  add,
  div,
  eq,
  exp,
  isinf,
  log,
  mul,
  ne,
  powScalar,
  sub,
  where,
} from '../primitives/elementwise.js';
import { amax, amin, argmax, argmin, sum } from '../primitives/reduce.js';
import { reshape } from '../primitives/shape.js';
import { gatherTrusted } from '../primitives/indexing.js';
import { squeeze } from './shape.js';

/** Mean over `dim` (all dims when omitted). @example mean(x, [0, 2]) */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  x = asFloat(checkTensor('mean', 'x', x));
  const axes = normDims('mean', dim, x.shape.length);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  return div(sum(x, axes, keepdim), n);
}

export interface VarOptions {
  /** Subtracted from N in the divisor: 1 (default) is Bessel's correction, 0 the biased estimate. */
  correction?: number;
  keepdim?: boolean;
}

/**
 * Variance over `dim` with `correction` (default 1, unbiased), as torch.var.
 * @example variance(x, 1, { correction: 0 })
 */
export function variance(x: Tensor, dim?: number | readonly number[], opts: VarOptions = {}): Tensor {
  x = asFloat(checkTensor('var', 'x', x));
  const axes = normDims('var', dim, x.shape.length);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const correction = opts.correction ?? 1;
  const d = sub(x, mean(x, axes, true));
  return div(sum(mul(d, d), axes, opts.keepdim ?? false), Math.max(0, n - correction));
}

/** Standard deviation: sqrt of `variance`. @example std(x, 0) */
export function std(x: Tensor, dim?: number | readonly number[], opts: VarOptions = {}): Tensor {
  return powScalar(variance(x, dim, opts), 0.5);
}

interface NormAttrs {
  axes: readonly number[];
  keepdim: boolean;
}

// The 2-norm is a primitive so its gradient at 0 is 0, as in PyTorch (sqrt's would be NaN).
const norm2Prim: Primitive<NormAttrs> = definePrimitive<NormAttrs>({
  name: 'norm',
  forward: ([x], { axes, keepdim }) => {
    const b = x.backend;
    const sq = b.binary('mul', x._storage, x.shape, x._storage, x.shape, x.shape, x.dtype);
    const s = b.unary('sqrt', b.reduce('sum', sq, x.shape, axes), x.dtype);
    const shape = keepdim
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    return fromStorage(s, shape);
  },
  vjp: (g, { inputs: [x], out, attrs: { axes } }) => {
    const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const o = reshape(out, keep);
    const gk = reshape(g, keep);
    return [where(eq(o, 0), 0, div(mul(gk, x), o))];
  },
  // d|x| = <x, dx> / |x| (0 at x = 0, as the VJP).
  jvp: ([t], { inputs: [x], out, attrs: { axes, keepdim } }) => {
    if (!t) return null;
    const keep = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const o = reshape(out, keep);
    const d = where(eq(o, 0), 0, div(sum(mul(x, t), axes, true), o));
    return keepdim ? d : reshape(d, out.shape);
  },
  batch: ([x], [b], { axes, keepdim }) => [
    norm2Prim([moveDim(x, b!, 0)], { axes: axes.map((a) => a + 1), keepdim }),
    0,
  ],
  saves: { inputs: [0], output: true },
});

/**
 * Vector p-norm over `dim` (all elements when omitted): p = 2 (default), 1, Infinity, -Infinity, 0 or any
 * positive number, as torch.linalg.vector_norm.
 * @example vectorNorm(x); vectorNorm(x, 1, 1)
 */
export function vectorNorm(x: Tensor, ord = 2, dim?: number | readonly number[], keepdim = false): Tensor {
  x = asFloat(checkTensor('vectorNorm', 'x', x));
  const axes = normDims('vectorNorm', dim, x.shape.length);
  if (ord === 2) return norm2Prim([x], { axes, keepdim });
  if (ord === 1) return sum(abs(x), axes, keepdim);
  if (ord === Infinity) return amax(abs(x), axes, keepdim);
  if (ord === -Infinity) return amin(abs(x), axes, keepdim);
  if (ord === 0) return sum(ne(x, 0), axes, keepdim).to(x.dtype);
  if (!(ord > 0)) throw new ValueError('vectorNorm', `ord must be positive, 0 or +-Infinity, got ${ord}`);
  return powScalar(sum(powScalar(abs(x), ord), axes, keepdim), 1 / ord);
}

/**
 * log(sum(exp(x))) over `dim`, computed stably by shifting by the max.
 * @example logsumexp(x, 1)
 */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  x = asFloat(checkTensor('logsumexp', 'x', x));
  const axes = normDims('logsumexp', dim, x.shape.length);
  const m0 = amax(x, axes, true).detach();
  const m = where(isinf(m0), 0, m0);
  const out = add(log(sum(exp(sub(x, m)), axes, true)), m);
  return keepdim ? out : squeeze(out, axes);
}

/** The values and int32 indices of a max or min along a dim. */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

function extremeAlong(op: 'max' | 'min') {
  return (x: Tensor, dim: number, keepdim = false): ValuesIndices => {
    checkTensor(op, 'x', x);
    const axis = normDim(op, dim, x.shape.length);
    if (x.shape.length > 0 && x.shape[axis] === 0) {
      throw new ShapeError(op, `cannot reduce over dim ${axis} of size 0 (shape ${fmtShape(x.shape)})`);
    }
    const xs = x.shape.length === 0 ? reshape(x, [1]) : x;
    const idx = (op === 'max' ? argmax : argmin)(xs, axis, true);
    // Gathering sends the gradient to the one chosen index, as torch.max(dim) does.
    const values = gatherTrusted(xs, x.shape.length === 0 ? 0 : axis, idx);
    if (x.shape.length === 0) return { values: reshape(values, []), indices: reshape(idx, []) };
    return keepdim
      ? { values, indices: idx }
      : { values: squeeze(values, axis), indices: squeeze(idx, axis) };
  };
}

/** Max along `dim`: `{ values, indices }` (the gradient goes to one index). @example max(x, 1).values */
export const max = extremeAlong('max');
/** Min along `dim`: `{ values, indices }`. @example min(x, 1).indices */
export const min = extremeAlong('min');
