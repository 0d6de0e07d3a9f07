/** The JS reference GEMM: register-blocked, float64 accumulation whatever the dtype. */
import type { TypedArray } from '../../tensor/dtype.js';
import type { MatmulShape } from '../backend.js';

/** out[batch, m, n] = op(xs) @ op(y), row-major; see Backend.matmul for the layouts. */
export function matmulLoop(
  xs: TypedArray,
  y: TypedArray,
  out: TypedArray,
  { batch, m, k, n, transA = false, transB = false }: MatmulShape,
): void {
  // The kernel reads a as [m, k] and b as bt = [n, k], both contiguous: b is transposed once unless it
  // arrives transposed, a only when it does. A 2x4 block of outputs is kept in locals (float64
  // accumulation whatever the dtype). The transpose buffers are reused across calls.
  const bt = scratch(transB ? 0 : k * n);
  const at = transA ? scratchA(m * k) : null;
  for (let t = 0; t < batch; t++) {
    let x: ArrayLike<number> = xs;
    let ao = t * m * k;
    if (at) {
      for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) at[i * k + p] = xs[ao + p * m + i];
      x = at;
      ao = 0;
    }
    const bo = t * k * n;
    const oo = t * m * n;
    let w: ArrayLike<number> = bt;
    let wo = 0;
    if (transB) {
      w = y;
      wo = bo;
    } else for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = y[bo + p * n + j];
    for (let i = 0; i < m; i += 2) {
      const two = i + 1 < m;
      const a0 = ao + i * k;
      const a1 = two ? a0 + k : a0;
      for (let j = 0; j < n; j += 4) {
        const nj = Math.min(4, n - j);
        const b0 = wo + j * k;
        const b1 = nj > 1 ? b0 + k : b0;
        const b2 = nj > 2 ? b0 + 2 * k : b0;
        const b3 = nj > 3 ? b0 + 3 * k : b0;
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0,
          c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0;
        for (let p = 0; p < k; p++) {
          const u0 = x[a0 + p];
          const u1 = x[a1 + p];
          const w0 = w[b0 + p];
          const w1 = w[b1 + p];
          const w2 = w[b2 + p];
          const w3 = w[b3 + p];
          c00 += u0 * w0;
          c01 += u0 * w1;
          c02 += u0 * w2;
          c03 += u0 * w3;
          c10 += u1 * w0;
          c11 += u1 * w1;
          c12 += u1 * w2;
          c13 += u1 * w3;
        }
        const o0 = oo + i * n + j;
        out[o0] = c00;
        if (nj > 1) out[o0 + 1] = c01;
        if (nj > 2) out[o0 + 2] = c02;
        if (nj > 3) out[o0 + 3] = c03;
        if (two) {
          const o1 = o0 + n;
          out[o1] = c10;
          if (nj > 1) out[o1 + 1] = c11;
          if (nj > 2) out[o1 + 2] = c12;
          if (nj > 3) out[o1 + 3] = c13;
        }
      }
    }
  }
}

let scratchBuf = new Float64Array(0);
let scratchBufA = new Float64Array(0);
/** Reusable float64 buffers of at least `n` elements (contents undefined): one per matmul operand. */
function scratch(n: number): Float64Array {
  if (scratchBuf.length < n) scratchBuf = new Float64Array(Math.max(n, 2 * scratchBuf.length));
  return scratchBuf;
}
function scratchA(n: number): Float64Array {
  if (scratchBufA.length < n) scratchBufA = new Float64Array(Math.max(n, 2 * scratchBufA.length));
  return scratchBufA;
}
