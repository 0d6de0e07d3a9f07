/**
 * Pytrees, as in JAX: nested arrays and plain objects whose leaves are tensors (model parameters,
 * optimizer states). Object keys are visited in sorted order so two trees with the same keys line up.
 */
import { Tensor } from './tensor/tensor.js';
import { ShapeError, ValueError } from './errors.js';
import { cat, narrow, reshape } from './ops/primitives/shape.js';

/** A tensor, a number, null, or arrays/records of those. */
export type Tree =
  Tensor | number | boolean | string | null | undefined | readonly Tree[] | { readonly [key: string]: Tree };

/** The tensors in a tree, in a deterministic order. @example treeLeaves({ w: tensor([1]), b: [tensor([2]), tensor([3])] }) // [[2], [3], [1]] */
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

/**
 * Flattens a tree of tensors into one 1-D tensor (differentiably) and returns the inverse, as
 * `jax.flatten_util.ravel_pytree`. Leaves keep their dtype on the way back.
 * @example const { flat, unravel } = ravel({ w, b }); unravel(flat.mul(2));
 */
export function ravel<T extends Tree>(tree: T): { flat: Tensor; unravel: (flat: Tensor) => T } {
  const ls = treeLeaves(tree);
  if (ls.length === 0) throw new ValueError('ravel', 'the tree holds no tensors');
  const dtype = ls[0].dtype;
  const flat = cat(ls.map((l) => reshape(l.dtype === dtype ? l : l.to(dtype), [-1])));
  const sizes = ls.map((l) => l.size);
  const unravel = (v: Tensor): T => {
    if (v.shape.length !== 1 || v.shape[0] !== flat.shape[0]) {
      throw new ShapeError(
        'ravel',
        `the flat vector must have shape [${flat.shape[0]}], got [${v.shape.join(', ')}]`,
      );
    }
    let off = 0;
    return treeMap(tree, (leaf, i) => {
      const part = reshape(narrow(v, 0, off, sizes[i]), leaf.shape);
      off += sizes[i];
      return part.dtype === leaf.dtype ? part : part.to(leaf.dtype);
    });
  };
  return { flat, unravel };
}
