/** The JS reference loops for sliding windows: unfold, fold, and max pooling's choices. */
import type { Window2d } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

/** Writes im2col(x) into `out` ([n, c*kh*kw, oh*ow]); out-of-image taps read `padValue`. */
export function im2colLoop(x: TypedArray, g: Window2d, padValue: number, out: TypedArray): void {
  const L = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  for (let b = 0; b < g.n; b++) {
    for (let c = 0; c < g.c; c++) {
      const xo = (b * g.c + c) * g.h * g.w;
      for (let ki = 0; ki < g.kh; ki++) {
        for (let kj = 0; kj < g.kw; kj++) {
          const r = (c * g.kh + ki) * g.kw + kj;
          const oo = (b * rows + r) * L;
          for (let oi = 0; oi < g.oh; oi++) {
            const y = oi * g.sh - g.ph + ki * g.dh;
            for (let oj = 0; oj < g.ow; oj++) {
              const xx = oj * g.sw - g.pw + kj * g.dw;
              out[oo + oi * g.ow + oj] =
                y >= 0 && y < g.h && xx >= 0 && xx < g.w ? x[xo + y * g.w + xx] : padValue;
            }
          }
        }
      }
    }
  }
}

/** Adds col2im(cols) into `out` ([n, c, h, w], zeros on entry): overlaps sum, padding is dropped. */
export function col2imLoop(cols: TypedArray, g: Window2d, out: TypedArray): void {
  const L = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  for (let b = 0; b < g.n; b++) {
    for (let c = 0; c < g.c; c++) {
      const xo = (b * g.c + c) * g.h * g.w;
      for (let ki = 0; ki < g.kh; ki++) {
        for (let kj = 0; kj < g.kw; kj++) {
          const r = (c * g.kh + ki) * g.kw + kj;
          const oo = (b * rows + r) * L;
          for (let oi = 0; oi < g.oh; oi++) {
            const y = oi * g.sh - g.ph + ki * g.dh;
            if (y < 0 || y >= g.h) continue;
            for (let oj = 0; oj < g.ow; oj++) {
              const xx = oj * g.sw - g.pw + kj * g.dw;
              if (xx >= 0 && xx < g.w) out[xo + y * g.w + xx] += cols[oo + oi * g.ow + oj];
            }
          }
        }
      }
    }
  }
}

/** Each window's first maximum as a flat index into its h*w plane (a NaN wins at once; padding never). */
export function poolArgmaxLoop(x: TypedArray, g: Window2d): Int32Array {
  const L = g.oh * g.ow;
  const out = new Int32Array(g.n * g.c * L);
  for (let plane = 0; plane < g.n * g.c; plane++) {
    const base = plane * g.h * g.w;
    for (let oi = 0; oi < g.oh; oi++)
      for (let oj = 0; oj < g.ow; oj++) {
        let best = -Infinity;
        let bi = -1;
        for (let ki = 0; ki < g.kh && !(best !== best); ki++) {
          const y = oi * g.sh - g.ph + ki * g.dh;
          if (y < 0 || y >= g.h) continue;
          for (let kj = 0; kj < g.kw; kj++) {
            const xx = oj * g.sw - g.pw + kj * g.dw;
            if (xx < 0 || xx >= g.w) continue;
            const v = x[base + y * g.w + xx];
            if (bi < 0 || v > best || v !== v) {
              best = v;
              bi = y * g.w + xx;
              if (v !== v) break;
            }
          }
        }
        out[plane * L + oi * g.ow + oj] = bi;
      }
  }
  return out;
}
