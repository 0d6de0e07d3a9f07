import { AnomalyError, AutogradError, DTypeError, InplaceError, ShapeError } from '../errors.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from '../ops/primitives/elementwise.js';
import { hasNonFinite } from '../ops/inspect.js';
import { withGradMode } from './mode.js';
import { LeafNode, type Node, OpNode } from './node.js';
import { gradNode } from './primitive.js';
import { sumOutFinishedLevels } from '../ops/batching.js';
import { withScope } from '../backends/lifetime.js';

export interface BackwardOptions {
  /** Keep the graph's saved values so backward can run through it again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** Functional mode: return the gradients of these nodes instead of accumulating into leaves' .grad. */
  targets?: readonly Node[];
}

/** Nodes reachable from the roots, with the number of edges into each (Kahn's algorithm needs it). */
function collect(roots: readonly Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  for (const r of roots) {
    if (!deps.has(r)) {
      deps.set(r, 0);
      stack.push(r);
    }
  }
  while (stack.length) {
    const n = stack.pop()!;
    if (!(n instanceof OpNode)) continue;
    for (const p of n.parents) {
      if (!p) continue;
      const seen = deps.has(p);
      deps.set(p, (deps.get(p) ?? 0) + 1);
      if (!seen) stack.push(p);
    }
  }
  return deps;
}

/** Nodes from which some target is reachable: only these need their VJP run. */
function onPathTo(nodes: Iterable<Node>, targets: ReadonlySet<Node>): Set<Node> {
  const memo = new Map<Node, boolean>();
  const visit = (start: Node): boolean => {
    // Iterative post-order, so deep graphs do not overflow the stack.
    const stack: [Node, number][] = [[start, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [n, i] = top;
      if (memo.has(n)) {
        stack.pop();
        continue;
      }
      const parents = n instanceof OpNode ? n.parents : [];
      if (i < parents.length) {
        top[1]++;
        const p = parents[i];
        if (p && !memo.has(p)) stack.push([p, 0]);
        continue;
      }
      memo.set(n, targets.has(n) || parents.some((p) => p !== null && memo.get(p) === true));
      stack.pop();
    }
    return memo.get(start)!;
  };
  const out = new Set<Node>();
  for (const n of nodes) if (visit(n)) out.add(n);
  return out;
}

function accumulate(grads: Map<Node, Tensor>, node: Node, g: Tensor): void {
  const prev = grads.get(node);
  grads.set(node, prev ? add(prev, g) : g);
}

function checkSaved(node: OpNode): void {
  for (const s of node.saved) {
    if (s.tensor._version.value !== s.version) {
      throw new InplaceError(
        node.name,
        `a tensor of shape ${fmtShape(s.tensor.shape)} that this op saved for backward was modified in place ` +
          `(its version is ${s.tensor._version.value}, expected ${s.version}); clone it before the in-place op`,
      );
    }
  }
}

/**
 * The engine: walks the graph from the roots in reverse topological order, calls each node's VJP, sums
 * gradients at fan-out, runs hooks, and either accumulates into leaves' `.grad` or returns the gradients
 * of the requested target nodes.
 */
export function runBackward(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: RunOptions,
): Map<Node, Tensor> {
  // With createGraph the new graph holds the temporaries; without it, what backward made and does not
  // hand on (into .grad, a retained grad, a hook, the result) is released when it returns.
  if (opts.createGraph) return walk(roots, rootGrads, opts, []);
  const kept: Tensor[] = [];
  return withScope(
    () => walk(roots, rootGrads, opts, kept),
    (result) => [...kept, ...result.values()],
  );
}

function walk(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: RunOptions,
  kept: Tensor[],
): Map<Node, Tensor> {
  const rootNodes = roots.map(gradNode);
  const deps = collect(rootNodes);
  const targets = opts.targets ? new Set(opts.targets) : null;
  const needed = targets ? onPathTo(deps.keys(), targets) : null;
  const grads = new Map<Node, Tensor>();
  rootNodes.forEach((n, i) => accumulate(grads, n, rootGrads[i]));
  const result = new Map<Node, Tensor>();
  const ready: Node[] = [];
  for (const n of rootNodes) if (deps.get(n) === 0 && !ready.includes(n)) ready.push(n);

  while (ready.length) {
    const node = ready.pop()!;
    let g = grads.get(node);
    grads.delete(node);
    const parents = node instanceof OpNode ? node.parents : [];
    if (g && (!needed || needed.has(node))) {
      for (const h of node.hooks) {
        kept.push(g);
        const r = h(g);
        if (r) g = r;
      }
      if (node.hooks.length) kept.push(g);
      if (targets?.has(node)) result.set(node, g);
      if (node instanceof LeafNode) {
        if (!targets) {
          const t = node.tensor;
          if (g._batchLevel > 0 && t._batchLevel === 0) {
            throw new AutogradError(
              'backward',
              'backward() inside vmap would store a batch of gradients in .grad; use grad() or vjp() inside vmap',
            );
          }
          const add1 = g;
          t.grad = withGradMode(opts.createGraph, () => (t.grad ? add(t.grad, add1) : add1));
          kept.push(t.grad);
        }
      } else if (node instanceof OpNode) {
        if (node.retained && !targets) {
          const prev = node.retained.grad;
          const g1 = g;
          node.retained.grad = withGradMode(opts.createGraph, () => (prev ? add(prev, g1) : g1));
          kept.push(node.retained.grad);
        }
        if (node.released || !node.vjp) {
          throw new AutogradError(
            node.name,
            'trying to run backward through the graph a second time (its saved values were freed after the ' +
              'first backward); pass { retainGraph: true } to the first backward',
          );
        }
        checkSaved(node);
        const vjp = node.vjp;
        const g1 = g;
        const gin = withGradMode(opts.createGraph, () => vjp(g1));
        parents.forEach((p, i) => {
          const gi = gin[i];
          if (!p || !gi) return;
          if (!shapesEqual(gi.shape, node.inputShapes[i])) {
            throw new ShapeError(
              node.name,
              `internal: VJP for input ${i} has shape ${fmtShape(gi.shape)}, expected ${fmtShape(node.inputShapes[i])}`,
            );
          }
          if (node.trace !== undefined && hasNonFinite(gi)) {
            throw new AnomalyError(
              node.name,
              `backward produced NaN or Inf in the gradient of input ${i} (shape ${fmtShape(gi.shape)}). ` +
                `The op was created at:\n${node.trace}`,
            );
          }
          // grad of vmap: the batch of a finished vmap is summed where it meets an unbatched input.
          accumulate(
            grads,
            p,
            node.inputLevels && gi._batchLevel > 0 ? sumOutFinishedLevels(gi, node.inputLevels[i]) : gi,
          );
        });
        if (!opts.retainGraph) node.release();
      }
    } else if (node instanceof OpNode && !opts.retainGraph && !needed) {
      node.release();
    }
    for (const p of parents) {
      if (!p) continue;
      const left = deps.get(p)! - 1;
      deps.set(p, left);
      if (left === 0) ready.push(p);
    }
  }
  return result;
}

/** Checks a root and its upstream gradient; the default upstream is 1 for a scalar root. */
export function rootGradient(
  op: string,
  t: Tensor,
  gradient: Tensor | undefined,
  onesLike: (t: Tensor) => Tensor,
) {
  if (!t.requiresGrad) {
    throw new AutogradError(
      op,
      `the tensor of shape ${fmtShape(t.shape)} does not require grad and has no grad_fn`,
    );
  }
  if (gradient === undefined) {
    if (t.shape.length !== 0 && !(t.shape.length === 1 && t.shape[0] === 1)) {
      throw new AutogradError(
        op,
        `grad can be implicitly created only for scalar outputs; the output has shape ${fmtShape(t.shape)}, ` +
          'so pass the upstream gradient explicitly, e.g. y.backward(onesLike(y))',
      );
    }
    return onesLike(t);
  }
  if (!shapesEqual(gradient.shape, t.shape)) {
    throw new ShapeError(
      op,
      `gradient has shape ${fmtShape(gradient.shape)} but the output has shape ${fmtShape(t.shape)}`,
    );
  }
  if (gradient.dtype !== t.dtype) {
    throw new DTypeError(op, `gradient has dtype ${gradient.dtype} but the output has dtype ${t.dtype}`);
  }
  return gradient;
}
