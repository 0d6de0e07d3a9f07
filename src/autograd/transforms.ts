/**
 * Functional transforms in the style of JAX and HIPS Autograd: `grad`, `valueAndGrad`, `vjp`, plus
 * `customVjp` and `stopGradient`. They run on the same tape as `backward()`; because every VJP is written
 * with differentiable ops, they nest: `grad(grad(f))` is the second derivative.
 */
import { AutogradError, DTypeError, ValueError } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { onesLike, zerosLike } from '../tensor/creation.js';
import { add, alias, mul } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { type Tree, treeLeaves, treeMap } from '../tree.js';
import { isGradEnabled, noGrad, withGradMode } from './mode.js';
import { LeafNode, type Node, OpNode } from './node.js';
import { definePrimitive, gradNode, type Primitive } from './primitive.js';
import { batchByLoop } from '../ops/batching.js';
import { carryTangents } from './forward.js';
import { rootGradient, runBackward } from './backward.js';

interface Traced {
  args: unknown[];
  /** Per argnum: the traced tensors, in tree order. */
  leaves: Tensor[][];
  privateNodes: Set<Node>;
  outerMode: boolean;
}

function normArgnums(op: string, argnums: number | readonly number[] | undefined, n: number): number[] {
  const list = argnums === undefined ? [0] : typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= n) {
      throw new ValueError(op, `argnums ${a} is out of range for a function called with ${n} argument(s)`);
    }
  }
  return list;
}

/**
 * Integer and bool inputs have no gradient. As in JAX, `grad` refuses them unless told they are
 * constants (`allowInt`); `vjp` treats them as constants (its cotangents there are zeros).
 */
function checkDifferentiable(op: string, args: unknown[], argnums: readonly number[]): void {
  for (const a of argnums) {
    const leaves = treeLeaves(args[a] as Tree);
    const j = leaves.findIndex((x) => !isFloat(x.dtype));
    if (j >= 0)
      throw new DTypeError(
        op,
        `argument ${a}${leaves.length > 1 ? ` (leaf ${j})` : ''} is ${leaves[j]!.dtype}: only float inputs have a gradient; pass allowInt: true to hold it constant (zero gradient), or leave it out of argnums`,
      );
  }
}

/** Starts tracing: each float tensor in the chosen args becomes a fresh graph input. */
function trace(args: unknown[], argnums: readonly number[]): Traced {
  const outerMode = isGradEnabled();
  const privateNodes = new Set<Node>();
  const traced = [...args];
  const leaves: Tensor[][] = [];
  for (const a of argnums) {
    const mine: Tensor[] = [];
    traced[a] = treeMap(args[a] as Tree, (x) => {
      if (!isFloat(x.dtype)) return x;
      let t: Tensor;
      if (outerMode && x.requiresGrad) {
        t = withGradMode(true, () => alias(x)); // stays connected to an outer trace
      } else {
        t = carryTangents(x, x.detach().requiresGrad_(true)); // forward mode over this grad (hvp) keeps x's tangent
        privateNodes.add(gradNode(t));
      }
      mine.push(t);
      return t;
    });
    leaves.push(mine);
  }
  return { args: traced, leaves, privateNodes, outerMode };
}

/** Whether t's graph reaches a leaf outside this trace (an outer trace or a closed-over parameter). */
function reachesOutside(t: Tensor, privateNodes: ReadonlySet<Node>): boolean {
  if (!t._node) return t.requiresGrad && !(t._leaf && privateNodes.has(t._leaf));
  const seen = new Set<Node>();
  const stack: Node[] = [t._node];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n instanceof LeafNode) {
      if (!privateNodes.has(n)) return true;
    } else if (n instanceof OpNode) {
      for (const p of n.parents) if (p) stack.push(p);
    }
  }
  return false;
}

/** Detaches results that only depend on this trace's private inputs (so top-level results are plain). */
function finish<T extends Tree>(tree: T, tr: Traced): T {
  return treeMap(tree, (t) =>
    tr.outerMode && reachesOutside(t, tr.privateNodes) ? t : carryTangents(t, t.detach()),
  );
}

function gradsFor(
  outputs: Tensor[],
  cotangents: Tensor[],
  tr: Traced,
  argnums: readonly number[],
  args: unknown[],
): Tree[] {
  const all = tr.leaves.flat();
  const nodes = all.map(gradNode);
  const res = outputs.length
    ? withGradMode(true, () =>
        runBackward(outputs, cotangents, { createGraph: true, retainGraph: true, targets: nodes }),
      )
    : new Map<Node, Tensor>();
  let k = 0;
  return argnums.map((a) =>
    treeMap(args[a] as Tree, (x) => {
      if (!isFloat(x.dtype)) return zerosLike(x);
      const node = nodes[k++];
      return res.get(node) ?? zerosLike(x.detach());
    }),
  );
}

function scalarOutput(op: string, out: unknown): Tensor {
  if (!(out instanceof Tensor))
    throw new ValueError(op, `the function must return a Tensor, got ${typeof out}`);
  if (out.size !== 1) {
    throw new AutogradError(
      op,
      `the function must return a scalar (one element) to take its gradient, got shape ${fmtShape(out.shape)}; use vjp for non-scalar outputs`,
    );
  }
  return out;
}

export interface GradOptions<K extends number | readonly number[]> {
  /** Which positional argument(s) to differentiate with respect to (default 0). */
  argnums?: K;
  /** Hold int32 and bool inputs constant (a zero gradient) instead of refusing them (JAX's allow_int). */
  allowInt?: boolean;
}

/**
 * The gradient of a scalar function, as a function (JAX's `jax.grad`). Arguments may be tensors or
 * trees (arrays/records) of tensors; the gradient has the same structure. Nests to any order.
 * @example
 * const f = (x: Tensor) => sin(x).mul(x.pow(3));
 * const d2f = grad(grad(f));
 * d2f(tensor(1.0, { dtype: 'float64' }));
 */
export function grad<A extends unknown[], K extends number = 0>(
  f: (...args: A) => Tensor,
  opts?: GradOptions<K>,
): (...args: A) => A[K];
export function grad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  opts: GradOptions<readonly number[]>,
): (...args: A) => Tree[];
export function grad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  opts: GradOptions<number | readonly number[]> = {},
): (...args: A) => unknown {
  const vg = valueAndGrad(f, opts as GradOptions<readonly number[]>);
  return (...args: A) => {
    const [, g] = vg(...args);
    return typeof opts.argnums === 'object' ? g : g[0];
  };
}

/**
 * The value and gradient of a scalar function (JAX's `jax.value_and_grad`): returns `[value, grads]`
 * with one gradient tree per argnum.
 * @example
 * const lossFn = (w: Tensor, b: Tensor) => w.pow(2).sum().add(b.mul(3).sum());
 * const [loss, [gw, gb]] = valueAndGrad(lossFn, { argnums: [0, 1] })(tensor([1, 2]), tensor([0]));
 * gw // tensor([2., 4.])
 */
export function valueAndGrad<A extends unknown[]>(
  f: (...args: A) => Tensor,
  opts: GradOptions<number | readonly number[]> = {},
): (...args: A) => [Tensor, Tree[]] {
  return (...args: A) => {
    const argnums = normArgnums('grad', opts.argnums, args.length);
    if (!opts.allowInt) checkDifferentiable('grad', args, argnums);
    const tr = trace(args, argnums);
    const out = scalarOutput(
      'grad',
      withGradMode(true, () => f(...(tr.args as A))),
    );
    const outputs = out.requiresGrad ? [out] : [];
    const grads = gradsFor(outputs, outputs.length ? [onesLike(out.detach())] : [], tr, argnums, args);
    return [finish(out, tr), grads.map((g) => finish(g, tr))];
  };
}

/**
 * Like `valueAndGrad` for a function that returns `[loss, aux]`: gives `[[loss, aux], grads]`.
 * @example
 * const f = (w: Tensor): [Tensor, Tensor] => { const logits = w.mul(2); return [logits.sum(), logits]; };
 * const [[loss, logits], [g]] = valueAndGradWithAux(f)(tensor([1, 2]));
 * g // tensor([2., 2.])
 */
export function valueAndGradWithAux<A extends unknown[], Aux extends Tree>(
  f: (...args: A) => [Tensor, Aux],
  opts: GradOptions<number | readonly number[]> = {},
): (...args: A) => [[Tensor, Aux], Tree[]] {
  return (...args: A) => {
    const argnums = normArgnums('grad', opts.argnums, args.length);
    if (!opts.allowInt) checkDifferentiable('grad', args, argnums);
    const tr = trace(args, argnums);
    const [loss, aux] = withGradMode(true, () => f(...(tr.args as A)));
    const out = scalarOutput('grad', loss);
    const outputs = out.requiresGrad ? [out] : [];
    const grads = gradsFor(outputs, outputs.length ? [onesLike(out.detach())] : [], tr, argnums, args);
    return [[finish(out, tr), finish(aux, tr)], grads.map((g) => finish(g, tr))];
  };
}

/**
 * Vector-Jacobian product (JAX's `jax.vjp`): returns `[out, vjpFn]`; `vjpFn(cotangent)` gives one
 * gradient tree per primal. `out` may be a tensor or a tree of tensors; the cotangent matches it.
 * `vjpFn` can be called many times.
 * @example
 * const [y, back] = vjp((x: Tensor) => x.mul(x), x);
 * const [gx] = back(onesLike(y));
 */
export function vjp<A extends unknown[], O extends Tree>(
  f: (...args: A) => O,
  ...primals: A
): [O, (cotangent: O) => Tree[]] {
  const argnums = primals.map((_, i) => i);
  const tr = trace(primals, argnums);
  const out = withGradMode(true, () => f(...(tr.args as A)));
  const outs = treeLeaves(out);
  const back = (cotangent: O): Tree[] => {
    const cts = treeLeaves(cotangent);
    if (cts.length !== outs.length) {
      throw new ValueError(
        'vjp',
        `the cotangent has ${cts.length} tensor(s) but the output has ${outs.length}`,
      );
    }
    const used: Tensor[] = [];
    const gs: Tensor[] = [];
    outs.forEach((o, i) => {
      if (!o.requiresGrad) return;
      used.push(o);
      gs.push(rootGradient('vjp', o, cts[i], onesLike));
    });
    return gradsFor(used, gs, tr, argnums, primals).map((g) => finish(g, tr));
  };
  return [finish(out, tr), back];
}

/**
 * Cuts the gradient: the value passes, the derivative is zero (JAX's `stop_gradient`; PyTorch's `detach`).
 * @example grad((x: Tensor) => x.mul(stopGradient(x)).sum())(tensor([3])) // tensor([3.])
 */
export function stopGradient(x: Tensor): Tensor {
  return x.detach();
}

/** What a custom VJP rule receives. */
export interface CustomVjpContext<A extends readonly Tensor[]> {
  inputs: A;
  out: Tensor;
}

/**
 * Defines a new primitive from a forward function and its VJP (like `jax.custom_vjp` or a
 * `torch.autograd.Function`). The forward runs without recording; the VJP should use differentiable ops,
 * so higher-order derivatives of the new primitive work too.
 * @example
 * const clipGrad = customVjp((x: Tensor) => x.clone(), (g) => [clamp(g, -1, 1)]);
 */
export function customVjp<A extends Tensor[]>(
  forward: (...inputs: A) => Tensor,
  backward: (g: Tensor, ctx: CustomVjpContext<A>) => readonly (Tensor | null | undefined)[],
  name = forward.name || 'customVjp',
): (...inputs: A) => Tensor {
  const prim: Primitive<undefined> = definePrimitive<undefined>({
    name,
    forward: (inputs) => {
      const out = noGrad(() => forward(...(inputs as A)));
      if (!(out instanceof Tensor))
        throw new ValueError(name, `the forward function must return a Tensor, got ${typeof out}`);
      return inputs.includes(out) ? out._alias() : out.detach();
    },
    vjp: (g, { inputs, out }) => {
      const gs = backward(g, { inputs: inputs as A, out });
      if (gs.length !== inputs.length) {
        throw new ValueError(name, `the VJP returned ${gs.length} gradient(s) for ${inputs.length} input(s)`);
      }
      return gs;
    },
    // Only a VJP is given: J t is the gradient in u of <VJP(u), t> (the VJP is linear in u).
    jvp: (ts, { inputs, out }) =>
      withGradMode(true, () => {
        const u = zerosLike(out.detach()).requiresGrad_(true);
        const gs = backward(u, { inputs: inputs as A, out });
        let s: Tensor | null = null;
        gs.forEach((gi, i) => {
          const t = ts[i];
          if (gi && t) s = s ? add(s, sum(mul(gi, t))) : sum(mul(gi, t));
        });
        if (!s || !(s as Tensor).requiresGrad) return null;
        const map = runBackward([s], [onesLike(s as Tensor)], {
          createGraph: true,
          retainGraph: true,
          targets: [gradNode(u)],
        });
        return map.get(gradNode(u)) ?? null;
      }),
    // The user's forward, once per example.
    batch: (xs, bdims) => batchByLoop((ys) => prim(ys, undefined), xs, bdims),
    saves: { inputs: [], output: true },
  });
  return (...inputs: A) => prim(inputs, undefined);
}
