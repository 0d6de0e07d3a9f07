/**
 * softmax and logSoftmax as primitives: the forward is the stabilized composite (the max subtracted,
 * run without a graph), the VJP a closed formula of the output, so a training step over a large
 * vocabulary makes a few passes instead of differentiating every step of the composite.
 */
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { noGrad } from '../../autograd/mode.js';
import { normDim } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asFloat, checkTensor } from '../core.js';
import { div, exp, isinf, log, mul, sub, where } from '../primitives/elementwise.js';
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
  saves: { output: true },
});

const logSoftmaxPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: 'logSoftmax',
  forward: ([x], { axis }) =>
    noGrad(() => {
      const z = shift(x, axis);
      return sub(z, log(sum(exp(z), axis, true)));
    }),
  // dx = g - softmax(x) * sum(g), with softmax(x) = exp(out)
  vjp: (g, { out, attrs: { axis } }) => [sub(g, mul(exp(out), sum(g, axis, true)))],
  saves: { output: true },
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
