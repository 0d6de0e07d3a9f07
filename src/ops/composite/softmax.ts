/** softmax and logSoftmax, stabilized by subtracting the (constant) max. */
import { normDim } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asFloat, checkTensor } from '../core.js';
import { div, exp, isinf, log, sub, where } from '../primitives/elementwise.js';
import { amax, sum } from '../primitives/reduce.js';

function shift(x: Tensor, dim: number): Tensor {
  const m = amax(x, dim, true).detach();
  return sub(x, where(isinf(m), 0, m));
}

/** exp(x) / sum(exp(x)) along `dim`. @example softmax(logits, -1) */
export function softmax(x: Tensor, dim: number): Tensor {
  x = asFloat(checkTensor('softmax', 'x', x));
  const d = normDim('softmax', dim, x.shape.length);
  const e = exp(shift(x, d));
  return div(e, sum(e, d, true));
}

/** x - logsumexp(x) along `dim`, stable for large logits. @example logSoftmax(logits, 1) */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  x = asFloat(checkTensor('logSoftmax', 'x', x));
  const d = normDim('logSoftmax', dim, x.shape.length);
  const z = shift(x, d);
  return sub(z, log(sum(exp(z), d, true)));
}
