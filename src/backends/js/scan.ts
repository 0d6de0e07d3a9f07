/** The JS reference loops for sorting and prefix sums along one axis. */
import type { TypedArray } from '../../tensor/dtype.js';
import { type Shape, sizeOf } from '../../tensor/shape.js';

/** Stable sorting permutation of each lane along `axis`; NaN sorts above every number. */
export function argsortLoop(x: TypedArray, shape: Shape, axis: number, descending: boolean): Int32Array {
  const len = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const out = new Int32Array(x.length);
  const lane = Array.from({ length: len }, (_, i) => i);
  const vals = new Float64Array(len);
  // NaN above everything; ties by position (Array.prototype.sort is stable).
  const cmp = (a: number, b: number) => {
    const va = vals[a];
    const vb = vals[b];
    const d = va !== va ? (vb !== vb ? 0 : 1) : vb !== vb ? -1 : va < vb ? -1 : va > vb ? 1 : 0;
    return descending ? -d : d;
  };
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      for (let j = 0; j < len; j++) {
        vals[j] = x[base + j * inner];
        lane[j] = j;
      }
      lane.sort(cmp);
      for (let j = 0; j < len; j++) out[base + j * inner] = lane[j];
    }
  }
  return out;
}

/** Inclusive prefix sums along `axis` into `out`, from the lane's end when `reverse`. */
export function cumsumLoop(
  x: TypedArray,
  shape: Shape,
  axis: number,
  reverse: boolean,
  out: TypedArray,
): void {
  const len = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let acc = 0;
      for (let j = 0; j < len; j++) {
        const p = base + (reverse ? len - 1 - j : j) * inner;
        acc += x[p];
        out[p] = acc;
      }
    }
  }
}
