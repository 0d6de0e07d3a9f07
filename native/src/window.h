// Sliding windows: the geometry the JS side passes (an Int32Array of 14 fields, windowFields in
// src/backends/window.ts) and the im2col/col2im loops that convolution and pooling share.
#pragma once
#include "common.h"
#include <vector>

namespace descend {

struct Win { int64_t n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow; };
inline Win win(const View& g) {
  const int32_t* p = ptr<int32_t>(g);
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
}

// The output columns oj whose input column oj * sw - pw + kj * dw lies inside [0, w): [lo, hi).
inline void validRange(const Win& g, int64_t kj, int64_t& lo, int64_t& hi) {
  const int64_t off = kj * g.dw - g.pw;  // input column of oj = 0
  lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
  hi = g.w - off <= 0 ? 0 : (g.w - off + g.sw - 1) / g.sw;
  if (hi > g.ow) hi = g.ow;
  if (lo > hi) lo = hi;
}

// Copies a short row (a convolution's 10-28 elements) without a library call: 32-byte moves, the last
// one overlapping the one before. memmove's call and dispatch cost more than the copy at these lengths.
template <typename T>
inline void copyRow(T* __restrict dst, const T* __restrict src, int64_t n) {
  constexpr int64_t V = 32 / sizeof(T);
  if (n < V) {
    for (int64_t i = 0; i < n; i++) dst[i] = src[i];
    return;
  }
  int64_t i = 0;
  for (; i + V <= n; i += V) __builtin_memcpy(dst + i, src + i, 32);
  if (i < n) __builtin_memcpy(dst + n - V, src + n - V, 32);
}

// The valid output columns of each kernel column (validRange), computed once per call: its divisions
// cost more than a short row's copy.
struct ColRanges {
  std::vector<int64_t> lo, hi;
  explicit ColRanges(const Win& g) : lo(g.kw), hi(g.kw) {
    for (int64_t kj = 0; kj < g.kw; kj++) validRange(g, kj, lo[kj], hi[kj]);
  }
};

template <typename T>
inline void im2colT(const T* __restrict x, T* __restrict out, const Win& g, T pad, const ColRanges& cr) {
  const int64_t L = g.oh * g.ow, rows = g.c * g.kh * g.kw;
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t c = 0; c < g.c; c++) {
      const T* xc = x + (b * g.c + c) * g.h * g.w;
      for (int64_t ki = 0; ki < g.kh; ki++)
        for (int64_t kj = 0; kj < g.kw; kj++) {
          T* o = out + (b * rows + (c * g.kh + ki) * g.kw + kj) * L;
          const int64_t lo = cr.lo[kj], hi = cr.hi[kj];
          const int64_t off = kj * g.dw - g.pw;
          for (int64_t oi = 0; oi < g.oh; oi++) {
            const int64_t y = oi * g.sh - g.ph + ki * g.dh;
            T* orow = o + oi * g.ow;
            if (y < 0 || y >= g.h) {
              for (int64_t oj = 0; oj < g.ow; oj++) orow[oj] = pad;
              continue;
            }
            // Padding on both sides, a (strided) copy in between: no bounds test per element.
            const T* xr = xc + y * g.w;
            for (int64_t oj = 0; oj < lo; oj++) orow[oj] = pad;
            if (g.sw == 1)
              copyRow(orow + lo, xr + lo + off, hi - lo);
            else
              for (int64_t oj = lo; oj < hi; oj++) orow[oj] = xr[oj * g.sw + off];
            for (int64_t oj = hi; oj < g.ow; oj++) orow[oj] = pad;
          }
        }
    }
}

template <typename T>
inline void col2imT(const T* __restrict cols, T* __restrict out, const Win& g, const ColRanges& cr) {
  const int64_t L = g.oh * g.ow, rows = g.c * g.kh * g.kw;
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t c = 0; c < g.c; c++) {
      T* xc = out + (b * g.c + c) * g.h * g.w;
      for (int64_t ki = 0; ki < g.kh; ki++)
        for (int64_t kj = 0; kj < g.kw; kj++) {
          const T* o = cols + (b * rows + (c * g.kh + ki) * g.kw + kj) * L;
          const int64_t lo = cr.lo[kj], hi = cr.hi[kj];
          const int64_t off = kj * g.dw - g.pw;
          for (int64_t oi = 0; oi < g.oh; oi++) {
            const int64_t y = oi * g.sh - g.ph + ki * g.dh;
            if (y < 0 || y >= g.h) continue;
            T* xr = xc + y * g.w;
            const T* orow = o + oi * g.ow;
            if (g.sw == 1)
              for (int64_t oj = lo; oj < hi; oj++) xr[oj + off] += orow[oj];
            else
              for (int64_t oj = lo; oj < hi; oj++) xr[oj * g.sw + off] += orow[oj];
          }
        }
    }
}

}  // namespace descend
