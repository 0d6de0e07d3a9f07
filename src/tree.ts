/**
 * Pytrees, as in JAX: nested arrays and plain objects whose leaves are tensors (model parameters,
 * optimizer states). Object keys are visited in sorted order so two trees with the same keys line up.
 */
import { Tensor } from './tensor/tensor.js';

/** A tensor, a number, null, or arrays/records of those. */
export type Tree =
  Tensor | number | boolean | string | null | undefined | readonly Tree[] | { readonly [key: string]: Tree };

/** The tensors in a tree, in a deterministic order. @example treeLeaves({ w, b: [b1, b2] }) // [b1, b2, w] */
export function treeLeaves(tree: Tree): Tensor[] {
  const out: Tensor[] = [];
  const walk = (t: Tree): void => {
    if (t instanceof Tensor) out.push(t);
    else if (Array.isArray(t)) t.forEach(walk);
    else if (t !== null && typeof t === 'object')
      for (const k of Object.keys(t).sort()) walk((t as Record<string, Tree>)[k]);
  };
  walk(tree);
  return out;
}

/**
 * A tree of the same structure with every tensor leaf replaced by `fn(leaf, index)`; other leaves are kept.
 * @example treeMap(params, (p) => zerosLike(p))
 */
export function treeMap<T extends Tree>(tree: T, fn: (leaf: Tensor, index: number) => Tree): T {
  let i = 0;
  const walk = (t: Tree): Tree => {
    if (t instanceof Tensor) return fn(t, i++);
    if (Array.isArray(t)) return t.map(walk);
    if (t !== null && typeof t === 'object') {
      const out: Record<string, Tree> = {};
      for (const k of Object.keys(t).sort()) out[k] = walk((t as Record<string, Tree>)[k]);
      return out;
    }
    return t;
  };
  return walk(tree) as T;
}
