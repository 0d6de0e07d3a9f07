// Data movement: strided gathers (permute, expand, slicing), their scatter-add adjoints, and im2col /
// col2im for convolution.
#include "common.h"

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

struct Win { int64_t n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow; };
static Win win(const View& g) {
  const int32_t* p = ptr<int32_t>(g);
  return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13]};
}

// The output columns oj whose input column oj * sw - pw + kj * dw lies inside [0, w): [lo, hi).
static inline void validRange(const Win& g, int64_t kj, int64_t& lo, int64_t& hi) {
  const int64_t off = kj * g.dw - g.pw;  // input column of oj = 0
  lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
  hi = g.w - off <= 0 ? 0 : (g.w - off + g.sw - 1) / g.sw;
  if (hi > g.ow) hi = g.ow;
  if (lo > hi) lo = hi;
}

template <typename T>
static void im2colT(const T* x, T* out, const Win& g, T pad) {
  const int64_t L = g.oh * g.ow, rows = g.c * g.kh * g.kw;
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t c = 0; c < g.c; c++) {
      const T* xc = x + (b * g.c + c) * g.h * g.w;
      for (int64_t ki = 0; ki < g.kh; ki++)
        for (int64_t kj = 0; kj < g.kw; kj++) {
          T* o = out + (b * rows + (c * g.kh + ki) * g.kw + kj) * L;
          int64_t lo, hi;
          validRange(g, kj, lo, hi);
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
              for (int64_t oj = lo; oj < hi; oj++) orow[oj] = xr[oj + off];
            else
              for (int64_t oj = lo; oj < hi; oj++) orow[oj] = xr[oj * g.sw + off];
            for (int64_t oj = hi; oj < g.ow; oj++) orow[oj] = pad;
          }
        }
    }
}

template <typename T>
static void col2imT(const T* cols, T* out, const Win& g) {
  const int64_t L = g.oh * g.ow, rows = g.c * g.kh * g.kw;
  for (int64_t b = 0; b < g.n; b++)
    for (int64_t c = 0; c < g.c; c++) {
      T* xc = out + (b * g.c + c) * g.h * g.w;
      for (int64_t ki = 0; ki < g.kh; ki++)
        for (int64_t kj = 0; kj < g.kw; kj++) {
          const T* o = cols + (b * rows + (c * g.kh + ki) * g.kw + kj) * L;
          int64_t lo, hi;
          validRange(g, kj, lo, hi);
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

// im2col(x, out, geometry Int32Array[14], padValue); col2im(cols, out, geometry). out arrives zero-filled.
static Napi::Value Im2col(const Napi::CallbackInfo& info) {
  View x = view(info[0]), o = view(info[1]), g = view(info[2]);
  const double pad = f64(info, 3);
  if (x.kind != o.kind || g.kind != Kind::I32 || g.length != 14) {
    fail(info, "im2col: bad operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) im2colT(ptr<float>(x), ptr<float>(o), win(g), static_cast<float>(pad));
  else if (x.kind == Kind::F64) im2colT(ptr<double>(x), ptr<double>(o), win(g), pad);
  else fail(info, "im2col: operands must be float");
  return info.Env().Undefined();
}

static Napi::Value Col2im(const Napi::CallbackInfo& info) {
  View x = view(info[0]), o = view(info[1]), g = view(info[2]);
  if (x.kind != o.kind || g.kind != Kind::I32 || g.length != 14) {
    fail(info, "col2im: bad operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) col2imT(ptr<float>(x), ptr<float>(o), win(g));
  else if (x.kind == Kind::F64) col2imT(ptr<double>(x), ptr<double>(o), win(g));
  else fail(info, "col2im: operands must be float");
  return info.Env().Undefined();
}

void initLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("strided", Napi::Function::New(env, Strided<false>));
  exports.Set("stridedScatterAdd", Napi::Function::New(env, Strided<true>));
  exports.Set("im2col", Napi::Function::New(env, Im2col));
  exports.Set("col2im", Napi::Function::New(env, Col2im));
}

}  // namespace descend
