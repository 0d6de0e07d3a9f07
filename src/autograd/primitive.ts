import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { isAnomalyEnabled, isGradEnabled, noGrad } from './mode.js';
import { LeafNode, type Node, OpNode, type Saved } from './node.js';
import { forwardActive, hidingFrom, levelsOf, setTangent, tangentAt } from './forward.js';
import { batchLevels } from './levels.js';

/** What a VJP rule sees: the primitive's inputs, its output and its attributes. */
export interface VjpContext<A> {
  readonly inputs: readonly Tensor[];
  readonly out: Tensor;
  readonly attrs: A;
  /** Which inputs need a gradient: a rule may return null for the others and skip their work. */
  readonly needsGrad: readonly boolean[];
}

/** What a JVP rule sees: the primitive's inputs, its output and its attributes. */
export interface JvpContext<A> {
  readonly inputs: readonly Tensor[];
  readonly out: Tensor;
  readonly attrs: A;
}

/**
 * A batching rule: the primitive on inputs with a batch dim (`bdims[i]`: where it is in inputs[i], or
 * null for an input without one). Returns the batched output and where its batch dim is (null if the
 * output does not depend on the batch).
 */
export type BatchRule<A> = (
  inputs: readonly Tensor[],
  bdims: readonly (number | null)[],
  attrs: A,
) => readonly [Tensor, number | null];

/**
 * A primitive: its forward (on backend storage, no graph), its vector-Jacobian product, its
 * Jacobian-vector product (both written with differentiable ops, so derivatives of every order work) and
 * its batching rule (for vmap), side by side. All four are required: a primitive without a JVP or a
 * batching rule does not compile.
 */
export interface PrimitiveSpec<A> {
  readonly name: string;
  forward(inputs: readonly Tensor[], attrs: A): Tensor;
  /** One cotangent per input, shaped like that input; null/undefined for no gradient. */
  vjp(g: Tensor, ctx: VjpContext<A>): readonly (Tensor | null | undefined)[];
  /**
   * The output's tangent from the inputs' tangents (null for an input without one, or not
   * differentiable); null when the output's tangent is zero.
   */
  jvp(tangents: readonly (Tensor | null)[], ctx: JvpContext<A>): Tensor | null;
  batch: BatchRule<A>;
  /** The inputs (by index) and whether the output are read by `vjp`: checked against in-place changes. */
  readonly saves?: { readonly inputs?: readonly number[]; readonly output?: boolean };
  /** vmap's own wrap/unwrap: forward runs as is on batched inputs (no batching rule). */
  readonly structural?: boolean;
}

export type Primitive<A> = ((inputs: readonly Tensor[], attrs: A) => Tensor) & {
  readonly spec: PrimitiveSpec<A>;
};

/** The node that receives a tensor's gradient: its op node, or a leaf node for a leaf. */
export function gradNode(t: Tensor): Node {
  return t._node ?? (t._leaf ??= new LeafNode(t));
}

const names = new Set<string>();

/** The names of every primitive defined so far (tests check each has a batching and a JVP test). */
export function primitiveNames(): string[] {
  return [...names].sort();
}

/** Registers a primitive: running it records a node (value, op, inputs) when any input requires grad. */
export function definePrimitive<A = undefined>(spec: PrimitiveSpec<A>): Primitive<A> {
  names.add(spec.name);
  const run = (inputs: readonly Tensor[], attrs: A): Tensor => {
    let level = 0;
    for (const t of inputs) if (t._batchLevel > level) level = t._batchLevel;
    const fwd = forwardActive();
    let out: Tensor;
    if (level === 0 || spec.structural) {
      // Kernels need no tangents: hide forward mode from forwards built of other ops (customVjp's).
      out = fwd ? hidingFrom(0, () => spec.forward(inputs, attrs)) : spec.forward(inputs, attrs);
    } else {
      out = runBatched(spec, inputs, attrs, level);
    }
    if (fwd) propagateTangents(spec, inputs, out, attrs);
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
    if (level > 0) out._node.inputLevels = inputs.map(batchLevels);
    return out;
  };
  return Object.assign(run, { spec });
}

/**
 * A primitive on inputs batched at `level` (the innermost among them): its batching rule on their
 * physical tensors, which may themselves be batched at outer levels (their rules run in turn). The
 * graph is recorded once, on the batched output, by the caller: the rule runs without recording.
 */
function runBatched<A>(spec: PrimitiveSpec<A>, inputs: readonly Tensor[], attrs: A, level: number): Tensor {
  const phys: Tensor[] = [];
  const bdims: (number | null)[] = [];
  for (const t of inputs) {
    if (t._batchLevel === level) {
      phys.push(t._physical!);
      bdims.push(t._bdim);
    } else {
      phys.push(t);
      bdims.push(null);
    }
  }
  const [p, bdim] = noGrad(() => hidingFrom(0, () => spec.batch(phys, bdims, attrs)));
  return bdim === null ? p : p._asBatched(bdim, level);
}

/** Forward mode: the output's tangent at each visible level its inputs carry one at. */
function propagateTangents<A>(
  spec: PrimitiveSpec<A>,
  inputs: readonly Tensor[],
  out: Tensor,
  attrs: A,
): void {
  if (!isFloat(out.dtype)) return;
  const levels = levelsOf(inputs);
  if (levels.length === 0) return;
  const ctx: JvpContext<A> = { inputs, out, attrs };
  for (const level of levels) {
    const ts = inputs.map((x) => (isFloat(x.dtype) ? (tangentAt(x, level) ?? null) : null));
    if (ts.every((t) => t === null)) continue;
    const t = hidingFrom(level, () => spec.jvp(ts, ctx));
    if (t) setTangent(out, level, t);
  }
}
