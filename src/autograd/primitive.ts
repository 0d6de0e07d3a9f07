import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { isAnomalyEnabled, isGradEnabled } from './mode.js';
import { LeafNode, type Node, OpNode, type Saved } from './node.js';

/** What a VJP rule sees: the primitive's inputs, its output and its attributes. */
export interface VjpContext<A> {
  readonly inputs: readonly Tensor[];
  readonly out: Tensor;
  readonly attrs: A;
  /** Which inputs need a gradient: a rule may return null for the others and skip their work. */
  readonly needsGrad: readonly boolean[];
}

/**
 * A primitive: its forward (on backend storage, no graph) and its vector-Jacobian product (written with
 * differentiable ops, so gradients of gradients work) side by side.
 */
export interface PrimitiveSpec<A> {
  readonly name: string;
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
  /** One cotangent per input, shaped like that input; null/undefined for no gradient. */
  vjp(g: Tensor, ctx: VjpContext<A>): readonly (Tensor | null | undefined)[];
  /** The inputs (by index) and whether the output are read by `vjp`: checked against in-place changes. */
  readonly saves?: { readonly inputs?: readonly number[]; readonly output?: boolean };
}

export type Primitive<A> = ((inputs: readonly Tensor[], attrs: A) => Tensor) & {
  readonly spec: PrimitiveSpec<A>;
};

/** The node that receives a tensor's gradient: its op node, or a leaf node for a leaf. */
export function gradNode(t: Tensor): Node {
  return t._node ?? (t._leaf ??= new LeafNode(t));
}

/** Registers a primitive: running it records a node (value, op, inputs) when any input requires grad. */
export function definePrimitive<A = undefined>(spec: PrimitiveSpec<A>): Primitive<A> {
  const run = (inputs: readonly Tensor[], attrs: A): Tensor => {
    const out = spec.forward(inputs, attrs);
    if (!isGradEnabled() || !isFloat(out.dtype)) return out;
    let tracked = false;
    for (const t of inputs) if (t.requiresGrad) tracked = true;
    if (!tracked) return out;
    const saved: Saved[] = [];
    for (const i of spec.saves?.inputs ?? [])
      saved.push({ tensor: inputs[i], version: inputs[i]._version.value });
    if (spec.saves?.output) saved.push({ tensor: out, version: out._version.value });
    const needsGrad = inputs.map((t) => t.requiresGrad);
    const ctx: VjpContext<A> = { inputs, out, attrs, needsGrad };
    out._node = new OpNode(
      spec.name,
      inputs.map((t, i) => (needsGrad[i] ? gradNode(t) : null)),
      (g) => spec.vjp(g, ctx),
      saved,
      out.shape,
      inputs.map((t) => t.shape),
      isAnomalyEnabled() ? new Error().stack : undefined,
    );
    return out;
  };
  return Object.assign(run, { spec });
}
