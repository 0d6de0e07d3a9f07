/**
 * softmax and logSoftmax as primitives: the forward is the stabilized composite (the max subtracted,
 * run without a graph), the VJP a closed formula of the output, so a training step over a large
 * vocabulary makes a few passes instead of differentiating every step of the composite.
 */
import { kernelsOf } from '../../backends/kernels.js';
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { allToFront, moveDim } from '../batching.js';
import { expand } from '../primitives/shape.js';
import { noGrad } from '../../autograd/mode.js';
import { normDim, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asFloat, checkTensor, fromStorage } from '../core.js';
import { add, div, exp, isinf, log, mul, neg, sub, where } from '../primitives/elementwise.js';
import { amax, sum } from '../primitives/reduce.js';

function shift(x: Tensor, dim: number): Tensor {
  const m = amax(x, dim, true);
  return sub(x, where(isinf(m), 0, m));
}

const softmaxPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: 'softmax',
  forward: ([x], { axis }) =>
    noGrad(() => {
      const e = exp(shift(x, axis));
      return div(e, sum(e, axis, true));
    }),
  // dx = y * (g - sum(g * y))
  vjp: (g, { out, attrs: { axis } }) => [mul(out, sub(g, sum(mul(g, out), axis, true)))],
  // The Jacobian diag(y) - y yᵀ is symmetric: J t has the VJP's formula.
  jvp: ([t], { out, attrs: { axis } }) => (t ? mul(out, sub(t, sum(mul(t, out), axis, true))) : null),
  batch: ([x], [b], { axis }) => [softmaxPrim([moveDim(x, b!, 0)], { axis: axis + 1 }), 0],
  saves: { output: true },
});

/** The rows a fused kernel sees: the softmax axis is the last one (contiguous rows), dtypes float. */
function fusedRows(x: Tensor, axis: number): [number, number] | null {
  if (axis !== x.shape.length - 1 || x.size === 0) return null;
  const cols = x.shape[axis];
  return [x.size / cols, cols];
}

const logSoftmaxPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: 'logSoftmax',
  forward: ([x], { axis }) => {
    const rc = fusedRows(x, axis);
    const fused = kernelsOf(x.backend).softmax;
    if (rc && fused) return fromStorage(fused.logSoftmax(x._storage, rc[0], rc[1]), x.shape);
    return noGrad(() => {
      const z = shift(x, axis);
      return sub(z, log(sum(exp(z), axis, true)));
    });
  },
  vjp: (g, { out, attrs }) => [logSoftmaxBackwardPrim([g, out], attrs)],
  // J = I - 1 softmaxᵀ: J t = t - sum(softmax * t).
  jvp: ([t], { out, attrs: { axis } }) => (t ? sub(t, sum(mul(exp(out), t), axis, true)) : null),
  batch: ([x], [b], { axis }) => [logSoftmaxPrim([moveDim(x, b!, 0)], { axis: axis + 1 }), 0],
  saves: { output: true },
});

/** log-softmax's VJP g - exp(y) sum(g), a primitive so that a fused kernel may run it; differentiable. */
const logSoftmaxBackwardPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: 'logSoftmaxBackward',
  forward: ([g, y], { axis }) => {
    const rc = fusedRows(g, axis);
    const fused = kernelsOf(g.backend).softmax;
    if (rc && fused && g.dtype === y.dtype)
      return fromStorage(fused.logSoftmaxBackward(g._storage, y._storage, rc[0], rc[1]), g.shape);
    return noGrad(() => sub(g, mul(exp(y), sum(g, axis, true))));
  },
  // h = g - e^y S with S = sum(g): dh/dg^T u = u - sum(u e^y); dh/dy^T u = -u e^y S.
  vjp: (u, { inputs: [g, y], attrs: { axis } }) => {
    const ue = mul(u, exp(y));
    return [sub(u, sum(ue, axis, true)), neg(mul(ue, sum(g, axis, true)))];
  },
  // h = g - e^y S(g): dh = dg - e^y S(dg) - dy e^y S(g).
  jvp: ([tg, ty], { inputs: [g, y], attrs, out }) => {
    const fromG = tg ? logSoftmaxBackwardPrim([tg, y], attrs) : null;
    const fromY = ty ? neg(mul(mul(ty, exp(y)), sum(g, attrs.axis, true))) : null;
    const t = fromG && fromY ? add(fromG, fromY) : (fromG ?? fromY);
    return t && !shapesEqual(t.shape, out.shape) ? expand(t, out.shape) : t;
  },
  // The fused kernel wants both operands whole: an unbatched one is broadcast over the batch.
  batch: (xs, bdims, { axis }) => [logSoftmaxBackwardPrim(allToFront(xs, bdims), { axis: axis + 1 }), 0],
  saves: { inputs: [0, 1] },
});

/** exp(x) / sum(exp(x)) along `dim`. @example softmax(logits, -1) */
export function softmax(x: Tensor, dim: number): Tensor {
  x = asFloat(checkTensor('softmax', 'x', x));
  return softmaxPrim([x], { axis: normDim('softmax', dim, x.shape.length) });
}

/** x - logsumexp(x) along `dim`, stable for large logits. @example logSoftmax(logits, 1) */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  x = asFloat(checkTensor('logSoftmax', 'x', x));
  return logSoftmaxPrim([x], { axis: normDim('logSoftmax', dim, x.shape.length) });
}
