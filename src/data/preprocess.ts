/** Standardization, the lectures' x~ = (x - mu) / sigma, fitted on training data and applied to any data. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { div, sub, where, eq } from '../ops/primitives/elementwise.js';
import { mean, std } from '../ops/composite/reduce.js';

/**
 * Per-feature mean and standard deviation (biased), fitted once and reused.
 * @example const s = Standardizer.fit(tensor([[0, 10], [2, 30]])); s.transform(tensor([[1, 20]])) // [[0, 0]]
 */
export class Standardizer {
  private constructor(
    readonly mean: Tensor,
    readonly std: Tensor,
  ) {}
  static fit(x: Tensor, dim = 0): Standardizer {
    if (x.shape.length === 0) throw new ValueError('Standardizer.fit', 'needs at least one dim of samples');
    const m = mean(x, dim, true).detach();
    const s = std(x, dim, { correction: 0, keepdim: true }).detach();
    // Constant features keep their scale instead of dividing by zero.
    return new Standardizer(m, where(eq(s, 0), 1, s));
  }
  transform(x: Tensor): Tensor {
    return div(sub(x, this.mean), this.std);
  }
  inverse(x: Tensor): Tensor {
    return x.mul(this.std).add(this.mean);
  }
}
