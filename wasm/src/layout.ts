// im2col and col2im for convolution, as the native backend's layout.cc computes them: images [b0, b1)
// of the batch, so threads split a batch by image (col2im writes each image's own region).

// Geometry: 14 int32 at g: n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow.
@inline
function geo(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2));
}

/** The output columns [lo, hi) whose input column oj * sw + off lies inside [0, w), packed lo << 32 | hi. */
@inline
function validRange(off: i32, sw: i32, w: i32, ow: i32): i64 {
  const lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
  const hi = min(ow, w - off <= 0 ? 0 : (w - off + sw - 1) / sw);
  return (<i64>min(lo, hi) << 32) | <i64>hi;
}

export function im2col<T>(x: usize, out: usize, g: usize, pad: T, b0: i32, b1: i32): void {
  const C = geo(g, 1), H = geo(g, 2), W = geo(g, 3), KH = geo(g, 4), KW = geo(g, 5);
  const SH = geo(g, 6), SW = geo(g, 7), PH = geo(g, 8), PW = geo(g, 9), DH = geo(g, 10), DW = geo(g, 11);
  const OH = geo(g, 12), OW = geo(g, 13);
  const L = OH * OW, rows = C * KH * KW;
  const sz = <usize>sizeof<T>();
  for (let b = b0; b < b1; b++)
    for (let c = 0; c < C; c++) {
      const xc = x + <usize>((b * C + c) * H * W) * sz;
      for (let ki = 0; ki < KH; ki++)
        for (let kj = 0; kj < KW; kj++) {
          const o = out + <usize>((b * rows + (c * KH + ki) * KW + kj) * L) * sz;
          const off = kj * DW - PW;
          const range = validRange(off, SW, W, OW);
          const lo = <i32>(range >> 32);
          const hi = <i32>range;
          for (let oi = 0; oi < OH; oi++) {
            const y = oi * SH - PH + ki * DH;
            const orow = o + <usize>(oi * OW) * sz;
            if (y < 0 || y >= H) {
              for (let oj = 0; oj < OW; oj++) store<T>(orow + <usize>oj * sz, pad);
              continue;
            }
            const xr = xc + <usize>(y * W) * sz;
            for (let oj = 0; oj < lo; oj++) store<T>(orow + <usize>oj * sz, pad);
            if (SW == 1) memory.copy(orow + <usize>lo * sz, xr + <usize>(lo + off) * sz, <usize>(hi - lo) * sz);
            else for (let oj = lo; oj < hi; oj++) store<T>(orow + <usize>oj * sz, load<T>(xr + <usize>(oj * SW + off) * sz));
            for (let oj = hi; oj < OW; oj++) store<T>(orow + <usize>oj * sz, pad);
          }
        }
    }
}

export function col2im<T>(cols: usize, out: usize, g: usize, b0: i32, b1: i32): void {
  const C = geo(g, 1), H = geo(g, 2), W = geo(g, 3), KH = geo(g, 4), KW = geo(g, 5);
  const SH = geo(g, 6), SW = geo(g, 7), PH = geo(g, 8), PW = geo(g, 9), DH = geo(g, 10), DW = geo(g, 11);
  const OH = geo(g, 12), OW = geo(g, 13);
  const L = OH * OW, rows = C * KH * KW;
  const sz = <usize>sizeof<T>();
  memory.fill(out + <usize>(b0 * C * H * W) * sz, 0, <usize>((b1 - b0) * C * H * W) * sz);
  for (let b = b0; b < b1; b++)
    for (let c = 0; c < C; c++) {
      const xc = out + <usize>((b * C + c) * H * W) * sz;
      for (let ki = 0; ki < KH; ki++)
        for (let kj = 0; kj < KW; kj++) {
          const o = cols + <usize>((b * rows + (c * KH + ki) * KW + kj) * L) * sz;
          const off = kj * DW - PW;
          const range = validRange(off, SW, W, OW);
          const lo = <i32>(range >> 32);
          const hi = <i32>range;
          for (let oi = 0; oi < OH; oi++) {
            const y = oi * SH - PH + ki * DH;
            if (y < 0 || y >= H) continue;
            const xr = xc + <usize>(y * W) * sz;
            const orow = o + <usize>(oi * OW) * sz;
            for (let oj = lo; oj < hi; oj++) {
              const q = xr + <usize>(oj * SW + off) * sz;
              store<T>(q, load<T>(q) + load<T>(orow + <usize>oj * sz));
            }
          }
        }
    }
}

/** Max pooling's choices for the planes [p0, p1) (n * c of them), as the JS backend's poolArgmax. */
export function poolArgmax<T>(x: usize, out: usize, g: usize, p0: i32, p1: i32): void {
  const H = geo(g, 2), W = geo(g, 3), KH = geo(g, 4), KW = geo(g, 5);
  const SH = geo(g, 6), SW = geo(g, 7), PH = geo(g, 8), PW = geo(g, 9), DH = geo(g, 10), DW = geo(g, 11);
  const OH = geo(g, 12), OW = geo(g, 13);
  const sz = <usize>sizeof<T>();
  for (let plane = p0; plane < p1; plane++) {
    const xp = x + <usize>(plane * H * W) * sz;
    const op = out + (<usize>(plane * OH * OW) << 2);
    for (let oi = 0; oi < OH; oi++)
      for (let oj = 0; oj < OW; oj++) {
        // Branch-free updates (see native/src/layout.cc): the first real element, then any greater one,
        // or the first NaN.
        let best: T = <T>0;
        let bi = -1;
        for (let ki = 0; ki < KH; ki++) {
          const y = oi * SH - PH + ki * DH;
          if (y < 0 || y >= H) continue;
          for (let kj = 0; kj < KW; kj++) {
            const xx = oj * SW - PW + kj * DW;
            if (xx < 0 || xx >= W) continue;
            const at = y * W + xx;
            const v = load<T>(xp + <usize>at * sz);
            const take = <i32>(bi < 0) | <i32>(v > best) | (<i32>(v != v) & <i32>(best == best));
            best = select<T>(v, best, take != 0);
            bi = select<i32>(at, bi, take != 0);
          }
        }
        store<i32>(op + (<usize>(oi * OW + oj) << 2), bi);
      }
  }
}
