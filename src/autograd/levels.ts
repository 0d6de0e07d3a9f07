/**
 * vmap's levels: each vmap call opens one; a tensor batched at a level shows its per-example shape and
 * keeps the values with the batch dim in `_physical` (see Tensor._asBatched). The innermost vmap has the
 * highest level, and a batched tensor's physical may itself be batched at an outer level. No op imports
 * here: primitive.ts needs these while the ops are still loading.
 */
import type { Tensor } from '../tensor/tensor.js';

/** Numbered levels, opened in increasing order and closed when their transform returns. */
export class Levels {
  private next = 1;
  private readonly open_ = new Set<number>();
  open(): number {
    const level = this.next++;
    this.open_.add(level);
    return level;
  }
  close(level: number): void {
    this.open_.delete(level);
  }
  has(level: number): boolean {
    return this.open_.has(level);
  }
  get size(): number {
    return this.open_.size;
  }
}

const vmapLevels = new Levels();

/** Opens a vmap level (one per vmap call). */
export function openBatchLevel(): number {
  return vmapLevels.open();
}

export function closeBatchLevel(level: number): void {
  vmapLevels.close(level);
}

/** Whether the vmap of this level is still running (its function has not returned). */
export function batchLevelActive(level: number): boolean {
  return vmapLevels.has(level);
}

/** The levels a tensor is batched at, outermost wrapper (highest level) first. */
export function batchLevels(x: Tensor): number[] {
  const out: number[] = [];
  for (let t: Tensor | null = x; t && t._batchLevel > 0; t = t._physical) out.push(t._batchLevel);
  return out;
}

/** The values of a tensor with every batch dim (of every level) in place: for checks that read values. */
export function physicalOf(x: Tensor): Tensor {
  let t = x;
  while (t._physical) t = t._physical;
  return t;
}
