import type { Shape } from '../../tensor/shape.js';

/** Strides of `shape` read as broadcast to `out` (0 where a dim is broadcast). */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const s = new Array<number>(out.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const j = i + out.length - shape.length;
    s[j] = shape[i] === 1 && out[j] !== 1 ? 0 : acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Walks every index of `out` in row-major order and calls `body(offsets)` once per innermost row with the
 * starting offset of each operand; the caller loops the last dim with `innerStrides`. Keeps the hot inner
 * loop free of index arithmetic.
 */
export function forEachRow(
  out: Shape,
  strides: readonly (readonly number[])[],
  body: (outStart: number, starts: Int32Array | number[], n: number) => void,
): void {
  const rank = out.length;
  const k = strides.length;
  const starts = new Array<number>(k).fill(0);
  if (rank === 0) {
    body(0, starts, 1);
    return;
  }
  const n = out[rank - 1];
  let rows = 1;
  for (let i = 0; i < rank - 1; i++) rows *= out[i];
  if (n === 0 || rows === 0) return;
  const counter = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    body(r * n, starts, n);
    // increment counter over dims rank-2 .. 0
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      for (let j = 0; j < k; j++) starts[j] += strides[j][d];
      if (counter[d] < out[d]) break;
      for (let j = 0; j < k; j++) starts[j] -= strides[j][d] * out[d];
      counter[d] = 0;
    }
  }
}
