/**
 * Forward mode and second order: `jvp` (true forward mode: every primitive's JVP rule), `jacfwd`
 * (vmap of jvp), `jacrev`, `hessian` and `hvp` (both forward over reverse; hvp never forms the Hessian).
 * Inputs may be tensors or trees of tensors; `hessian` of a tree input is over the raveled parameters.
 */
import { AutogradError, DTypeError, ShapeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { isFloat } from '../tensor/dtype.js';
import { closeLevel, openLevel, setTangent, tangentAt } from './forward.js';
import { vmap } from './vmap.js';
import { eye, zerosLike } from '../tensor/creation.js';
import { alias } from '../ops/primitives/elementwise.js';
import { reshape } from '../ops/primitives/shape.js';
import { stack } from '../ops/composite/shape.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { type Tree, ravel, treeLeaves, treeMap } from '../tree.js';
import { grad, vjp } from './transforms.js';

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
 * shaped like it), like `jax.jvp`. True forward mode: each primitive's JVP rule runs beside its forward,
 * so the cost is about one more forward pass. Composes with grad (hvp is jvp of grad), vmap and itself.
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
  // As JAX: an integer or bool primal has no tangent space (JAX asks for float0 tangents there).
  primals.forEach((p, i) =>
    treeLeaves(p).forEach((x, j, all) => {
      if (!isFloat(x.dtype))
        throw new DTypeError(
          'jvp',
          `primal ${i}${all.length > 1 ? ` (leaf ${j})` : ''} is ${x.dtype}: only float primals have tangents; close over it instead to hold it constant`,
        );
    }),
  );
  const level = openLevel();
  try {
    const args = primals.map((p, i) => {
      const ts = treeLeaves(tangents[i]);
      return treeMap(p, (x, j) => {
        if (!isFloat(x.dtype)) return x;
        // A fresh alias carries the tangent, so the caller's tensor is left as it was.
        const a = alias(x);
        setTangent(a, level, ts[j].dtype === x.dtype ? ts[j] : ts[j].to(x.dtype));
        return a;
      });
    }) as A;
    const out = f(...args);
    const tangentOut = treeMap(out, (y) => {
      const t = tangentAt(y, level);
      if (y._tangents?.has(level)) {
        const m = new Map(y._tangents);
        m.delete(level);
        y._tangents = m.size ? m : null;
      }
      return t ?? zerosLike(y.detach());
    }) as O;
    return [out, tangentOut];
  } finally {
    closeLevel(level);
  }
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

function floatInput(op: string, x: Tensor): void {
  if (x instanceof Tensor && !isFloat(x.dtype))
    throw new DTypeError(op, `the input is ${x.dtype}: only float inputs have a Jacobian`);
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
    floatInput('jacrev', x);
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
 * The Jacobian by forward mode: one JVP per input element, all at once under vmap (the basis vectors are
 * the batch). Shape [...f(x).shape, ...x.shape].
 * @example jacfwd((x: Tensor) => softmax(x, 0))(x)
 */
export function jacfwd(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  const g = asTensorFn('jacfwd', f);
  return (x) => {
    floatInput('jacfwd', x);
    const n = x.size;
    if (n === 0) {
      const y = g(x);
      return zerosLike(y.detach()).reshape(...y.shape, ...x.shape);
    }
    const basis = reshape(eye(n, n, { dtype: x.dtype, backend: x.backend }), [n, ...x.shape]);
    const cols = vmap((t: Tensor) => jvp(g, [x], [t])[1], { inAxes: 0, outAxes: -1 })(basis);
    return reshape(cols, [...cols.shape.slice(0, -1), ...x.shape]);
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
 * The Hessian-vector product H(x) v without forming H: forward over reverse (the JVP of the gradient),
 * about the cost of two gradients. x and v may be tensors or trees of the same structure, and the result
 * has that structure.
 * @example hvp((x: Tensor) => x.pow(3).sum(), x, v)
 */
export function hvp<T extends Tree>(f: (x: T) => Tensor, x: T, v: T): T {
  checkLike('hvp', 'v', v, x);
  const fs = scalarFn('hvp', f);
  return jvp((y: T) => grad(fs)(y) as T, [x], [v])[1] as T;
}
