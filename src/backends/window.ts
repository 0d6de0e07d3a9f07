import type { Window2d } from './backend.js';

/** A window's 14 numbers in the order the native and wasm kernels read them. */
export function windowFields(g: Window2d): number[] {
  return [g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];
}
