/**
 * The helpers batching rules are written with. A batched tensor (Tensor._asBatched) shows its
 * per-example shape; its `_physical` tensor has one more dim, the batch dim, at `_bdim`. A primitive given
 * batched inputs runs its batching rule on the physical tensors (src/autograd/primitive.ts); levels
 * (autograd/levels.ts) order nested vmaps.
 */
import type { Tensor } from '../tensor/tensor.js';
import { batchLevelActive } from '../autograd/levels.js';
import { BatchingError } from '../errors.js';
import { expand, narrow, permute, reshape } from './primitives/shape.js';
import { sum } from './primitives/reduce.js';
import { stack } from './composite/shape.js';

function sumAxes(x: Tensor, axes: readonly number[]): Tensor {
  return sum(x, axes);
}

/** x's slice i along dim (the dim removed). */
function select(x: Tensor, dim: number, i: number): Tensor {
  return reshape(
    narrow(x, dim, i, 1),
    x.shape.filter((_, k) => k !== dim),
  );
}

/** The batch size: the physical size of the batch dim of the first batched input. */
export function batchSizeOf(xs: readonly Tensor[], bdims: readonly (number | null)[]): number {
  for (let i = 0; i < xs.length; i++) {
    const b = bdims[i];
    if (b !== null) return xs[i].shape[b];
  }
  throw new BatchingError('vmap', 'internal: a batching rule ran without a batched input');
}

/** x with its dim `from` moved to position `to`. */
export function moveDim(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const dims = x.shape.map((_, i) => i).filter((i) => i !== from);
  dims.splice(to, 0, from);
  return permute(x, dims);
}

/** x with its batch dim first; an unbatched x (bdim null) is broadcast to batch size `size`. */
export function toFront(x: Tensor, bdim: number | null, size: number): Tensor {
  if (bdim === null) return expand(x, [size, ...x.shape]);
  return moveDim(x, bdim, 0);
}

/** Every operand with the batch dim first, unbatched ones broadcast to the batch size. */
export function allToFront(xs: readonly Tensor[], bdims: readonly (number | null)[]): Tensor[] {
  const n = batchSizeOf(xs, bdims);
  return xs.map((x, i) => toFront(x, bdims[i], n));
}

/**
 * For elementwise ops with broadcasting: each batched input with its batch dim first and size-1 dims
 * inserted after it, so that the per-example dims line up at the right under numpy broadcasting with
 * `rank` (the largest per-example rank); unbatched inputs stay as they are (they broadcast).
 */
export function alignForBroadcast(xs: readonly Tensor[], bdims: readonly (number | null)[]): Tensor[] {
  const rank = Math.max(...xs.map((x, i) => x.shape.length - (bdims[i] === null ? 0 : 1)));
  return xs.map((x, i) => {
    const b = bdims[i];
    if (b === null) return x;
    const f = moveDim(x, b, 0);
    const lead = rank - (f.shape.length - 1);
    return lead > 0 ? reshape(f, [f.shape[0], ...new Array<number>(lead).fill(1), ...f.shape.slice(1)]) : f;
  });
}

/**
 * The generic rule: run the primitive once per example and stack the results. Correct for any
 * primitive; the rules of the common ones fold the batch into their own dims instead.
 */
export function batchByLoop(
  run: (inputs: readonly Tensor[]) => Tensor,
  xs: readonly Tensor[],
  bdims: readonly (number | null)[],
): [Tensor, number] {
  const size = batchSizeOf(xs, bdims);
  const outs: Tensor[] = [];
  for (let b = 0; b < size; b++)
    outs.push(run(xs.map((x, i) => (bdims[i] === null ? x : select(x, bdims[i]!, b)))));
  return [stack(outs, 0), 0];
}

/**
 * The gradient that reaches an input from a node whose output was batched at a level that has finished
 * (grad of vmap): the input was not batched there, so its gradient is the sum over that level's batch.
 * Levels still running (vmap of grad) keep their batch: that is the per-example gradient.
 */
export function sumOutFinishedLevels(g: Tensor, inputLevels: readonly number[]): Tensor {
  if (g._batchLevel === 0) return g;
  const phys = sumOutFinishedLevels(g._physical!, inputLevels);
  const level = g._batchLevel;
  if (!inputLevels.includes(level) && !batchLevelActive(level)) return sumAxes(phys, [g._bdim]);
  if (phys === g._physical) return g;
  return phys._asBatched(g._bdim, level);
}
