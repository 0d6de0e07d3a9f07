/** Reduction primitives (sum, amax/amin) and their VJPs; argmax/argmin (no gradient). */
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { moveDim } from '../batching.js';
import { type Shape, normDim, normDims, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkTensor, fromStorage } from '../core.js';
import { div, eq, mul } from './elementwise.js';
import { expand, reshape } from './shape.js';
import { ShapeError } from '../../errors.js';
import { fmtShape } from '../../tensor/shape.js';

interface ReduceAttrs {
  axes: readonly number[];
  keepdim: boolean;
}

function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}
function outShape(shape: Shape, { axes, keepdim }: ReduceAttrs): number[] {
  return keepdim ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

/** Broadcasts a reduced gradient back over the reduced axes. */
function unreduce(g: Tensor, shape: Shape, axes: readonly number[]): Tensor {
  return expand(reshape(g, keptShape(shape, axes)), shape);
}

/** A reduction's batching rule: the batch dim first, the reduced axes one further. */
function reduceBatch(prim: Primitive<ReduceAttrs>) {
  return ([x]: readonly Tensor[], [b]: readonly (number | null)[], a: ReduceAttrs): [Tensor, number] => [
    prim([moveDim(x, b!, 0)], { axes: a.axes.map((i) => i + 1), keepdim: a.keepdim }),
    0,
  ];
}

const sumPrim: Primitive<ReduceAttrs> = definePrimitive<ReduceAttrs>({
  name: 'sum',
  forward: ([x], a) =>
    fromStorage(x.backend.reduce('sum', x._storage, x.shape, a.axes), outShape(x.shape, a)),
  vjp: (g, { inputs: [x], attrs }) => [unreduce(g, x.shape, attrs.axes)],
  jvp: ([t], { attrs }) => (t ? sumPrim([t], attrs) : null), // linear
  batch: (xs, bdims, a) => reduceBatch(sumPrim)(xs, bdims, a),
});

function extremum(op: 'max' | 'min') {
  const name = op === 'max' ? 'amax' : 'amin';
  // Ties share the derivative evenly, as torch.amax does: d out = mean of the tangents at the maxima.
  const share = (x: Tensor, out: Tensor, axes: readonly number[]) => {
    const mask = eq(x, unreduce(out, x.shape, axes)).to(x.dtype);
    return div(mask, sum(mask, axes, true));
  };
  const prim: Primitive<ReduceAttrs> = definePrimitive<ReduceAttrs>({
    name,
    forward: ([x], a) => fromStorage(x.backend.reduce(op, x._storage, x.shape, a.axes), outShape(x.shape, a)),
    vjp: (g, { inputs: [x], out, attrs }) => [
      mul(unreduce(g, x.shape, attrs.axes), share(x, out, attrs.axes)),
    ],
    jvp: ([t], { inputs: [x], out, attrs }) =>
      t ? sumPrim([mul(t, share(x, out, attrs.axes))], attrs) : null,
    batch: (xs, bdims, a) => reduceBatch(prim)(xs, bdims, a),
    saves: { inputs: [0], output: true },
  });
  return (x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor => {
    checkTensor(name, 'x', x);
    const axes = normDims(name, dim, x.shape.length);
    for (const a of axes) {
      if (x.shape[a] === 0)
        throw new ShapeError(name, `cannot reduce over dim ${a} of size 0 (shape ${fmtShape(x.shape)})`);
    }
    return prim([x], { axes, keepdim });
  };
}

/**
 * Sum over `dim` (all dims when omitted). Bool and int32 sum to int32.
 * @example sum(tensor([[1, 2], [3, 4]]), 1) // tensor([3., 7.])
 */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  checkTensor('sum', 'x', x);
  const t = x.dtype === 'bool' ? x.to('int32') : x;
  return sumPrim([t], { axes: normDims('sum', dim, x.shape.length), keepdim });
}

/** Max over `dim` (all dims when omitted); ties share the gradient. @example amax(x, 0) */
export const amax = extremum('max');
/** Min over `dim` (all dims when omitted); ties share the gradient. @example amin(x, 0) */
export const amin = extremum('min');

function argReduce(op: 'argmax' | 'argmin') {
  return (x: Tensor, dim?: number, keepdim = false): Tensor => {
    checkTensor(op, 'x', x);
    if (dim === undefined) return argReduce(op)(reshape(x, [-1]), 0, false);
    const axis = normDim(op, dim, x.shape.length);
    if (x.shape.length === 0) return fromStorage(x.backend.full('int32', 1, 0), []);
    if (x.shape[axis] === 0)
      throw new ShapeError(op, `cannot reduce over dim ${axis} of size 0 (shape ${fmtShape(x.shape)})`);
    if (x._batchLevel > 0) {
      // Inside vmap: the kernel on the physical values, the batch first and the axis one further.
      const f = moveDim(x._physical!, x._bdim, 0);
      return argReduce(op)(f, axis + 1, keepdim)._asBatched(0, x._batchLevel);
    }
    const s = x.backend.argReduce(op, x._storage, x.shape, axis);
    return fromStorage(s, outShape(x.shape, { axes: [axis], keepdim }));
  };
}
/** Index of the first maximum along `dim` (of the flattened tensor when omitted). @example argmax(x, 1) */
export const argmax = argReduce('argmax');
/** Index of the first minimum along `dim`. @example argmin(x, 1) */
export const argmin = argReduce('argmin');

/** Sums a broadcast gradient back to `shape` (the VJP of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? sumPrim([g], { axes, keepdim: true }) : g;
  return reshape(s, shape);
}
