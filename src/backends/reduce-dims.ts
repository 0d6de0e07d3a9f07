import type { Shape } from '../tensor/shape.js';

/**
 * The same reduction of a contiguous array over fewer, longer dims: neighbours that are both reduced or
 * both kept merge, and dims of size 1 go. A conv bias gradient (sum over [N, C, H, W] axes 0, 2, 3)
 * becomes [N, C, H*W] over axes 0 and 2, so a kernel's rows are H*W long instead of W. Elements are
 * visited in the same order, so results do not change.
 */
export function coalesceReduce(shape: Shape, axes: readonly number[]): { shape: number[]; axes: number[] } {
  const out: number[] = [];
  const outAxes: number[] = [];
  let lastReduced: boolean | null = null;
  shape.forEach((d, i) => {
    if (d === 1) return;
    const reduced = axes.includes(i);
    if (reduced === lastReduced) out[out.length - 1] *= d;
    else {
      if (reduced) outAxes.push(out.length);
      out.push(d);
      lastReduced = reduced;
    }
  });
  return { shape: out, axes: outAxes };
}
