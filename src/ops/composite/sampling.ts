/** Categorical helpers built from primitives: oneHot and multinomial sampling. */
import { ValueError } from '../../errors.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { arange, rand } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import { asFloat, checkIndexTensor, checkTensor } from '../core.js';
import { add, eq, isfinite, le, log, lt, minimum, mul, neg } from '../primitives/elementwise.js';
import { amax, amin, sum } from '../primitives/reduce.js';
import { narrow, reshape } from '../primitives/shape.js';
import { cumsum, topk } from '../primitives/sort.js';
import { ShapeError } from '../../errors.js';

/**
 * One-hot encoding (torch.nn.functional.one_hot): int32 of shape [...x.shape, numClasses]; numClasses
 * defaults to max(x) + 1. Negative or too-large classes are refused.
 * @example oneHot(tensor([0, 2], { dtype: 'int32' }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  checkIndexTensor('oneHot', 'x', x);
  const lo = x.size ? amin(x).item() : 0;
  const hi = x.size ? amax(x).item() : -1;
  if (lo < 0) throw new ValueError('oneHot', `classes must be non-negative, got ${lo}`);
  const C = numClasses === -1 ? hi + 1 : numClasses;
  if (!(Number.isInteger(C) && C >= 1))
    throw new ValueError('oneHot', `numClasses must be a positive integer or -1, got ${numClasses}`);
  if (hi >= C) throw new ValueError('oneHot', `class ${hi} is out of range for numClasses ${C}`);
  return eq(reshape(x, [...x.shape, 1]), arange(0, C, 1, { dtype: 'int32' })).to('int32');
}

export interface MultinomialOptions {
  /** Draw with replacement (default false, torch's default). */
  replacement?: boolean;
  generator?: Generator;
}

/**
 * Draws `numSamples` category indices (int32) from each row of non-negative weights `probs` ([C] or
 * [B, C]; rows need not sum to 1), like torch.multinomial. Without replacement it uses the Gumbel-top-k
 * trick (the k largest of log p + Gumbel noise); with replacement, inverse-CDF sampling on cumsum.
 * @example multinomial(tensor([0.1, 0.9]), 4, { replacement: true })
 */
export function multinomial(probs: Tensor, numSamples: number, opts: MultinomialOptions = {}): Tensor {
  const op = 'multinomial';
  checkTensor(op, 'probs', probs);
  const p0 = asFloat(probs).detach();
  if (p0.shape.length !== 1 && p0.shape.length !== 2)
    throw new ShapeError(op, `probs must be 1-D or 2-D, got shape ${fmtShape(p0.shape)}`);
  const p = p0.shape.length === 1 ? reshape(p0, [1, p0.shape[0]]) : p0;
  const [B, C] = p.shape;
  if (!(Number.isInteger(numSamples) && numSamples > 0))
    throw new ValueError(op, `numSamples must be a positive integer, got ${numSamples}`);
  if (C === 0) throw new ValueError(op, 'probs has no categories');
  if (sum(isfinite(p).to('int32')).item() !== p.size)
    throw new ValueError(op, 'probs must be finite (found NaN or Inf)');
  if (amin(p).item() < 0) throw new ValueError(op, `probs must be non-negative, got ${amin(p).item()}`);
  const rowSums = sum(p, 1, true);
  if (amin(rowSums).item() <= 0) throw new ValueError(op, 'every row of probs must have a positive sum');
  const g = opts.generator;
  let out: Tensor;
  if (!opts.replacement) {
    const nonzero = amin(sum(lt(0, p).to('int32'), 1)).item();
    if (numSamples > nonzero)
      throw new ValueError(
        op,
        `cannot draw ${numSamples} samples without replacement from ${nonzero} non-zero categories`,
      );
    // Gumbel-top-k: argmax-k of log p - log(-log u) draws without replacement in proportion to p.
    const u = rand([B, C], { generator: g, dtype: p.dtype });
    const keys = add(log(p), neg(log(neg(log(u)))));
    out = topk(keys, numSamples, 1).indices;
  } else {
    const cdf = cumsum(p, 1);
    const total = narrow(cdf, 1, C - 1, 1);
    const u = mul(rand([B, numSamples], { generator: g, dtype: p.dtype }), total);
    // The sample is the number of CDF entries <= u (clamped: rounding can leave u at the top).
    const below = le(reshape(cdf, [B, 1, C]), reshape(u, [B, numSamples, 1]));
    out = minimum(sum(below.to('int32'), 2), C - 1);
  }
  return probs.shape.length === 1 ? reshape(out, [numSamples]) : out;
}
