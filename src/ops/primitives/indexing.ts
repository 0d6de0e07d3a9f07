/** Index primitives: gather and its adjoint scatterAdd (indexSelect and embedding are built on them). */
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { allToFront, moveDim } from '../batching.js';
import { ShapeError } from '../../errors.js';
import { fmtShape, normDim } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { zerosLike } from '../../tensor/creation.js';
import { expand, reshape } from './shape.js';
import { checkIndexRange, checkIndexTensor, checkTensor, fromStorage } from '../core.js';

const gatherPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: 'gather',
  forward: ([x, idx], { axis }) =>
    fromStorage(x.backend.gather(x._storage, x.shape, axis, idx._storage, idx.shape), idx.shape),
  vjp: (g, { inputs: [x, idx], attrs: { axis } }) => [scatterAddTrusted(zerosLike(x), axis, idx, g), null],
  jvp: ([t], { inputs: [, idx], attrs }) => (t ? gatherPrim([t, idx], attrs) : null), // linear in x
  batch: ([x, idx], [bx, bi], { axis }) => {
    if (bx === null) {
      // A shared table (an embedding) and a batch of indices: the batch joins the index's `axis` dim,
      // whose size is free, so the table is not copied per example.
      const f = moveDim(idx, bi!, axis);
      const merged = reshape(f, [
        ...f.shape.slice(0, axis),
        f.shape[axis] * f.shape[axis + 1],
        ...f.shape.slice(axis + 2),
      ]);
      const out = gatherPrim([x, merged], { axis });
      return [reshape(out, f.shape), axis];
    }
    return [gatherPrim(allToFront([x, idx], [bx, bi]), { axis: axis + 1 }), 0];
  },
  saves: { inputs: [1] },
});

const scatterAddPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: 'scatterAdd',
  forward: ([base, idx, src], { axis }) =>
    fromStorage(
      base.backend.scatterAdd(base._storage, base.shape, axis, idx._storage, idx.shape, src._storage),
      base.shape,
    ),
  vjp: (g, { inputs: [, idx], attrs: { axis } }) => [g, null, gatherTrusted(g, axis, idx)],
  // Linear in base and src together.
  jvp: ([tb, , ts], { inputs: [base, idx, src], attrs }) =>
    scatterAddPrim([tb ?? zerosLike(base), idx, ts ?? zerosLike(src)], attrs),
  batch: (xs, bdims, { axis }) => [scatterAddPrim(allToFront(xs, bdims), { axis: axis + 1 }), 0],
  saves: { inputs: [1] },
});

function checkIndexShape(op: string, x: Tensor, idx: Tensor, axis: number, src?: Tensor): void {
  const bad = idx.shape.length !== x.shape.length || idx.shape.some((d, i) => i !== axis && d > x.shape[i]);
  if (bad) {
    throw new ShapeError(
      op,
      `index of shape ${fmtShape(idx.shape)} does not fit input of shape ${fmtShape(x.shape)} ` +
        `(same rank, and no larger than the input outside dim ${axis})`,
    );
  }
  if (src && (src.shape.length !== idx.shape.length || src.shape.some((d, i) => d !== idx.shape[i]))) {
    throw new ShapeError(
      op,
      `src has shape ${fmtShape(src.shape)} but index has shape ${fmtShape(idx.shape)}; they must be equal`,
    );
  }
}

/**
 * out[i][j] = x[i][idx[i][j]] for dim 1 (torch.gather); the gradient scatters back, summing repeats.
 * @example gather(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]], { dtype: 'int32' })) // [[2], [3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', 'x', x);
  checkIndexTensor('gather', 'index', index);
  const axis = normDim('gather', dim, x.shape.length);
  checkIndexShape('gather', x, index, axis);
  checkIndexRange('gather', 'index', index, x.shape[axis] ?? 1);
  return gatherPrim([x, index], { axis });
}

/**
 * A copy of x with src added at index along dim (torch.scatter_add); repeated indices accumulate.
 * @example scatterAdd(zeros([3]), 0, tensor([0, 0, 2], { dtype: 'int32' }), ones([3])) // [2, 0, 1]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor('scatterAdd', 'x', x);
  checkTensor('scatterAdd', 'src', src);
  checkIndexTensor('scatterAdd', 'index', index);
  const axis = normDim('scatterAdd', dim, x.shape.length);
  checkIndexShape('scatterAdd', x, index, axis, src);
  checkIndexRange('scatterAdd', 'index', index, x.shape[axis] ?? 1);
  return scatterAddPrim([x, index, src.dtype === x.dtype ? src : src.to(x.dtype)], { axis });
}

/**
 * gather for indices the library made or already checked (argmax, argsort, validated class targets,
 * a VJP's saved indices): no pass over the indices. Public callers use `gather`, which refuses
 * out-of-range ones. `axis` must be normalized.
 */
export function gatherTrusted(x: Tensor, axis: number, index: Tensor): Tensor {
  return gatherPrim([x, index], { axis });
}

/** scatterAdd for indices the library made or already checked (see gatherTrusted). */
export function scatterAddTrusted(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  return scatterAddPrim([x, index, src.dtype === x.dtype ? src : src.to(x.dtype)], { axis });
}

/** indexSelect for a 1-D index already checked (see gatherTrusted): slices of x along `axis`. */
export function indexSelectTrusted(x: Tensor, axis: number, index: Tensor): Tensor {
  const n = index.size;
  const outShape = x.shape.map((d, i) => (i === axis ? n : d));
  const idx = expand(
    reshape(
      index,
      x.shape.map((_, i) => (i === axis ? n : 1)),
    ),
    outShape,
  );
  return gatherTrusted(x, axis, idx);
}
