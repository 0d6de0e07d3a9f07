/**
 * `vmap` (JAX's `jax.vmap`): a function of one example becomes a function of a batch. Each batched
 * argument is wrapped as a batched tensor showing the per-example shape; every primitive it reaches runs
 * its batching rule (src/autograd/primitive.ts); the results are unwrapped with the batch at `outAxes`.
 * vmap nests, and composes with grad, vjp and jvp in any order: the graph and the tangents are recorded on
 * the batched (per-example) tensors, so `vmap(grad(f))` gives per-example gradients and `grad(vmap(f))`
 * sums the batch where it meets an unbatched input.
 */
import { BatchingError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { type Tree, treeLeaves, treeMap } from '../tree.js';
import { definePrimitive, type Primitive } from './primitive.js';
import { closeBatchLevel, openBatchLevel } from './levels.js';
import { noGrad } from './mode.js';
import { hidingFrom } from './forward.js';
import { expand } from '../ops/primitives/shape.js';
import { moveDim } from '../ops/batching.js';

/** An axis per argument: a number (the batch dim), null (not batched), or a tree of those per leaf. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

export interface VmapOptions {
  /**
   * Where each argument's batch dim is: one spec for all arguments, or an array with one entry per
   * argument (a number, null, or a tree matching that argument). Default 0.
   */
  inAxes?: AxisSpec;
  /** Where the batch dim goes in each output: a number, null (the output must not depend on the batch), or a tree. Default 0. */
  outAxes?: AxisSpec;
}

interface WrapAttrs {
  axis: number;
  level: number;
  size: number;
}

// Entering a level: the example view of x, its batch along `axis`. Structural (no batching rule runs:
// x may be batched at outer levels, and this level wraps around them).
const wrapPrim: Primitive<WrapAttrs> = definePrimitive<WrapAttrs>({
  name: 'vmapIn',
  structural: true,
  forward: ([x], { axis, level }) => x._asBatched(axis, level),
  vjp: (g, { attrs }) => [unwrapPrim([g], attrs)],
  jvp: ([t], { attrs }) => (t ? wrapPrim([t], attrs) : null),
  batch: () => {
    throw new BatchingError('vmap', 'internal: vmap input wrapping has no batching rule');
  },
});

// Leaving a level: the batch of y moved to `axis` (broadcast when y does not depend on the batch).
const unwrapPrim: Primitive<WrapAttrs> = definePrimitive<WrapAttrs>({
  name: 'vmapOut',
  structural: true,
  forward: ([y], { axis, level, size }) =>
    noGrad(() =>
      hidingFrom(0, () => {
        if (y._batchLevel > level) {
          throw new BatchingError(
            'vmap',
            `an output is batched by an inner vmap that has already returned (level ${y._batchLevel})`,
          );
        }
        if (y._batchLevel === level) return moveDim(y._physical!, y._bdim, axis);
        const full = expand(y, [size, ...y.shape]);
        return moveDim(full, 0, axis);
      }),
    ),
  vjp: (g, { attrs }) => [wrapPrim([g], attrs)],
  jvp: ([t], { attrs }) => (t ? unwrapPrim([t], attrs) : null),
  batch: () => {
    throw new BatchingError('vmap', 'internal: vmap output unwrapping has no batching rule');
  },
});

function isAxisLeaf(a: AxisSpec): a is number | null {
  return a === null || typeof a === 'number';
}

/** Pairs each tensor leaf of `tree` with its axis from `spec` (a prefix of the tree). */
/** A leaf's axis, in the order treeMap visits leaves (by position: one tensor may appear twice). */
type LeafAxis = { t: Tensor; axis: number | null; where: string } | undefined;

function axesFor(spec: AxisSpec, tree: Tree, path: string, out: LeafAxis[]): void {
  if (isAxisLeaf(spec)) {
    const leaves = treeLeaves(tree);
    leaves.forEach((t, i) =>
      out.push({ t, axis: spec, where: leaves.length > 1 ? `${path}[leaf ${i}]` : path }),
    );
    return;
  }
  if (Array.isArray(spec)) {
    if (!Array.isArray(tree) || tree.length !== spec.length) {
      throw new BatchingError(
        'vmap',
        `inAxes for ${path} has ${spec.length} entries but the argument is ${Array.isArray(tree) ? `an array of ${tree.length}` : 'not an array'}`,
      );
    }
    spec.forEach((s, i) => axesFor(s, (tree as readonly Tree[])[i], `${path}[${i}]`, out));
    return;
  }
  if (tree === null || typeof tree !== 'object' || tree instanceof Tensor || Array.isArray(tree)) {
    throw new BatchingError('vmap', `inAxes for ${path} is an object but the argument is not`);
  }
  const obj = tree as Record<string, Tree>;
  for (const k of Object.keys(spec as object).sort())
    if (obj[k] === undefined)
      throw new BatchingError('vmap', `inAxes for ${path} names key '${k}' that the argument lacks`);
  // Every key of the tree in treeMap's order; leaves under keys the spec does not name get no entry.
  for (const k of Object.keys(obj).sort()) {
    if (Object.hasOwn(spec as object, k))
      axesFor((spec as Record<string, AxisSpec>)[k], obj[k], `${path}.${k}`, out);
    else for (let n = treeLeaves(obj[k]).length; n > 0; n--) out.push(undefined);
  }
}

function normAxis(axis: number, rank: number, what: string, shape: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new BatchingError(
      'vmap',
      `${what}: axis ${axis} is out of range for shape ${fmtShape(shape)} (rank ${rank}: axes ${-rank}..${rank - 1})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Vectorizes `f` over a batch dim of its arguments, as `jax.vmap`. Batched arguments must agree on the
 * batch size; `inAxes: null` passes an argument to every example as is.
 * @example
 * const perExample = vmap(grad(loss), { inAxes: [null, 0, 0] })(params, xs, ys);
 */
export function vmap<A extends unknown[], O extends Tree>(
  f: (...args: A) => O,
  opts: VmapOptions = {},
): (...args: A) => O {
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  return (...args: A): O => {
    const perArg: AxisSpec[] =
      isAxisLeaf(inAxes) || !Array.isArray(inAxes) ? args.map(() => inAxes) : [...inAxes];
    if (perArg.length !== args.length) {
      throw new BatchingError(
        'vmap',
        `inAxes has ${perArg.length} entries but the function was called with ${args.length} argument(s)`,
      );
    }
    const axes: LeafAxis[][] = perArg.map((spec, i) => {
      const out: LeafAxis[] = [];
      axesFor(spec, args[i] as Tree, `argument ${i}`, out);
      return out;
    });
    let size = -1;
    let sizeFrom = '';
    for (const e of axes.flat()) {
      if (!e || e.axis === null) continue;
      const { t, where } = e;
      const a = normAxis(e.axis, t.shape.length, `inAxes for ${where}`, t.shape);
      const n = t.shape[a];
      if (size >= 0 && n !== size) {
        throw new BatchingError(
          'vmap',
          `batch sizes differ: ${sizeFrom} has ${size} along its batch axis but ${where} has ${n} (shape ${fmtShape(t.shape)}, axis ${a})`,
        );
      }
      if (size < 0) [size, sizeFrom] = [n, `${where} (shape ${fmtShape(t.shape)})`];
      e.axis = a;
    }
    if (size < 0)
      throw new BatchingError('vmap', 'no argument is batched: give at least one a number in inAxes');
    const level = openBatchLevel();
    try {
      // By leaf position, not by tensor: f(X, X) with inAxes [0, 1] batches each along its own axis.
      const wrapped = args.map((arg, i) =>
        perArg[i] === null
          ? arg
          : treeMap(arg as Tree, (t, k) => {
              const e = axes[i]![k];
              return !e || e.axis === null ? t : wrapPrim([t], { axis: e.axis, level, size });
            }),
      ) as A;
      const out = f(...wrapped);
      return unwrapOutputs(out, outAxes, level, size);
    } finally {
      closeBatchLevel(level);
    }
  };
}

function unwrapOutputs<O extends Tree>(out: O, spec: AxisSpec, level: number, size: number): O {
  const axes: LeafAxis[] = [];
  axesFor(spec, out, 'output', axes);
  return treeMap(out, (t, k) => {
    const e = axes[k];
    const [axis, where] = e ? [e.axis, e.where] : [0, 'output'];
    if (axis === null) {
      if (t._batchLevel === level) {
        throw new BatchingError('vmap', `${where} depends on the batch, but its outAxes entry is null`);
      }
      return t;
    }
    const a = normAxis(axis, t.shape.length + 1, `outAxes for ${where}`, [size, ...t.shape]);
    return unwrapPrim([t], { axis: a, level, size });
  }) as O;
}
