/**
 * Forward mode and second order: `jvp` (Jacobian-vector products, by transposing the VJP: J v is the
 * gradient with respect to u of <J^T u, v>, exact and composable with grad), `jacfwd`, `jacrev`,
 * `hessian` (forward over reverse) and `hvp` (reverse over reverse, never forming the Hessian).
 * Inputs may be tensors or trees of tensors; `hessian` of a tree input is over the raveled parameters.
 */
import { AutogradError, ShapeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { mul } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { reshape } from '../ops/primitives/shape.js';
import { stack } from '../ops/composite/shape.js';
import { autogradGrad } from '../ops/autograd.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { type Tree, ravel, treeLeaves, treeMap } from '../tree.js';
import { isGradEnabled, withGradMode } from './mode.js';
import { grad, vjp } from './transforms.js';

function inner(a: Tree, b: Tree): Tensor {
  const la = treeLeaves(a);
  const lb = treeLeaves(b);
  let total: Tensor | null = null;
  la.forEach((x, i) => {
    const s = sum(mul(x, lb[i]));
    total = total ? total.add(s) : s;
  });
  if (!total) throw new ValueError('jvp', 'no tensors to pair');
  return total;
}

function checkLike(op: string, arg: string, x: Tree, like: Tree): void {
  const a = treeLeaves(x);
  const b = treeLeaves(like);
  if (a.length !== b.length)
    throw new ShapeError(op, `${arg} has ${a.length} tensors but the input has ${b.length}`);
  a.forEach((t, i) => {
    if (!shapesEqual(t.shape, b[i].shape)) {
      throw new ShapeError(
        op,
        `${arg} has shape ${fmtShape(t.shape)} where the input has shape ${fmtShape(b[i].shape)}`,
      );
    }
  });
}

/**
 * Forward-mode product: `[f(x), J_f(x) v]` for primals x and tangents v (one tangent per primal, each
 * shaped like it), like `jax.jvp`.
 * @example const [y, dy] = jvp((x: Tensor) => sin(x), [x], [v]); // dy = cos(x) * v
 */
export function jvp<A extends Tree[], O extends Tree>(
  f: (...args: A) => O,
  primals: A,
  tangents: { [K in keyof A]: Tree },
): [O, O] {
  if (primals.length !== tangents.length)
    throw new ValueError('jvp', `got ${primals.length} primals but ${tangents.length} tangents`);
  primals.forEach((p, i) => checkLike('jvp', `tangents[${i}]`, tangents[i], p));
  // Keep the result differentiable only when an outer trace watches the primals (jvp inside grad).
  const outer = isGradEnabled() && primals.some((p) => treeLeaves(p).some((t) => t.requiresGrad));
  return withGradMode(true, () => {
    const [y, back] = vjp(f, ...primals);
    const ys = treeLeaves(y);
    const us = ys.map((t) => zerosLike(t.detach()).requiresGrad_(true));
    const gs = back(treeMap(y, (_, i) => us[i]) as O);
    const s = inner(gs as Tree, tangents as unknown as Tree);
    const jv = s.requiresGrad
      ? autogradGrad([s], us, { createGraph: outer, allowUnused: true })
      : us.map((u) => zerosLike(u.detach()));
    return [
      outer ? y : (treeMap(y, (t) => t.detach()) as O),
      treeMap(y, (_, i) => (outer ? jv[i] : jv[i].detach())) as O,
    ];
  });
}

function asTensorFn(op: string, f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x) => {
    if (!(x instanceof Tensor))
      throw new ValueError(op, 'the input must be a Tensor (ravel a tree of parameters first)');
    const y = f(x);
    if (!(y instanceof Tensor)) throw new ValueError(op, 'the function must return a Tensor');
    return y;
  };
}

function oneHot(n: number, i: number, like: Tensor): Tensor {
  const v = new Array<number>(n).fill(0);
  v[i] = 1;
  return new Tensor(like.backend.fromArray(like.dtype, v), [n]);
}

/**
 * The Jacobian by reverse mode (one VJP per output element): shape [...f(x).shape, ...x.shape].
 * @example jacrev((x: Tensor) => x.pow(2))(tensor([1, 2], { dtype: 'float64' })) // diag(2, 4)
 */
export function jacrev(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const g = asTensorFn('jacrev', f);
  return (x) => {
    const [y, back] = vjp(g, x);
    const rows = Array.from({ length: y.size }, (_, i) =>
      reshape(back(reshape(oneHot(y.size, i, y), y.shape))[0] as Tensor, [x.size]),
    );
    return reshape(rows.length ? stack(rows) : zerosLike(x).reshape(0, x.size), [...y.shape, ...x.shape]);
  };
}

/** Same as `jacrev`. */
export const jacobian = jacrev;

/**
 * The Jacobian by forward mode (one JVP per input element): shape [...f(x).shape, ...x.shape].
 * @example jacfwd((x: Tensor) => softmax(x, 0))(x)
 */
export function jacfwd(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const g = asTensorFn('jacfwd', f);
  return (x) => {
    const cols: Tensor[] = [];
    let ySize = 0;
    let yShape: readonly number[] = [];
    for (let j = 0; j < x.size; j++) {
      const [y, dy] = jvp(g, [x], [reshape(oneHot(x.size, j, x), x.shape)]);
      ySize = y.size;
      yShape = y.shape;
      cols.push(reshape(dy, [y.size]));
    }
    const J = cols.length ? stack(cols, 1) : zerosLike(x).reshape(0, 0);
    return reshape(J, [...yShape, ...x.shape].length ? [...yShape, ...x.shape] : [ySize]);
  };
}

function scalarFn<T extends Tree>(op: string, f: (x: T) => Tensor): (x: T) => Tensor {
  return (x) => {
    const y = f(x);
    if (!(y instanceof Tensor) || y.size !== 1) {
      throw new AutogradError(
        op,
        `the function must return a scalar (one element), got ${y instanceof Tensor ? `shape ${fmtShape(y.shape)}` : typeof y}`,
      );
    }
    return y;
  };
}

/**
 * The Hessian of a scalar f, forward over reverse (jacfwd of grad). For a tensor x: shape
 * [...x.shape, ...x.shape]; for a tree of parameters: the [n, n] Hessian over the raveled parameters
 * (`ravel` gives the order).
 * @example hessian((x: Tensor) => x.pow(3).sum())(tensor([1, 2], { dtype: 'float64' })) // diag(6, 12)
 */
export function hessian<T extends Tree>(f: (x: T) => Tensor): (x: T) => Tensor {
  const fs = scalarFn('hessian', f);
  return (x: T) => {
    if (x instanceof Tensor) return jacfwd(grad(fs as unknown as (x: Tensor) => Tensor))(x);
    const { flat, unravel } = ravel(x);
    return jacfwd(grad((v: Tensor) => fs(unravel(v))))(flat.detach());
  };
}

/**
 * The Hessian-vector product H(x) v without forming H (reverse over reverse); x and v may be tensors or
 * trees of the same structure, and the result has that structure.
 * @example hvp((x: Tensor) => x.pow(3).sum(), x, v)
 */
export function hvp<T extends Tree>(f: (x: T) => Tensor, x: T, v: T): T {
  checkLike('hvp', 'v', v, x);
  const fs = scalarFn('hvp', f);
  return grad((y: T) => inner(grad(fs)(y) as Tree, v))(x) as T;
}
