// Data movement: strided gathers (permute, expand, slicing), their scatter-add adjoints, and im2col /
// col2im for convolution.
#include "common.h"
#include "window.h"
#include <cstring>
#include <vector>

namespace descend {

template <typename T>
static void stridedT(const T* x, T* out, int rank, const int32_t* shape, const int32_t* st, int64_t offset) {
  // Swapping the last two dims of contiguous matrices (a transpose): blocked for cache locality.
  if (rank >= 2 && offset == 0 && st[rank - 1] == shape[rank - 2] && st[rank - 2] == 1) {
    const int64_t rows = shape[rank - 2], cols = shape[rank - 1];
    int64_t mats = 1;
    for (int i = 0; i < rank - 2; i++) mats *= shape[i];
    if (mats == 1 || st[rank - 3] == rows * cols) {
      const int64_t B = 32;
      for (int64_t t = 0; t < mats; t++) {
        const T* xs = x + t * rows * cols;
        T* os = out + t * rows * cols;
        for (int64_t i0 = 0; i0 < rows; i0 += B)
          for (int64_t j0 = 0; j0 < cols; j0 += B) {
            const int64_t i1 = i0 + B < rows ? i0 + B : rows, j1 = j0 + B < cols ? j0 + B : cols;
            for (int64_t i = i0; i < i1; i++)
              for (int64_t j = j0; j < j1; j++) os[i * cols + j] = xs[j * rows + i];
          }
      }
      return;
    }
  }
  const int32_t* strides[1] = {st};
  const int64_t inner = rank ? st[rank - 1] : 0;
  forEachRow<1>(rank, shape, strides, [&](int64_t o, const int64_t* s, int64_t n) {
    const T* src = x + offset + s[0];
    T* dst = out + o;
    if (inner == 1) for (int64_t j = 0; j < n; j++) dst[j] = src[j];
    else if (inner == 0) { const T v = src[0]; for (int64_t j = 0; j < n; j++) dst[j] = v; }
    else for (int64_t j = 0; j < n; j++) dst[j] = src[j * inner];
  });
}

template <typename T>
static void scatterAddT(const T* x, T* out, int rank, const int32_t* shape, const int32_t* st, int64_t offset) {
  const int32_t* strides[1] = {st};
  const int64_t inner = rank ? st[rank - 1] : 0;
  forEachRow<1>(rank, shape, strides, [&](int64_t o, const int64_t* s, int64_t n) {
    T* dst = out + offset + s[0];
    const T* src = x + o;
    if (inner == 1) for (int64_t j = 0; j < n; j++) dst[j] += src[j];
    else if (inner == 0) { T acc = dst[0]; for (int64_t j = 0; j < n; j++) acc += src[j]; dst[0] = acc; }
    else for (int64_t j = 0; j < n; j++) dst[j * inner] += src[j];
  });
}

// strided(x, out, rank, meta, offset) and stridedScatterAdd(x, out, rank, meta, offset): meta holds the
// shape walked, then the strides into the base; any typed array kind (data is moved, not computed on).
template <bool Scatter>
static Napi::Value Strided(const Napi::CallbackInfo& info) {
  View x = view(info[0]), o = view(info[1]);
  const int rank = i32(info, 2);
  View meta = view(info[3]);
  const int64_t offset = static_cast<int64_t>(f64(info, 4));
  if (x.kind != o.kind || rank > kMaxRank || meta.kind != Kind::I32 || meta.length < size_t(2 * rank)) {
    fail(info, "strided: bad operands");
    return info.Env().Undefined();
  }
  const int32_t *sh = ptr<int32_t>(meta), *s = sh + rank;
  switch (x.kind) {
    case Kind::F32: Scatter ? scatterAddT(ptr<float>(x), ptr<float>(o), rank, sh, s, offset) : stridedT(ptr<float>(x), ptr<float>(o), rank, sh, s, offset); break;
    case Kind::F64: Scatter ? scatterAddT(ptr<double>(x), ptr<double>(o), rank, sh, s, offset) : stridedT(ptr<double>(x), ptr<double>(o), rank, sh, s, offset); break;
    case Kind::I32: Scatter ? scatterAddT(ptr<int32_t>(x), ptr<int32_t>(o), rank, sh, s, offset) : stridedT(ptr<int32_t>(x), ptr<int32_t>(o), rank, sh, s, offset); break;
    case Kind::U8: if (Scatter) fail(info, "stridedScatterAdd: bool is not summable"); else stridedT(ptr<uint8_t>(x), ptr<uint8_t>(o), rank, sh, s, offset); break;
    default: fail(info, "strided: unsupported array type");
  }
  return info.Env().Undefined();
}

// im2col(x, out, geometry Int32Array[14], padValue); col2im(cols, out, geometry). out arrives zero-filled.
static Napi::Value Im2col(const Napi::CallbackInfo& info) {
  View x = view(info[0]), o = view(info[1]), g = view(info[2]);
  const double pad = f64(info, 3);
  if (x.kind != o.kind || g.kind != Kind::I32 || g.length != 14) {
    fail(info, "im2col: bad operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) im2colT(ptr<float>(x), ptr<float>(o), win(g), static_cast<float>(pad), ColRanges(win(g)));
  else if (x.kind == Kind::F64) im2colT(ptr<double>(x), ptr<double>(o), win(g), pad, ColRanges(win(g)));
  else fail(info, "im2col: operands must be float");
  return info.Env().Undefined();
}

static Napi::Value Col2im(const Napi::CallbackInfo& info) {
  View x = view(info[0]), o = view(info[1]), g = view(info[2]);
  if (x.kind != o.kind || g.kind != Kind::I32 || g.length != 14) {
    fail(info, "col2im: bad operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) col2imT(ptr<float>(x), ptr<float>(o), win(g), ColRanges(win(g)));
  else if (x.kind == Kind::F64) col2imT(ptr<double>(x), ptr<double>(o), win(g), ColRanges(win(g)));
  else fail(info, "col2im: operands must be float");
  return info.Env().Undefined();
}

// Max pooling's choices (the JS backend's poolArgmax): the flat h*w index of each window's first
// maximum, a NaN winning at once; padding never wins.
template <typename T> struct Bits;
template <> struct Bits<float> { using U = uint32_t; };
template <> struct Bits<double> { using U = uint64_t; };

// One step of a window's scan. Maxima of real data fall at random, so a branch here mispredicts half
// the time (it ran 8x slower): the choice is made with bit masks, which compilers keep branch-free.
template <typename T>
static inline void pick(T v, int32_t at, T& best, int32_t& bi) {
  using U = typename Bits<T>::U;
  const int32_t take = int32_t(v > best) | (int32_t(v != v) & int32_t(best == best));
  const U mask = U(0) - U(take);
  U vb, bb;
  std::memcpy(&vb, &v, sizeof(T));
  std::memcpy(&bb, &best, sizeof(T));
  bb = (vb & mask) | (bb & ~mask);
  std::memcpy(&best, &bb, sizeof(T));
  bi = (at & -take) | (bi & ~-take);
}

// The taps [lo, hi) of output position o that fall inside [0, size).
static void tapRange(int64_t o, int64_t s, int64_t p, int64_t d, int64_t k, int64_t size, int32_t& lo, int32_t& hi) {
  lo = 0;
  while (lo < k && o * s - p + lo * d < 0) lo++;
  hi = lo;
  while (hi < k && o * s - p + hi * d < size) hi++;
}

// One window whose taps [k0, k1) x [j0, j1) are real; KH > 0 fixes them at compile time (an interior
// window), so the scan unrolls. `top` is the flat index of tap (0, 0).
template <typename T, int KH, int KW>
static inline int32_t windowArgmax(const T* xp, int32_t top, int32_t W, int32_t dh, int32_t dw, int32_t k0,
                                   int32_t k1, int32_t j0, int32_t j1) {
  if (KH > 0) k0 = 0, k1 = KH, j0 = 0, j1 = KW;
  int32_t bi = top + k0 * dh * W + j0 * dw;
  T best = xp[bi];
  for (int32_t ki = k0; ki < k1; ki++)
    for (int32_t kj = j0; kj < j1; kj++) {
      if (ki == k0 && kj == j0) continue;
      const int32_t at = top + ki * dh * W + kj * dw;
      pick(xp[at], at, best, bi);
    }
  return bi;
}

template <typename T, int KH, int KW>
static void poolArgmaxT(const T* x, int32_t* out, const Win& g) {
  std::vector<int32_t> rl(g.oh), rh(g.oh), cl(g.ow), ch(g.ow);
  for (int64_t i = 0; i < g.oh; i++) tapRange(i, g.sh, g.ph, g.dh, g.kh, g.h, rl[i], rh[i]);
  for (int64_t j = 0; j < g.ow; j++) tapRange(j, g.sw, g.pw, g.dw, g.kw, g.w, cl[j], ch[j]);
  const int32_t W = int32_t(g.w), sh = int32_t(g.sh), sw = int32_t(g.sw), ph = int32_t(g.ph), pw = int32_t(g.pw);
  const int32_t dh = int32_t(g.dh), dw = int32_t(g.dw), OW = int32_t(g.ow), kh = int32_t(g.kh), kw = int32_t(g.kw);
  // The columns [c0, c1) whose taps all fall inside a row.
  int32_t c0 = 0, c1 = OW;
  while (c0 < OW && !(cl[c0] == 0 && ch[c0] == kw)) c0++;
  while (c1 > c0 && !(cl[c1 - 1] == 0 && ch[c1 - 1] == kw)) c1--;
  for (int64_t plane = 0; plane < g.n * g.c; plane++) {
    const T* xp = x + plane * g.h * g.w;
    for (int32_t oi = 0; oi < int32_t(g.oh); oi++) {
      int32_t* orow = out + (plane * g.oh + oi) * OW;
      const int32_t k0 = rl[oi], k1 = rh[oi], top = (oi * sh - ph) * W - pw;
      const bool inner = KH > 0 && k0 == 0 && k1 == kh;
      for (int32_t oj = 0; oj < OW; oj++) {
        if (inner && oj == c0) {
          for (; oj < c1; oj++) orow[oj] = windowArgmax<T, KH, KW>(xp, top + oj * sw, W, dh, dw, 0, 0, 0, 0);
          if (oj == OW) break;
        }
        const int32_t j0 = cl[oj], j1 = ch[oj];
        // A window with no real tap cannot arise (padding is at most half the kernel); -1 if it did.
        orow[oj] = k0 < k1 && j0 < j1 ? windowArgmax<T, 0, 0>(xp, top + oj * sw, W, dh, dw, k0, k1, j0, j1) : -1;
      }
    }
  }
}

template <typename T>
static void poolArgmaxT(const T* x, int32_t* out, const Win& g) {
  if (g.kh == 2 && g.kw == 2) poolArgmaxT<T, 2, 2>(x, out, g);
  else if (g.kh == 3 && g.kw == 3) poolArgmaxT<T, 3, 3>(x, out, g);
  else poolArgmaxT<T, 0, 0>(x, out, g);
}

// poolArgmax(x, out Int32Array, geometry Int32Array[14]).
static Napi::Value PoolArgmax(const Napi::CallbackInfo& info) {
  View x = view(info[0]), o = view(info[1]), g = view(info[2]);
  if (o.kind != Kind::I32 || g.kind != Kind::I32 || g.length != 14) {
    fail(info, "poolArgmax: bad operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) poolArgmaxT(ptr<float>(x), ptr<int32_t>(o), win(g));
  else if (x.kind == Kind::F64) poolArgmaxT(ptr<double>(x), ptr<int32_t>(o), win(g));
  else fail(info, "poolArgmax: input must be float");
  return info.Env().Undefined();
}

void initLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("poolArgmax", Napi::Function::New(env, PoolArgmax));
  exports.Set("strided", Napi::Function::New(env, Strided<false>));
  exports.Set("stridedScatterAdd", Napi::Function::New(env, Strided<true>));
  exports.Set("im2col", Napi::Function::New(env, Im2col));
  exports.Set("col2im", Napi::Function::New(env, Col2im));
}

}  // namespace descend
