/**
 * Unfold and fold from the core kernels: the images get a border (two concatenations) and every window tap
 * is then one strided view of that copy; fold is that view's adjoint, then a crop.
 */
import type { Backend, Storage, Window2d, WindowKernels } from '../backend.js';

/** [n, c, kh, kw, oh, ow] strides of the window taps into the padded copy [n, c, h + 2ph, w + 2pw]. */
function tapStrides(g: Window2d): number[] {
  const wp = g.w + 2 * g.pw;
  const plane = (g.h + 2 * g.ph) * wp;
  return [g.c * plane, plane, g.dh * wp, g.dw, g.sh * wp, g.sw];
}

/** Where the image sits in its padded copy: its shape, the copy's strides, size and offset (for fold). */
function placement(g: Window2d) {
  const wp = g.w + 2 * g.pw;
  const plane = (g.h + 2 * g.ph) * wp;
  return {
    shape: [g.n, g.c, g.h, g.w],
    strides: [g.c * plane, plane, wp, 1],
    size: g.n * g.c * plane,
    offset: g.ph * wp + g.pw,
  };
}

/** The images with a border of `padValue`, by two concatenations (exact: no arithmetic touches x). */
function padded(b: Backend, s: Storage, g: Window2d, padValue: number): Storage {
  if (g.ph === 0 && g.pw === 0) return s;
  const planes = g.n * g.c;
  const wp = g.w + 2 * g.pw;
  const border = (shape: number[]) => b.full(s.dtype, shape[0] * shape[1] * shape[2], padValue);
  const side = [planes, g.h, g.pw];
  const rows = b.concat([border(side), s, border(side)], [side, [planes, g.h, g.w], side], 2, [
    planes,
    g.h,
    wp,
  ]);
  const cap = [planes, g.ph, wp];
  const out = [planes, g.h + 2 * g.ph, wp];
  return b.concat([border(cap), rows, border(cap)], [cap, [planes, g.h, wp], cap], 1, out);
}

export function composedWindow(b: Backend): WindowKernels {
  return {
    im2col: (s, g, padValue) =>
      b.strided(padded(b, s, g, padValue), [g.n, g.c, g.kh, g.kw, g.oh, g.ow], tapStrides(g), 0),
    col2im: (s, g) => {
      const p = placement(g);
      const taps = [g.n, g.c, g.kh, g.kw, g.oh, g.ow];
      const sums = b.stridedScatterAdd(s, taps, p.size, tapStrides(g), 0);
      return b.strided(sums, p.shape, p.strides, p.offset);
    },
  };
}
