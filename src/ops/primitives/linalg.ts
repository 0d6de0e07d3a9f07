/** Batched matrix multiply: the one linear-algebra primitive; matmul's variants are built on it. */
import { kernelsOf } from '../../backends/kernels.js';
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { batchByLoop, batchSizeOf, moveDim, toFront } from '../batching.js';
import { sumTangents } from './elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkSameFloatDtype, checkTensor, fromStorage } from '../core.js';
import { ShapeError } from '../../errors.js';
import { fmtShape, shapesEqual } from '../../tensor/shape.js';
import { neg, sub } from './elementwise.js';
import { expand, permute, reshape } from './shape.js';

/** Which operands arrive transposed: C = op(A) @ op(B), op(X) = Xᵀ (last two dims) when its flag is set. */
export interface BmmAttrs {
  readonly ta: boolean;
  readonly tb: boolean;
}
const NN: BmmAttrs = { ta: false, tb: false };

/**
 * [B, m, k] @ [B, k, n] -> [B, m, n], or with `ta`/`tb` an operand stored transposed ([B, k, m] / [B, n, k]).
 * Both operands may also be plain matrices ([m, k] @ [k, n] -> [m, n]): matmul and linear on 2-D inputs
 * then need no reshapes (five primitive calls each way fewer: a third of a small product's time).
 * The VJPs are products of the same kind with other flags, so no transpose is ever copied and every
 * order of derivative stays a matmul.
 */
export const bmmPrim: Primitive<BmmAttrs | undefined> = definePrimitive<BmmAttrs | undefined>({
  name: 'matmul',
  forward: ([a, b], at) => {
    const { ta, tb } = at ?? NN;
    const flat = a.shape.length === 2;
    const [B, r, c] = flat ? [1, a.shape[0], a.shape[1]] : a.shape;
    const [m, k] = ta ? [c, r] : [r, c];
    const n = tb ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    return fromStorage(
      a.backend.matmul(a._storage, b._storage, { batch: B, m, k, n, transA: ta, transB: tb }),
      flat ? [m, n] : [B, m, n],
    );
  },
  vjp: (g, { inputs: [a, b], attrs, needsGrad: [na, nb] }) => {
    const { ta, tb } = attrs ?? NN;
    // Only the products that are needed: a network's first layer never pays for its input's gradient.
    const mm = (need: boolean, x: Tensor, y: Tensor, fx: boolean, fy: boolean) =>
      need ? bmmPrim([x, y], { ta: fx, tb: fy }) : null;
    if (!ta && !tb) return [mm(na, g, b, false, true), mm(nb, a, g, true, false)];
    if (!ta && tb) return [mm(na, g, b, false, false), mm(nb, g, a, true, false)];
    if (ta && !tb) return [mm(na, b, g, false, true), mm(nb, a, g, false, false)];
    return [mm(na, b, g, true, true), mm(nb, g, a, true, true)];
  },
  // Bilinear: d(a b) = da b + a db.
  jvp: ([ta, tb], { inputs: [a, b], attrs, out }) =>
    sumTangents(out, [ta ? bmmPrim([ta, b], attrs) : null, tb ? bmmPrim([a, tb], attrs) : null]),
  batch: ([a, b], [ba, bb], attrs) => {
    const { ta } = attrs ?? NN;
    if (bb === null && b.shape.length === 2 && a.shape.length === 3) {
      // A batch of matrices times one matrix (a layer's weight): the batch joins a's rows (or, for a
      // stored transposed, its columns), one taller product and no copy of b.
      const f = ta ? moveDim(a, ba!, 1) : moveDim(a, ba!, 0); // [k, B, m] or [B, m, k]
      const tall = reshape(
        f,
        ta ? [f.shape[0], f.shape[1] * f.shape[2]] : [f.shape[0] * f.shape[1], f.shape[2]],
      );
      const r = bmmPrim([tall, b], attrs);
      const B = ta ? f.shape[1] : f.shape[0];
      return [reshape(r, [B, r.shape[0] / B, r.shape[1]]), 0];
    }
    if (ba === null && a.shape.length === 2 && b.shape.length === 3) {
      // One matrix times a batch of matrices (an ensemble's weights): the batch joins b's columns, one
      // wider product, no copy of a.
      const { tb } = attrs ?? NN;
      const f = tb ? moveDim(b, bb!, 0) : moveDim(b, bb!, 1); // [B, n, k] or [k, B, n]
      const wide = tb
        ? reshape(f, [f.shape[0] * f.shape[1], f.shape[2]])
        : reshape(f, [f.shape[0], f.shape[1] * f.shape[2]]);
      const r = bmmPrim([a, wide], attrs);
      const n = tb ? f.shape[1] : f.shape[2];
      return [reshape(r, [r.shape[0], r.shape[1] / n, n]), 1];
    }
    // Otherwise the vmap batch joins bmm's own batch dim.
    const n = batchSizeOf([a, b], [ba, bb]);
    const flat = (x: Tensor, bd: number | null) => {
      const f = toFront(x, bd, n);
      return f.shape.length === 3 ? f : reshape(f, [n * f.shape[1], f.shape[2], f.shape[3]]);
    };
    const logicalA = ba === null ? a.shape : a.shape.filter((_, i) => i !== ba);
    const lead = logicalA.length === 3 ? logicalA[0] : 0;
    const r = bmmPrim([flat(a, ba), flat(b, bb)], attrs);
    return [lead ? reshape(r, [n, lead, r.shape[1], r.shape[2]]) : r, 0];
  },
  saves: { inputs: [0, 1] },
});

const solvePrim: Primitive<undefined> = definePrimitive<undefined>({
  name: 'solve',
  forward: ([a, b]) =>
    fromStorage(kernelsOf(a.backend).linalg.solve(a._storage, b._storage, a.shape[0], b.shape[1]), b.shape),
  // X = A^-1 B: gB = A^-T g, gA = -gB X^T.
  vjp: (g, { inputs: [a], out }) => {
    const gb = solvePrim([t2(a), g], undefined);
    return [neg(bmm2(gb, t2(out))), gb];
  },
  // dX = A^-1 (dB - dA X).
  jvp: ([ta, tb], { inputs: [a, b], out }) => {
    if (!ta && !tb) return null;
    const rhs = ta ? (tb ? sub(tb, bmm2(ta, out)) : neg(bmm2(ta, out))) : tb!;
    return solvePrim([a, shapesEqual(rhs.shape, b.shape) ? rhs : expand(rhs, b.shape)], undefined);
  },
  // LAPACK-style solves of a batch: one solve per example.
  batch: (xs, bdims) => batchByLoop((ys) => solvePrim(ys, undefined), xs, bdims),
  saves: { inputs: [0], output: true },
});

function t2(x: Tensor): Tensor {
  return permute(x, [1, 0]);
}
function bmm2(a: Tensor, b: Tensor): Tensor {
  const r = bmmPrim([reshape(a, [1, ...a.shape]), reshape(b, [1, ...b.shape])], undefined);
  return reshape(r, [a.shape[0], b.shape[1]]);
}

/**
 * Solves A x = b for a square matrix A [n, n] and b [n] or [n, k]; differentiable in A and b.
 * @example solve(tensor([[2, 0], [0, 4]]), tensor([2, 4])) // tensor([1., 1.])
 */
export function solve(a: Tensor, b: Tensor): Tensor {
  checkTensor('solve', 'a', a);
  checkTensor('solve', 'b', b);
  if (a.shape.length !== 2 || a.shape[0] !== a.shape[1]) {
    throw new ShapeError('solve', `a must be a square matrix, got shape ${fmtShape(a.shape)}`);
  }
  const vec = b.shape.length === 1;
  if ((b.shape.length !== 1 && b.shape.length !== 2) || b.shape[0] !== a.shape[0]) {
    throw new ShapeError(
      'solve',
      `b of shape ${fmtShape(b.shape)} does not fit a of shape ${fmtShape(a.shape)} (b's first dim must be ${a.shape[0]})`,
    );
  }
  checkSameFloatDtype('solve', { a, b });
  const x = solvePrim([a, vec ? reshape(b, [b.shape[0], 1]) : b], undefined);
  return vec ? reshape(x, [b.shape[0]]) : x;
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix. Not
 * differentiable (the result does not require grad).
 * @example const { values, vectors } = eigh(tensor([[2, 1], [1, 2]], { dtype: 'float64' })); // values [1, 3]
 */
export function eigh(a: Tensor): { values: Tensor; vectors: Tensor } {
  checkTensor('eigh', 'a', a);
  if (a.shape.length !== 2 || a.shape[0] !== a.shape[1])
    throw new ShapeError('eigh', `a must be a square matrix, got shape ${fmtShape(a.shape)}`);
  const n = a.shape[0];
  const { values, vectors } = kernelsOf(a.backend).linalg.eigh(a._storage, n);
  return { values: fromStorage(values, [n]), vectors: fromStorage(vectors, [n, n]) };
}

/**
 * Eigenvalues (ascending) of a symmetric matrix, without the eigenvectors (several times faster).
 * @example eigvalsh(tensor([[2, 1], [1, 2]], { dtype: 'float64' })) // tensor([1.0000, 3.0000], dtype=float64)
 */
export function eigvalsh(a: Tensor): Tensor {
  checkTensor('eigvalsh', 'a', a);
  if (a.shape.length !== 2 || a.shape[0] !== a.shape[1])
    throw new ShapeError('eigvalsh', `a must be a square matrix, got shape ${fmtShape(a.shape)}`);
  return fromStorage(kernelsOf(a.backend).linalg.eigvalsh(a._storage, a.shape[0]), [a.shape[0]]);
}
