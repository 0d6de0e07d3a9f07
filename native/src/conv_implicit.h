// Stride-1, undilated float32 convolution as an implicit GEMM: no im2col. The image is copied once into a
// zero-bordered buffer xp [C, Hp, Wp]; the im2col row of tap (c, i, j) is then the contiguous slice of xp
// that starts at c*Hp*Wp + i*Wp + j, if the output is computed on the padded width Wp ("wide": columns
// ow..Wp-1 of each output row are junk and dropped). For LeNet's layers im2col wrote 25-150x the image
// and the GEMM re-read it; here the kernel streams the small xp from L1. The input gradient is the same
// kernel on the padded output gradient with the flipped, transposed weights. (The weight gradient as
// dot products of the wide gradient with the same slices measured no faster than im2col + GEMM: 0.89 ms
// against 0.81 for LeNet's second layer, batch 64; it stays on im2col.)
// Built where the compiler targets AVX2+FMA (-march=native at install): 16-lane AVX-512 registers where
// the machine has them, else 8-lane AVX2. Tested on an AMD EPYC (Zen 4) VM with avx512f/dq/bw/vl and on
// AVX2-only builds (DESCEND_CONV=im2col forces the old path; test/conv-paths.test.ts checks both).
#pragma once
#include "window.h"
#include <cstdint>
#include <vector>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define DESCEND_IMPLICIT_CONV 1
#endif

namespace descend {

#ifdef DESCEND_IMPLICIT_CONV
namespace simd {
#ifdef __AVX512F__
using V = __m512;
constexpr int W = 16;
inline V zero() { return _mm512_setzero_ps(); }
inline V load(const float* p) { return _mm512_loadu_ps(p); }
inline void store(float* p, V v) { _mm512_storeu_ps(p, v); }
inline V bcast(float a) { return _mm512_set1_ps(a); }
inline V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
#else
using V = __m256;
constexpr int W = 8;
inline V zero() { return _mm256_setzero_ps(); }
inline V load(const float* p) { return _mm256_loadu_ps(p); }
inline void store(float* p, V v) { _mm256_storeu_ps(p, v); }
inline V bcast(float a) { return _mm256_set1_ps(a); }
inline V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
#endif
}  // namespace simd

// The padded-image layout of one convolution: xp is [C, Hp, Wp] plus slack, so that a kernel block may
// read past the last wide column without a bounds test. base[k] is the start of tap k's slice.
struct Implicit {
  int64_t C, H, Wd, ph, pw, Hp, Wp, oh, ow, K, Lw, Lpad, xpSize;
  std::vector<int64_t> base;
  Implicit(int64_t c, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t ph_, int64_t pw_, int64_t oh_, int64_t ow_)
      : C(c), H(h), Wd(w), ph(ph_), pw(pw_), Hp(h + 2 * ph_), Wp(w + 2 * pw_), oh(oh_), ow(ow_), K(c * kh * kw) {
    Lw = oh * Wp;
    Lpad = (Lw + simd::W - 1) / simd::W * simd::W;
    base.resize(K);
    for (int64_t ci = 0; ci < c; ci++)
      for (int64_t i = 0; i < kh; i++)
        for (int64_t j = 0; j < kw; j++) base[(ci * kh + i) * kw + j] = ci * Hp * Wp + i * Wp + j;
    xpSize = base[K - 1] + Lpad + simd::W;
  }
  // xp must start as zeros: only the interior is written, so borders and slack stay zero across images.
  void fill(const float* x, float* xp) const {
    for (int64_t ci = 0; ci < C; ci++)
      for (int64_t i = 0; i < H; i++) copyRow(xp + ci * Hp * Wp + (i + ph) * Wp + pw, x + (ci * H + i) * Wd, Wd);
  }
  // Drops the junk columns: out [O, oh, ow] from wide [O, Lpad].
  void narrow(const float* wide, float* out, int64_t O) const {
    for (int64_t o = 0; o < O; o++)
      for (int64_t i = 0; i < oh; i++) copyRow(out + (o * oh + i) * ow, wide + o * Lpad + i * Wp, ow);
  }
};

// MR output channels x NV vectors of wide columns: acc += w[o, k] * xp[base[k] + l].
template <int MR, int NV>
static inline void implicitBlock(const float* w, const Implicit& g, const float* xp, float* wide, int64_t o0,
                                 int64_t l0) {
  using namespace simd;
  V acc[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = zero();
  const int64_t K = g.K;
  const int64_t* base = g.base.data();
  for (int64_t k = 0; k < K; k++) {
    const float* b = xp + base[k] + l0;
    V bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = load(b + v * W);
    for (int r = 0; r < MR; r++) {
      const V a = bcast(w[(o0 + r) * K + k]);
      for (int v = 0; v < NV; v++) acc[r][v] = fma(a, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) store(wide + (o0 + r) * g.Lpad + l0 + v * W, acc[r][v]);
}

template <int MR>
static inline void implicitRows(const float* w, const Implicit& g, const float* xp, float* wide, int64_t o0) {
  int64_t l0 = 0;
  for (; l0 + 2 * simd::W <= g.Lpad; l0 += 2 * simd::W) implicitBlock<MR, 2>(w, g, xp, wide, o0, l0);
  if (l0 < g.Lpad) implicitBlock<MR, 1>(w, g, xp, wide, o0, l0);
}

// wide [O, Lpad] = w [O, K] @ slices(xp).
static inline void implicitProduct(const float* w, const Implicit& g, const float* xp, float* wide, int64_t O) {
  int64_t o0 = 0;
  for (; o0 + 6 <= O; o0 += 6) implicitRows<6>(w, g, xp, wide, o0);
  switch (O - o0) {
    case 5: implicitRows<5>(w, g, xp, wide, o0); break;
    case 4: implicitRows<4>(w, g, xp, wide, o0); break;
    case 3: implicitRows<3>(w, g, xp, wide, o0); break;
    case 2: implicitRows<2>(w, g, xp, wide, o0); break;
    case 1: implicitRows<1>(w, g, xp, wide, o0); break;
    default: break;
  }
}

#endif

}  // namespace descend
