// Convolution one image at a time: each image's unfolded columns go to a scratch buffer that stays in
// cache (60-80 KB for LeNet's layers) instead of a whole batch of columns in fresh memory, and the weight
// gradient accumulates in place across images (one [O, C*kh*kw] output per thread, not one per image).
#include "common.h"
#include "gemm.h"
#include "pool.h"
#include "window.h"
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

void initConv(Napi::Env env, Napi::Object exports) { exports.Set("conv", Napi::Function::New(env, Conv)); }

}  // namespace descend
