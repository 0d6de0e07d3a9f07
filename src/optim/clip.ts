/** Gradient clipping on parameters' `.grad`, in place, as torch.nn.utils.clip_grad_norm_/clip_grad_value_. */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import { stack } from '../ops/composite/shape.js';

function grads(op: string, parameters: Tensor | readonly Tensor[]): Tensor[] {
  const ps = parameters instanceof Tensor ? [parameters] : [...parameters];
  ps.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ValueError(op, `parameters[${i}] is not a Tensor`);
  });
  return ps.map((p) => p.grad).filter((g): g is Tensor => g !== null);
}

/**
 * Scales all gradients together so their total `normType`-norm is at most `maxNorm`:
 * g *= min(1, maxNorm / (total + 1e-6)). Returns the total norm before clipping (a 0-d tensor).
 * @example const total = clipGradNorm_(model.parameters(), 1.0);
 */
export function clipGradNorm_(
  parameters: Tensor | readonly Tensor[],
  maxNorm: number,
  normType = 2,
  opts: { errorIfNonfinite?: boolean } = {},
): Tensor {
  if (!(maxNorm >= 0)) throw new ValueError('clipGradNorm_', `maxNorm must be >= 0, got ${maxNorm}`);
  const gs = grads('clipGradNorm_', parameters);
  if (gs.length === 0) return tensor(0);
  return noGrad(() => {
    const norms = gs.map((g) => vectorNorm(g, normType).to(gs[0].dtype));
    const total = vectorNorm(stack(norms), normType);
    const t = total.item();
    if (opts.errorIfNonfinite && !Number.isFinite(t)) {
      throw new ValueError(
        'clipGradNorm_',
        `the total norm of order ${normType} of the gradients is ${t}; pass errorIfNonfinite: false to clip anyway`,
      );
    }
    const coef = Math.min(maxNorm / (t + 1e-6), 1);
    for (const g of gs) g.mul_(coef);
    return total;
  });
}

/**
 * Clamps every gradient element to [-clipValue, clipValue], in place.
 * @example clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(parameters: Tensor | readonly Tensor[], clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError('clipGradValue_', `clipValue must be >= 0, got ${clipValue}`);
  noGrad(() => {
    for (const g of grads('clipGradValue_', parameters)) g.clamp_(-clipValue, clipValue);
  });
}
