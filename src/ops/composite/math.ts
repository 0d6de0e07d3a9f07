/** Elementwise functions built from primitives: they need no VJP of their own. */
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asFloat, checkBoolTensor, checkTensor } from '../core.js';
import {
  abs,
  add,
  alias,
  div,
  erf,
  exp,
  expm1,
  gt,
  log1p,
  lt,
  mul,
  powScalar,
  reluPrimitive,
  sigmoid,
  sub,
  tanh,
  where,
} from '../primitives/elementwise.js';

/** x * x. @example square(tensor([3])) // tensor([9.]) */
export function square(x: Tensor): Tensor {
  return mul(x, x);
}

/** 1 / x. @example reciprocal(tensor([4])) // tensor([0.2500]) */
export function reciprocal(x: Tensor): Tensor {
  return div(1, x);
}

/**
 * Limits values to [min, max] (either may be null). The gradient passes where min <= x <= max,
 * bounds included, as in PyTorch.
 * @example clamp(tensor([-2, 0.5, 3]), -1, 1) // tensor([-1.0000, 0.5000, 1.0000])
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor('clamp', 'x', x);
  if (min != null && max != null && min > max)
    throw new ValueError('clamp', `min ${min} is greater than max ${max}`);
  let out = x;
  if (min != null) out = where(lt(x, min), min, out);
  if (max != null) out = where(gt(x, max), max, out);
  return out === x ? alias(x) : out;
}

/** max(x, 0), with relu'(0) = 0; NaN stays NaN. @example relu(tensor([-1, 0, 2])) // [0, 0, 2] */
export function relu(x: Tensor): Tensor {
  return reluPrimitive(asFloat(checkTensor('relu', 'x', x)));
}

/** x for x > 0, else slope * x (gradient `slope` at 0, as PyTorch). @example leakyRelu(x, 0.01) */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  x = asFloat(checkTensor('leakyRelu', 'x', x));
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** Parametric ReLU: the slope `weight` is learnable (one value, or one per channel on dim 1). */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkTensor('prelu', 'x', x);
  checkTensor('prelu', 'weight', weight);
  const w =
    x.shape.length >= 2 && weight.size > 1
      ? weight.reshape([weight.size, ...x.shape.slice(2).map(() => 1)])
      : weight;
  return where(gt(x, 0), x, mul(x, w));
}

/** Selects the non-positive inputs, with 0 elsewhere: keeps exp() of unused branches finite. */
function nonPositivePart(x: Tensor, positive: Tensor): Tensor {
  return where(positive, 0, x);
}

/** x for x > 0, else alpha (e^x - 1). @example elu(x) */
export function elu(x: Tensor, alpha = 1): Tensor {
  x = asFloat(checkTensor('elu', 'x', x));
  const pos = gt(x, 0);
  return where(pos, x, mul(expm1(nonPositivePart(x, pos)), alpha));
}

/** SELU: scale * elu(x, alpha) with the self-normalizing constants. @example selu(x) */
export function selu(x: Tensor): Tensor {
  return mul(elu(x, 1.6732632423543772), 1.0507009873554805);
}

/**
 * log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's softplus).
 * @example softplus(x, 2, 20)
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  x = asFloat(checkTensor('softplus', 'x', x));
  const bx = mul(x, beta);
  const linear = gt(bx, threshold);
  return where(linear, x, div(log1p(exp(where(linear, 0, bx))), beta));
}

/**
 * log(1 + e^u) for any u without overflow, with the exact derivative sigmoid(u) everywhere (incl. 0).
 * @internal
 */
export function softplusStable(u: Tensor): Tensor {
  const pos = gt(u, 0);
  const up = where(pos, u, 0);
  const un = where(pos, 0, u);
  return where(pos, add(up, log1p(exp(mul(up, -1)))), log1p(exp(un)));
}

/** log(sigmoid(x)), stable. @example logSigmoid(x) */
export function logSigmoid(x: Tensor): Tensor {
  return mul(softplusStable(mul(asFloat(x), -1)), -1);
}

/**
 * GELU: x Phi(x) with the exact erf form, or PyTorch's tanh approximation.
 * @example gelu(x); gelu(x, 'tanh')
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  x = asFloat(checkTensor('gelu', 'x', x));
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(powScalar(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== 'none')
    throw new ValueError('gelu', `approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** SiLU (swish): x sigmoid(x). @example silu(x) */
export function silu(x: Tensor): Tensor {
  x = asFloat(checkTensor('silu', 'x', x));
  return mul(x, sigmoid(x));
}

/** Mish: x tanh(softplus(x)). @example mish(x) */
export function mish(x: Tensor): Tensor {
  return mul(x, tanh(softplus(x)));
}

/** x / (1 + |x|). @example softsign(x) */
export function softsign(x: Tensor): Tensor {
  return div(x, add(abs(x), 1));
}

/** Clamps to [min, max] (default [-1, 1]). @example hardtanh(x) */
export function hardtanh(x: Tensor, min = -1, max = 1): Tensor {
  return clamp(x, min, max);
}

/** The lectures' binary step: 1 where x >= 0, else 0; zero gradient. @example binaryStep(x) */
export function binaryStep(x: Tensor): Tensor {
  checkTensor('binaryStep', 'x', x);
  return where(lt(x, 0), 0, 1).to(asFloat(x).dtype);
}

/** The identity activation (a differentiable copy). @example identity(x) */
export function identity(x: Tensor): Tensor {
  return alias(checkTensor('identity', 'x', x));
}

/** A differentiable copy with its own storage. @example clone(x) */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'x', x);
  return sub(x, 0).to(x.dtype);
}

/**
 * value where mask is true, x elsewhere (mask broadcasts).
 * @example maskedFill(scores, eq(mask, 0), -Infinity)
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', 'x', x);
  checkBoolTensor('maskedFill', 'mask', mask);
  return where(mask, value, x);
}
