/**
 * A module as a function of its parameters (torch.func.functional_call): the bridge from nn.Module to
 * the function transforms. `grad`, `vmap`, `hessian`, `jvp` and the landscape tools take functions of
 * tensors; `functionalCall(model, params, x)` is the model's output with `params` in place of its own.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';
import { editDistance } from '../data/text/vocab.js';

function didYouMean(name: string, names: readonly string[]): string {
  const best = names.map((n) => [editDistance(name, n), n] as const).sort((a, b) => a[0] - b[0])[0];
  return best && best[0] <= 3
    ? ` (did you mean '${best[1]}'?)`
    : ` (it has ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})`;
}

/**
 * A module's parameters by dotted name (the tensors themselves, as `dict(model.named_parameters())`).
 * @example const p = paramsOf(model); grad((q) => crossEntropy(functionalCall(model, q, xs) as Tensor, ys))(p);
 */
export function paramsOf(module: Module): Record<string, Tensor> {
  return Object.fromEntries(module.namedParameters());
}

/** A module's buffers (running statistics) by dotted name. @example buffersOf(bn) // { runningMean, ... } */
export function buffersOf(module: Module): Record<string, Tensor> {
  return Object.fromEntries(module.namedBuffers());
}

/**
 * Calls `module` with the tensors of `params` (parameters and/or buffers, by dotted name, any subset)
 * standing in for its own; the module is left as it was, also when the call throws. Differentiable in
 * `params`, so `grad`, `vmap` and `jvp` work on any module.
 * @example
 * const lossOne = (p: Record<string, Tensor>, x: Tensor, y: Tensor) =>
 *   crossEntropy(functionalCall(model, p, x.unsqueeze(0)) as Tensor, y.unsqueeze(0));
 * const perExample = vmap(grad(lossOne), { inAxes: [null, 0, 0] })(paramsOf(model), xs, ys);
 */
export function functionalCall<T = Tensor>(
  module: Module,
  params: Record<string, Tensor>,
  ...inputs: unknown[]
): T {
  const owners = new Map<string, [Module, string]>();
  for (const [prefix, m] of module.namedModules()) {
    const names = [...m.namedParameters(), ...m.namedBuffers()]
      .map(([n]) => n)
      .filter((n) => !n.includes('.'));
    for (const n of names) owners.set(prefix ? `${prefix}.${n}` : n, [m, n]);
  }
  const swapped: [Module, string, unknown][] = [];
  try {
    for (const [name, t] of Object.entries(params)) {
      const owner = owners.get(name);
      if (!owner) {
        throw new ValueError(
          'functionalCall',
          `params has '${name}', which is not a parameter or buffer of the module${didYouMean(name, [...owners.keys()])}`,
        );
      }
      const [m, field] = owner;
      const rec = m as unknown as Record<string, unknown>;
      swapped.push([m, field, rec[field]]);
      rec[field] = t;
    }
    return (module.call as (...a: unknown[]) => T).apply(module, inputs);
  } finally {
    for (let i = swapped.length - 1; i >= 0; i--) {
      const [m, field, old] = swapped[i];
      (m as unknown as Record<string, unknown>)[field] = old;
    }
  }
}
