/** The lectures' regularizers: L2/L1 penalties, the gradient-norm penalty (double backprop), FGSM. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { abs, add, mul, sign } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { autogradGrad } from '../ops/autograd.js';
import { enableGrad, noGrad } from '../autograd/mode.js';

/**
 * (lambda / 2) sum of squared entries of the given parameters: J = L + l2Penalty([W1, W2], lambda).
 * @example const J = loss().add(l2Penalty([fc1.weight, fc2.weight], 1e-3));
 */
export function l2Penalty(params: readonly Tensor[], lambda: number): Tensor {
  if (!params.length) throw new ValueError('l2Penalty', 'needs at least one parameter');
  return mul(
    params.map((p) => sum(mul(p, p))).reduce((a, b) => add(a, b)),
    lambda / 2,
  );
}

/** lambda * sum of absolute entries (L1, which drives weights to exactly zero). @example l1Penalty([tensor([1, -2])], 0.5) // tensor(1.5000) */
export function l1Penalty(params: readonly Tensor[], lambda: number): Tensor {
  if (!params.length) throw new ValueError('l1Penalty', 'needs at least one parameter');
  return mul(
    params.map((p) => sum(abs(p))).reduce((a, b) => add(a, b)),
    lambda,
  );
}

/**
 * Double backprop: lambda * ||d loss / d inputs||^2, differentiable with respect to the parameters.
 * `lossFn` recomputes the loss from the given inputs.
 * @example const J = loss().add(gradientPenalty((x) => crossEntropy(model.call(x) as Tensor, ys), xs, 0.1));
 */
export function gradientPenalty(lossFn: (inputs: Tensor) => Tensor, inputs: Tensor, lambda: number): Tensor {
  return enableGrad(() => {
    const x = inputs.detach().requiresGrad_(true);
    const [g] = autogradGrad([lossFn(x)], [x], { createGraph: true });
    return mul(sum(mul(g, g)), lambda);
  });
}

/**
 * The fast gradient sign method: x + eps * sign(d loss / d x), an adversarial example for adversarial
 * training. The result does not require grad.
 * @example const xAdv = fgsm((x) => crossEntropy(model.call(x) as Tensor, ys), xs, 0.1);
 */
export function fgsm(lossFn: (inputs: Tensor) => Tensor, inputs: Tensor, eps: number): Tensor {
  const [g] = enableGrad(() => {
    const x = inputs.detach().requiresGrad_(true);
    return autogradGrad([lossFn(x)], [x]);
  });
  return noGrad(() => add(inputs.detach(), mul(sign(g), eps)));
}
