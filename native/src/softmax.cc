// Fused log-softmax over the rows of a [rows, cols] array and its backward, g - exp(y) * sum(g): one
// output array and two or three passes over each row, where the composed ops make five temporaries.
// float32 rows use the fast exp of fastmath.h; sums accumulate in double.
#include "common.h"
#include "fastmath.h"
#include <cmath>

namespace descend {

template <typename T>
static inline T expT(T v) {
  if constexpr (sizeof(T) == 4) return fastExpF(v);
  else return std::exp(v);
}

template <typename T>
static void logSoftmaxT(const T* __restrict x, T* __restrict y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const T* xr = x + r * cols;
    T* yr = y + r * cols;
    // Three vectorized passes (omp simd reductions: -ffast-math is off): max and NaN, sum of exp, write.
    T m = -INFINITY;
    int nan = 0;
#pragma omp simd reduction(max : m) reduction(| : nan)
    for (int64_t j = 0; j < cols; j++) {
      m = xr[j] > m ? xr[j] : m;
      nan |= xr[j] != xr[j];
    }
    // The composite's rule: an infinite max shifts by 0 (a row of -inf gives NaN, as torch does).
    const T shift = std::isinf(m) ? T(0) : m;
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < cols; j++) s += double(expT<T>(xr[j] - shift));
    const T lse = T(std::log(s));
    if (nan) {
      for (int64_t j = 0; j < cols; j++) yr[j] = T(NAN);
      continue;
    }
    for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - shift) - lse;
  }
}

template <typename T>
static void logSoftmaxBackwardT(const T* __restrict g, const T* __restrict y, T* __restrict out, int64_t rows,
                                int64_t cols) {
  for (int64_t r = 0; r < rows; r++) {
    const T* gr = g + r * cols;
    const T* yr = y + r * cols;
    T* orow = out + r * cols;
    double s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < cols; j++) s += double(gr[j]);
    const T sg = T(s);
    for (int64_t j = 0; j < cols; j++) orow[j] = gr[j] - expT<T>(yr[j]) * sg;
  }
}

// logSoftmax(x, y, rows, cols) and logSoftmaxBackward(g, y, out, rows, cols), float32 or float64.
static Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  View x = view(info[0]), y = view(info[1]);
  const int64_t rows = i32(info, 2), cols = i32(info, 3);
  if (x.kind != y.kind || x.length != y.length || size_t(rows * cols) != x.length) {
    fail(info, "logSoftmax: bad operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) logSoftmaxT(ptr<float>(x), ptr<float>(y), rows, cols);
  else if (x.kind == Kind::F64) logSoftmaxT(ptr<double>(x), ptr<double>(y), rows, cols);
  else fail(info, "logSoftmax: operands must be float");
  return info.Env().Undefined();
}

static Napi::Value LogSoftmaxBackward(const Napi::CallbackInfo& info) {
  View g = view(info[0]), y = view(info[1]), o = view(info[2]);
  const int64_t rows = i32(info, 3), cols = i32(info, 4);
  if (g.kind != y.kind || g.kind != o.kind || g.length != y.length || g.length != o.length ||
      size_t(rows * cols) != g.length) {
    fail(info, "logSoftmaxBackward: bad operands");
    return info.Env().Undefined();
  }
  if (g.kind == Kind::F32) logSoftmaxBackwardT(ptr<float>(g), ptr<float>(y), ptr<float>(o), rows, cols);
  else if (g.kind == Kind::F64) logSoftmaxBackwardT(ptr<double>(g), ptr<double>(y), ptr<double>(o), rows, cols);
  else fail(info, "logSoftmaxBackward: operands must be float");
  return info.Env().Undefined();
}

void initSoftmax(Napi::Env env, Napi::Object exports) {
  exports.Set("logSoftmax", Napi::Function::New(env, LogSoftmax));
  exports.Set("logSoftmaxBackward", Napi::Function::New(env, LogSoftmaxBackward));
}

}  // namespace descend
