/** Shape primitives: reshape (a view), permute, expand, strided views (slicing) and their adjoints, cat. */
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { allToFront, moveDim } from '../batching.js';
import { ShapeError, ValueError } from '../../errors.js';
import { checkShapeArg, fmtShape, normDim, type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkTensor, fromStorage } from '../core.js';
import { promoteTypes } from '../../tensor/dtype.js';
import { sumTo } from './reduce.js';
import { zerosLike } from '../../tensor/creation.js';

const reshapePrim: Primitive<{ shape: readonly number[] }> = definePrimitive<{ shape: readonly number[] }>({
  name: 'reshape',
  forward: ([x], { shape }) => x._alias(shape),
  vjp: (g, { inputs: [x] }) => [reshape(g, x.shape)],
  jvp: ([t], { attrs }) => (t ? reshapePrim([t], attrs) : null),
  batch: ([x], [b], { shape }) => {
    const f = moveDim(x, b!, 0);
    return [reshapePrim([f], { shape: [f.shape[0], ...shape] }), 0];
  },
});

/** Resolves one -1 in a requested shape and checks the element count. */
export function inferShape(op: string, size: number, shape: readonly number[], from: Shape): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (out.filter((d) => d === -1).length > 1)
    throw new ValueError(op, `only one dimension can be -1, got ${fmtShape(shape)}`);
  if (free >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== free));
    if (rest === 0 || size % rest !== 0) {
      throw new ShapeError(
        op,
        `shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`,
      );
    }
    out[free] = size / rest;
  }
  checkShapeArg(op, out);
  if (sizeOf(out) !== size) {
    throw new ShapeError(
      op,
      `shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`,
    );
  }
  return out;
}

/**
 * Same elements in a new shape (one dim may be -1). Shares storage with `x`, like torch.reshape of a
 * contiguous tensor (every descend tensor is contiguous).
 * @example reshape(arange(6), [2, 3])
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', 'x', x);
  return reshapePrim([x], { shape: inferShape('reshape', x.size, shape, x.shape) });
}

const permutePrim: Primitive<{ dims: readonly number[] }> = definePrimitive<{ dims: readonly number[] }>({
  name: 'permute',
  forward: ([x], { dims }) => {
    const st = stridesOf(x.shape);
    const shape = dims.map((d) => x.shape[d]);
    return fromStorage(
      x.backend.strided(
        x._storage,
        shape,
        dims.map((d) => st[d]),
        0,
      ),
      shape,
    );
  },
  vjp: (g, { attrs: { dims } }) => {
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => (inv[d] = i));
    return [permute(g, inv)];
  },
  jvp: ([t], { attrs }) => (t ? permutePrim([t], attrs) : null),
  // The batch dim stays where it is; the others keep their order around it.
  batch: ([x], [b], { dims }) => {
    const logical = dims.map((d) => (d >= b! ? d + 1 : d));
    return [permutePrim([x], { dims: [...logical.slice(0, b!), b!, ...logical.slice(b!)] }), b];
  },
});

/** Reorders dims. @example permute(randn([2, 3, 4]), [2, 0, 1]).shape // [4, 2, 3] */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', 'x', x);
  if (dims.length !== x.shape.length) {
    throw new ShapeError(
      'permute',
      `dims ${fmtShape(dims)} must list all ${x.shape.length} dims of shape ${fmtShape(x.shape)}`,
    );
  }
  const norm = dims.map((d) => normDim('permute', d, x.shape.length, 'dims'));
  if (new Set(norm).size !== norm.length)
    throw new ValueError('permute', `dims ${fmtShape(dims)} repeats a dim`);
  return permutePrim([x], { dims: norm });
}

const expandPrim: Primitive<{ shape: readonly number[] }> = definePrimitive<{ shape: readonly number[] }>({
  name: 'expand',
  forward: ([x], { shape }) => {
    const st = stridesOf(x.shape);
    const lead = shape.length - x.shape.length;
    const strides = shape.map((d, i) =>
      i < lead || (x.shape[i - lead] === 1 && d !== 1) ? 0 : st[i - lead],
    );
    return fromStorage(x.backend.strided(x._storage, shape, strides, 0), shape);
  },
  vjp: (g, { inputs: [x] }) => [sumTo(g, x.shape)],
  jvp: ([t], { attrs }) => (t ? expandPrim([t], attrs) : null),
  batch: ([x], [b], { shape }) => {
    const f = moveDim(x, b!, 0);
    const lead = shape.length - (f.shape.length - 1);
    const aligned =
      lead > 0
        ? reshapePrim([f], { shape: [f.shape[0], ...new Array<number>(lead).fill(1), ...f.shape.slice(1)] })
        : f;
    return [expandPrim([aligned], { shape: [f.shape[0], ...shape] }), 0];
  },
});

/**
 * Broadcasts size-1 dims (and new leading dims) to `shape`; -1 keeps a dim. A copy, not a view.
 * @example expand(tensor([[1], [2]]), [2, 3])
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('expand', 'x', x);
  const lead = shape.length - x.shape.length;
  if (lead < 0) {
    throw new ShapeError(
      'expand',
      `target shape ${fmtShape(shape)} has fewer dims than input shape ${fmtShape(x.shape)}`,
    );
  }
  const out = shape.map((d, i) => (i >= lead && d === -1 ? x.shape[i - lead] : d));
  checkShapeArg('expand', out);
  for (let i = lead; i < out.length; i++) {
    const s = x.shape[i - lead];
    if (s !== 1 && s !== out[i]) {
      throw new ShapeError(
        'expand',
        `cannot expand input of shape ${fmtShape(x.shape)} to ${fmtShape(shape)}: dim ${i} has size ${s}, not 1`,
      );
    }
  }
  if (out.length === x.shape.length && out.every((d, i) => d === x.shape[i])) return x;
  return expandPrim([x], { shape: out });
}

interface StridedAttrs {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/** A strided map over a batch of contiguous examples: one more dim, stepping a whole example. */
function batchedStrides(a: StridedAttrs, exampleSize: number, batch: number): StridedAttrs {
  return { shape: [batch, ...a.shape], strides: [exampleSize, ...a.strides], offset: a.offset };
}

const stridedViewPrim: Primitive<StridedAttrs> = definePrimitive<StridedAttrs>({
  name: 'slice',
  forward: ([x], a) => fromStorage(x.backend.strided(x._storage, a.shape, a.strides, a.offset), a.shape),
  vjp: (g, { inputs: [x], attrs }) => [stridedScatter(g, x.shape, attrs)],
  jvp: ([t], { attrs }) => (t ? stridedViewPrim([t], attrs) : null),
  batch: ([x], [b], a) => {
    const f = moveDim(x, b!, 0);
    return [stridedViewPrim([f], batchedStrides(a, sizeOf(f.shape.slice(1)), f.shape[0])), 0];
  },
});

const stridedScatterPrim: Primitive<StridedAttrs & { baseShape: readonly number[] }> = definePrimitive<
  StridedAttrs & { baseShape: readonly number[] }
>({
  name: 'sliceBackward',
  forward: ([g], a) =>
    fromStorage(
      g.backend.stridedScatterAdd(g._storage, g.shape, sizeOf(a.baseShape), a.strides, a.offset),
      a.baseShape,
    ),
  vjp: (gg, { inputs: [g], attrs }) => [
    stridedView(gg, { shape: g.shape, strides: attrs.strides, offset: attrs.offset }),
  ],
  jvp: ([t], { attrs }) => (t ? stridedScatterPrim([t], attrs) : null),
  batch: ([g], [b], a) => {
    const f = moveDim(g, b!, 0);
    const n = f.shape[0];
    const st = batchedStrides(a, sizeOf(a.baseShape), n);
    return [stridedScatterPrim([f], { ...st, shape: [n, ...a.shape], baseShape: [n, ...a.baseShape] }), 0];
  },
});

/**
 * Reads x's elements at `offset + sum(i_k * strides[k])` (strides in elements of the contiguous x).
 * The mapping must be one-to-one (slices are); the VJP scatters the gradient back.
 */
export function stridedView(x: Tensor, attrs: StridedAttrs): Tensor {
  const out = stridedViewPrim([x], attrs);
  out._isSliceCopy = true;
  return out;
}

/** Zeros of `baseShape` with g placed at a strided view's positions (the VJP of `stridedView`). */
export function stridedScatter(g: Tensor, baseShape: Shape, attrs: StridedAttrs): Tensor {
  return stridedScatterPrim([g], { ...attrs, baseShape });
}

const catPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: 'cat',
  forward: (xs, { axis }) => {
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
    const s = xs[0].backend.concat(
      xs.map((t) => t._storage),
      xs.map((t) => t.shape),
      axis,
      shape,
    );
    return fromStorage(s, shape);
  },
  vjp: (g, { inputs, attrs: { axis } }) => {
    let off = 0;
    return inputs.map((t) => {
      const part = narrow(g, axis, off, t.shape[axis]);
      off += t.shape[axis];
      return part;
    });
  },
  // Linear in all inputs together: inputs without a tangent contribute zeros.
  jvp: (ts, { inputs, attrs }) =>
    catPrim(
      inputs.map((x, i) => ts[i] ?? zerosLike(x)),
      attrs,
    ),
  batch: (xs, bdims, { axis }) => [catPrim(allToFront(xs, bdims), { axis: axis + 1 }), 0],
});

/**
 * Concatenates along `dim`; every other dim must match.
 * @example cat([zeros([2, 3]), ones([2, 2])], 1).shape // [2, 5]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new ValueError('cat', 'expected a non-empty array of tensors');
  tensors.forEach((t, i) => checkTensor('cat', `tensors[${i}]`, t));
  const first = tensors[0];
  const axis = normDim('cat', dim, first.shape.length);
  let dtype = first.dtype;
  tensors.forEach((t, i) => {
    if (
      t.shape.length !== first.shape.length ||
      t.shape.some((d: number, k: number) => k !== axis && d !== first.shape[k])
    ) {
      throw new ShapeError(
        'cat',
        `tensors[${i}] has shape ${fmtShape(t.shape)} but tensors[0] has shape ${fmtShape(first.shape)}; ` +
          `they must match in every dim except dim ${axis}`,
      );
    }
    dtype = promoteTypes('cat', dtype, t.dtype, 'tensors[0]', `tensors[${i}]`);
  });
  return catPrim(
    tensors.map((t) => (t.dtype === dtype ? t : t.to(dtype))),
    { axis },
  );
}

/**
 * The slice [start, start + length) along `dim`.
 * @example narrow(arange(10), 0, 2, 3) // tensor([2, 3, 4])
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', 'x', x);
  const axis = normDim('narrow', dim, x.shape.length);
  const n = x.shape[axis];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new ValueError(
      'narrow',
      `start ${start} and length ${length} are out of range for dim ${axis} of size ${n}`,
    );
  }
  const st = stridesOf(x.shape);
  const shape = [...x.shape];
  shape[axis] = length;
  if (length === n) return x;
  return stridedView(x, { shape, strides: st, offset: s * st[axis] });
}
