// Convolution one image at a time: each image's unfolded columns go to a scratch buffer that stays in
// cache (60-80 KB for LeNet's layers) instead of a whole batch of columns in fresh memory, and the weight
// gradient accumulates in place across images (one [O, C*kh*kw] output per thread, not one per image).
#include "common.h"
#include "gemm.h"
#include "pool.h"
#include "window.h"
#include "conv_implicit.h"
#include <cstdlib>
#include <string>
#include <algorithm>
#include <vector>

namespace descend {

// One image's geometry: the sizes of its columns ([K, L]) and input, and the column ranges im2col and
// col2im need, computed once per call.
struct Image {
  Win one;
  int64_t K, L, in;
  ColRanges cr;
  explicit Image(const Win& g)
      : one(single(g)), K(g.c * g.kh * g.kw), L(g.oh * g.ow), in(g.c * g.h * g.w), cr(one) {}
  static Win single(Win g) {
    g.n = 1;
    return g;
  }
};

// Calls body(b, cols, share) for every image b. Images are split across the pool's threads when the
// batch is big enough to pay for the hand-over; every share has its own columns buffer.
template <typename T, typename F>
static void eachImage(const Win& g, const Image& im, int shares, F&& body) {
  parallelFor(shares, [&](int s, int S) {
    int64_t b0, b1;
    shareRange(g.n, s, S, b0, b1);
    std::vector<T> cols(im.K * im.L);
    for (int64_t b = b0; b < b1; b++) body(b, cols.data(), s);
  });
}

static int convShares(const Win& g, const Image& im, int64_t O) {
  return g.n >= 2 && g.n * O * im.K * im.L >= (int64_t(1) << 20) ? poolThreads() : 1;
}

// Which float32 path stride-1 convolutions take: the implicit GEMM (conv_implicit.h) or im2col + GEMM.
// DESCEND_CONV=im2col (or setConvPath, for tests) forces im2col; float64 and strided or dilated
// convolutions, and every weight gradient, take im2col.
enum class ConvPath { Auto, Im2col };
static ConvPath convPath = [] {
  const char* e = std::getenv("DESCEND_CONV");
  return e && std::string(e) == "im2col" ? ConvPath::Im2col : ConvPath::Auto;
}();

#ifdef DESCEND_IMPLICIT_CONV
static bool implicitFits(const Win& g) {
  return convPath == ConvPath::Auto && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.c > 0 && g.kh > 0 &&
         g.kw > 0 && g.oh > 0 && g.ow > 0;
}

// y[b] = narrow(w @ slices(pad(x[b]))), for images x [n, C, H, W] and weights [O, C*kh*kw].
static void implicitForward(const float* x, const float* w, float* y, int64_t n, const Implicit& im, int64_t O,
                            int shares) {
  parallelFor(shares, [&](int s, int S) {
    int64_t b0, b1;
    shareRange(n, s, S, b0, b1);
    std::vector<float> xp(im.xpSize, 0.0f), wide(O * im.Lpad);
    for (int64_t b = b0; b < b1; b++) {
      im.fill(x + b * im.C * im.H * im.Wd, xp.data());
      implicitProduct(w, im, xp.data(), wide.data(), O);
      im.narrow(wide.data(), y + b * O * im.oh * im.ow, O);
    }
  });
}

static void convForwardImplicit(const float* x, const float* w, float* y, const Win& g, int64_t O) {
  const Implicit im(g.c, g.h, g.w, g.kh, g.kw, g.ph, g.pw, g.oh, g.ow);
  implicitForward(x, w, y, g.n, im, O, convShares(g, Image(g), O));
}

// dx = the stride-1 convolution of gy, padded by k-1-p, with the weights flipped and transposed to
// [C, O, kh, kw]. Needs p <= k-1 (otherwise the false return sends it to im2col).
static bool convInputGradImplicit(const float* gy, const float* w, float* dx, const Win& g, int64_t O) {
  if (g.ph > g.kh - 1 || g.pw > g.kw - 1) return false;
  const int64_t taps = g.kh * g.kw;
  std::vector<float> wt(g.c * O * taps);
  for (int64_t o = 0; o < O; o++)
    for (int64_t c = 0; c < g.c; c++)
      for (int64_t t = 0; t < taps; t++) wt[(c * O + o) * taps + (taps - 1 - t)] = w[(o * g.c + c) * taps + t];
  const Implicit im(O, g.oh, g.ow, g.kh, g.kw, g.kh - 1 - g.ph, g.kw - 1 - g.pw, g.h, g.w);
  implicitForward(gy, wt.data(), dx, g.n, im, g.c, convShares(g, Image(g), O));
  return true;
}
#endif

// y[b] = W [O, K] @ cols(x[b]) [K, L]
template <typename T>
static void convForward(const T* x, const T* w, T* y, const Win& g, int64_t O) {
  const Image im(g);
  eachImage<T>(g, im, convShares(g, im, O), [&](int64_t b, T* cols, int) {
    im2colT(x + b * im.in, cols, im.one, T(0), im.cr);
    gemm(w, cols, y + b * O * im.L, O, im.L, im.K, false, false, T(0));
  });
}

// dW [O, K] = sum_b gy[b] [O, L] @ cols(x[b])^T [L, K]; each share sums its images, then the shares add.
template <typename T>
static void convWeightGrad(const T* x, const T* gy, T* dw, const Win& g, int64_t O) {
  const Image im(g);
  const int shares = convShares(g, im, O);
  std::vector<std::vector<T>> partial(shares > 1 ? shares - 1 : 0, std::vector<T>(O * im.K));
  std::fill(dw, dw + O * im.K, T(0));
  eachImage<T>(g, im, shares, [&](int64_t b, T* cols, int s) {
    im2colT(x + b * im.in, cols, im.one, T(0), im.cr);
    gemm(gy + b * O * im.L, cols, s == 0 ? dw : partial[s - 1].data(), O, im.K, im.L, false, true, T(1));
  });
  for (const auto& p : partial)
    for (int64_t i = 0; i < O * im.K; i++) dw[i] += p[i];
}

// dx[b] = col2im(W^T [K, O] @ gy[b] [O, L]); dx arrives zero-filled.
template <typename T>
static void convInputGrad(const T* gy, const T* w, T* dx, const Win& g, int64_t O) {
  const Image im(g);
  eachImage<T>(g, im, convShares(g, im, O), [&](int64_t b, T* cols, int) {
    gemm(w, gy + b * O * im.L, cols, im.K, im.L, O, true, false, T(0));
    col2imT(cols, dx + b * im.in, im.one, im.cr);
  });
}

// conv(kind, a, b, out, geometry Int32Array[14], O): kind 0 forward (x, w), 1 weight grad (x, gy), 2 input
// grad (gy, w).
static Napi::Value Conv(const Napi::CallbackInfo& info) {
  const int kind = i32(info, 0);
  View a = view(info[1]), b = view(info[2]), o = view(info[3]), g = view(info[4]);
  const int64_t O = i32(info, 5);
  if (a.kind != b.kind || a.kind != o.kind || (a.kind != Kind::F32 && a.kind != Kind::F64) ||
      g.kind != Kind::I32 || g.length != 14 || kind < 0 || kind > 2) {
    fail(info, "conv: bad operands");
    return info.Env().Undefined();
  }
  const Win wg = win(g);
  if (a.kind == Kind::F32) {
    const float *pa = ptr<float>(a), *pb = ptr<float>(b);
    float* po = ptr<float>(o);
#ifdef DESCEND_IMPLICIT_CONV
    if (implicitFits(wg)) {
      if (kind == 0) return convForwardImplicit(pa, pb, po, wg, O), info.Env().Undefined();
      if (kind == 2 && convInputGradImplicit(pa, pb, po, wg, O)) return info.Env().Undefined();
    }
#endif
    if (kind == 0) convForward(pa, pb, po, wg, O);
    else if (kind == 1) convWeightGrad(pa, pb, po, wg, O);
    else convInputGrad(pa, pb, po, wg, O);
  } else {
    const double *pa = ptr<double>(a), *pb = ptr<double>(b);
    double* po = ptr<double>(o);
    if (kind == 0) convForward(pa, pb, po, wg, O);
    else if (kind == 1) convWeightGrad(pa, pb, po, wg, O);
    else convInputGrad(pa, pb, po, wg, O);
  }
  return info.Env().Undefined();
}

// setConvPath('auto' | 'im2col'): forces im2col for float32 (tests), or back to the default.
static Napi::Value SetConvPath(const Napi::CallbackInfo& info) {
  convPath = info[0].ToString().Utf8Value() == "im2col" ? ConvPath::Im2col : ConvPath::Auto;
  return info.Env().Undefined();
}

// The path stride-1 float32 convolutions take in this build and setting: 'implicit' or 'im2col'.
static Napi::Value ConvPathName(const Napi::CallbackInfo& info) {
#ifdef DESCEND_IMPLICIT_CONV
  const bool implicit = convPath == ConvPath::Auto;
#else
  const bool implicit = false;
#endif
  return Napi::String::New(info.Env(), implicit ? "implicit" : "im2col");
}

void initConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv", Napi::Function::New(env, Conv));
  exports.Set("setConvPath", Napi::Function::New(env, SetConvPath));
  exports.Set("convPath", Napi::Function::New(env, ConvPathName));
}

}  // namespace descend
