/** matmul and friends, built on the batched-matmul primitive. */
import { ShapeError } from '../../errors.js';
import { broadcastShapes, fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { binaryOperands, checkSameFloatDtype, checkTensor } from '../core.js';
import { add, mul } from '../primitives/elementwise.js';
import { bmmPrim } from '../primitives/linalg.js';
import { sum } from '../primitives/reduce.js';
import { expand, reshape, stridedView } from '../primitives/shape.js';
import { eye } from '../../tensor/creation.js';
import { squeeze, unsqueeze } from './shape.js';
import { getDefaultDtype, isFloat } from '../../tensor/dtype.js';

/**
 * Matrix product with NumPy semantics: 1-D x 1-D is a dot product, 1-D operands are promoted to
 * matrices and the added dim removed, leading (batch) dims broadcast.
 * @example matmul(randn([2, 3, 4]), randn([4, 5])).shape // [2, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  [a, b] = binaryOperands('matmul', a, b);
  if (!isFloat(a.dtype)) {
    a = a.to(getDefaultDtype());
    b = b.to(getDefaultDtype());
  }
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw new ShapeError(
      'matmul',
      `both arguments need at least 1 dim, got a of shape ${fmtShape(a.shape)} and b of shape ${fmtShape(b.shape)}`,
    );
  }
  const k = a.shape[a.shape.length - 1];
  const kb = b.shape.length === 1 ? b.shape[0] : b.shape[b.shape.length - 2];
  if (k !== kb) {
    throw new ShapeError(
      'matmul',
      `cannot multiply a of shape ${fmtShape(a.shape)} by b of shape ${fmtShape(b.shape)} ` +
        `(a's last dim ${k} != b's ${b.shape.length === 1 ? 'only' : 'second-to-last'} dim ${kb})`,
    );
  }
  if (a.shape.length === 1 && b.shape.length === 1) return sum(mul(a, b));
  if (b.shape.length === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  if (a.shape.length === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (a.shape.length === 2 && b.shape.length === 2) return bmmPrim([a, b], undefined);
  const m = a.shape[a.shape.length - 2];
  const n = b.shape[b.shape.length - 1];
  const batch = broadcastShapes(
    'matmul',
    a.shape.slice(0, -2),
    b.shape.slice(0, -2),
    "a's batch dims",
    "b's batch dims",
  );
  const B = batch.reduce((x, y) => x * y, 1);
  const a3 = reshape(expand(a, [...batch, m, k]), [B, m, k]);
  const b3 = reshape(expand(b, [...batch, k, n]), [B, k, n]);
  return reshape(bmmPrim([a3, b3], undefined), [...batch, m, n]);
}

/** Dot product of two 1-D tensors. @example dot(tensor([1, 2]), tensor([3, 4])) // tensor(11.) */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor('dot', 'a', a);
  checkTensor('dot', 'b', b);
  if (a.shape.length !== 1 || b.shape.length !== 1 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      'dot',
      `expects two 1-D tensors of equal length, got a of shape ${fmtShape(a.shape)} and b of shape ${fmtShape(b.shape)}`,
    );
  }
  return matmul(a, b);
}

/** Outer product u v^T of two 1-D tensors. @example outer(tensor([1, 2]), tensor([3, 4, 5])).shape // [2, 3] */
export function outer(u: Tensor, v: Tensor): Tensor {
  checkTensor('outer', 'u', u);
  checkTensor('outer', 'v', v);
  if (u.shape.length !== 1 || v.shape.length !== 1) {
    throw new ShapeError(
      'outer',
      `expects two 1-D tensors, got u of shape ${fmtShape(u.shape)} and v of shape ${fmtShape(v.shape)}`,
    );
  }
  return mul(unsqueeze(u, 1), unsqueeze(v, 0));
}

/**
 * x W^T + b, as torch.nn.functional.linear: x is [..., in], weight [out, in], bias [out].
 * @example linear(x, w, b)
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('linear', 'x', x);
  checkTensor('linear', 'weight', weight);
  if (weight.shape.length !== 2 || x.shape.length < 1 || x.shape[x.shape.length - 1] !== weight.shape[1]) {
    throw new ShapeError(
      'linear',
      `input of shape ${fmtShape(x.shape)} does not fit weight of shape ${fmtShape(weight.shape)} ` +
        `(input's last dim must equal weight's in_features ${weight.shape[1] ?? '?'})`,
    );
  }
  checkSameFloatDtype('linear', { x, weight, bias });
  // x [..., in] as one [1, N, in] batch times weight [out, in] read transposed: no transpose copy.
  const [out, inF] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const rows = lead.reduce((p, q) => p * q, 1);
  const y =
    x.shape.length === 2
      ? bmmPrim([x, weight], { ta: false, tb: true })
      : reshape(
          bmmPrim([reshape(x, [1, rows, inF]), reshape(weight, [1, out, inF])], { ta: false, tb: true }),
          [...lead, out],
        );
  if (!bias) return y;
  if (bias.shape.length !== 1 || bias.shape[0] !== weight.shape[0]) {
    throw new ShapeError(
      'linear',
      `bias has shape ${fmtShape(bias.shape)}, expected [${weight.shape[0]}] for weight of shape ${fmtShape(weight.shape)}`,
    );
  }
  return add(y, bias);
}

/**
 * The main diagonal of a matrix [n, m] as a 1-D tensor (differentiable).
 * @example diagonal(eye(3)) // tensor([1., 1., 1.])
 */
export function diagonal(a: Tensor): Tensor {
  checkTensor('diagonal', 'a', a);
  if (a.shape.length !== 2)
    throw new ShapeError('diagonal', `expects a matrix, got shape ${fmtShape(a.shape)}`);
  const [n, m] = a.shape;
  const k = Math.min(n, m);
  return stridedView(a, { shape: [k], strides: [m + 1], offset: 0 });
}

/**
 * A square matrix with v on its diagonal (differentiable in v).
 * @example diagEmbed(tensor([1, 2])) // [[1, 0], [0, 2]]
 */
export function diagEmbed(v: Tensor): Tensor {
  checkTensor('diagEmbed', 'v', v);
  if (v.shape.length !== 1)
    throw new ShapeError('diagEmbed', `expects a 1-D tensor, got shape ${fmtShape(v.shape)}`);
  const n = v.shape[0];
  return mul(eye(n, n, { dtype: v.dtype, backend: v.backend }), unsqueeze(v, 0));
}

/** torch.diag: the diagonal of a matrix, or the diagonal matrix of a vector. @example diag(tensor([1, 2])) */
export function diag(x: Tensor): Tensor {
  return x.shape.length === 1 ? diagEmbed(x) : diagonal(x);
}
