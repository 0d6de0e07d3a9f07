/** The imperative autograd entry points (backward, autograd.grad), as in PyTorch. */
import { AutogradError, ValueError } from '../errors.js';
import { type BackwardOptions, rootGradient, runBackward } from '../autograd/backward.js';
import { gradNode } from '../autograd/primitive.js';
import type { Node } from '../autograd/node.js';
import type { Tensor } from '../tensor/tensor.js';
import { onesLike, zerosLike } from '../tensor/creation.js';

/** The node that receives a tensor's gradient. @internal */
export function gradNodeOf(t: Tensor): Node {
  return gradNode(t);
}

/** `tensor.backward(gradient, options)`: accumulates into the `.grad` of the leaves the tensor depends on. */
export function backward(t: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  const g = rootGradient('backward', t, gradient, (x) => onesLike(x.detach()));
  const createGraph = options.createGraph ?? false;
  runBackward([t], [gradient ? g.detach().clone() : g], {
    createGraph,
    retainGraph: options.retainGraph ?? createGraph,
  });
}

export interface AutogradGradOptions extends BackwardOptions {
  /** Upstream gradients, one per output (default: 1 for scalar outputs). */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Return zeros instead of throwing for inputs the outputs do not depend on. */
  allowUnused?: boolean;
}

/**
 * PyTorch's `torch.autograd.grad`: the gradients of `outputs` with respect to `inputs`, returned rather
 * than accumulated into `.grad`.
 * @example
 * const x = tensor([3], { requiresGrad: true });
 * const [gx] = autogradGrad([x.pow(3).sum()], [x], { createGraph: true });
 * gx.item() // 27
 * autogradGrad([gx.sum()], [x])[0].item() // 18
 */
export function autogradGrad(
  outputs: readonly Tensor[],
  inputs: readonly Tensor[],
  opts: AutogradGradOptions = {},
): Tensor[] {
  if (outputs.length === 0 || inputs.length === 0)
    throw new ValueError('autograd.grad', 'outputs and inputs must be non-empty');
  const roots = outputs.map((o, i) =>
    rootGradient('autograd.grad', o, opts.gradOutputs?.[i], (x) => onesLike(x.detach())),
  );
  inputs.forEach((x, i) => {
    if (!x.requiresGrad)
      throw new AutogradError(
        'autograd.grad',
        `inputs[${i}] (shape [${x.shape.join(', ')}]) does not require grad`,
      );
  });
  const nodes = inputs.map(gradNode);
  const createGraph = opts.createGraph ?? false;
  const res = runBackward(outputs, roots, {
    createGraph,
    retainGraph: opts.retainGraph ?? createGraph,
    targets: nodes,
  });
  return nodes.map((n, i) => {
    const g = res.get(n);
    if (g) return g;
    if (!opts.allowUnused) {
      throw new AutogradError(
        'autograd.grad',
        `inputs[${i}] is not used to compute the outputs; pass { allowUnused: true } to get zeros`,
      );
    }
    return zerosLike(inputs[i].detach());
  });
}
