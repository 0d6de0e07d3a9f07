// Elementwise kernels: unary maps, broadcasting binary ops and where. Semantics follow the JS reference
// backend (src/backends/js/math.ts) exactly: NaN propagation, round half to even, sign(NaN) = NaN.
#include "common.h"
#include "fastmath.h"
#include <cmath>

namespace descend {

static const char* kUnary[] = {"neg",  "exp",  "log",   "sqrt",  "rsqrt", "sin",   "cos",  "tan",
                               "tanh", "sigmoid", "atan", "asin", "acos", "sinh", "cosh", "erf",
                               "abs",  "sign", "log1p", "expm1", "floor", "ceil",  "round", "trunc", "relu"};
// Arithmetic ops first (they write the operands' type), then comparisons (they write bool).
static const char* kBinary[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2", "tanhBackward",
                                "sigmoidBackward", "reluBackward", "eq", "ne", "lt", "le", "gt", "ge"};
constexpr int kNumArith = 11;
constexpr int kNumUnary = sizeof(kUnary) / sizeof(kUnary[0]);
constexpr int kNumBinary = sizeof(kBinary) / sizeof(kBinary[0]);

static inline double roundHalfEven(double x) { return std::nearbyint(x); }  // default mode: ties to even
static inline double signOf(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : (x == 0 ? 0.0 : x)); }
static inline double sigmoidExact(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

template <typename T, typename F>
static inline void mapLoop(const T* __restrict x, T* __restrict y, size_t n, F f) {
  for (size_t i = 0; i < n; i++) y[i] = static_cast<T>(f(static_cast<double>(x[i])));
}

// float32 maps computed in float lanes (the fast exp/tanh/sigmoid); a no-op instantiation for double.
template <typename T, typename F>
static inline void mapLoopF(const T* __restrict x, T* __restrict y, size_t n, F f) {
  if constexpr (sizeof(T) == 4)
    for (size_t i = 0; i < n; i++) y[i] = f(x[i]);
}

template <typename T>
static void unaryT(int op, const T* __restrict x, T* __restrict y, size_t n) {
  constexpr bool f32 = sizeof(T) == 4;
  switch (op) {
    case 0: for (size_t i = 0; i < n; i++) y[i] = -x[i]; break;
    case 1:
      if (f32) mapLoopF(x, y, n, fastExpF);
      else mapLoop(x, y, n, [](double v) { return std::exp(v); });
      break;
    case 2: mapLoop(x, y, n, [](double v) { return std::log(v); }); break;
    case 3: for (size_t i = 0; i < n; i++) y[i] = std::sqrt(x[i]); break;
    case 4: mapLoop(x, y, n, [](double v) { return 1.0 / std::sqrt(v); }); break;
    case 5: mapLoop(x, y, n, [](double v) { return std::sin(v); }); break;
    case 6: mapLoop(x, y, n, [](double v) { return std::cos(v); }); break;
    case 7: mapLoop(x, y, n, [](double v) { return std::tan(v); }); break;
    case 8:
      if (f32) mapLoopF(x, y, n, fastTanhF);
      else mapLoop(x, y, n, [](double v) { return std::tanh(v); });
      break;
    case 9:
      if (f32) mapLoopF(x, y, n, fastSigmoidF);
      else mapLoop(x, y, n, sigmoidExact);
      break;
    case 10: mapLoop(x, y, n, [](double v) { return std::atan(v); }); break;
    case 11: mapLoop(x, y, n, [](double v) { return std::asin(v); }); break;
    case 12: mapLoop(x, y, n, [](double v) { return std::acos(v); }); break;
    case 13: mapLoop(x, y, n, [](double v) { return std::sinh(v); }); break;
    case 14: mapLoop(x, y, n, [](double v) { return std::cosh(v); }); break;
    case 15: mapLoop(x, y, n, [](double v) { return std::erf(v); }); break;
    case 16: for (size_t i = 0; i < n; i++) y[i] = std::fabs(x[i]); break;
    case 17: mapLoop(x, y, n, signOf); break;
    case 18: mapLoop(x, y, n, [](double v) { return std::log1p(v); }); break;
    case 19: mapLoop(x, y, n, [](double v) { return std::expm1(v); }); break;
    case 20: for (size_t i = 0; i < n; i++) y[i] = std::floor(x[i]); break;
    case 21: for (size_t i = 0; i < n; i++) y[i] = std::ceil(x[i]); break;
    case 22: mapLoop(x, y, n, roundHalfEven); break;
    case 23: for (size_t i = 0; i < n; i++) y[i] = std::trunc(x[i]); break;
    case 24: for (size_t i = 0; i < n; i++) y[i] = x[i] <= T(0) ? T(0) : x[i]; break;
  }
}

// unary(op, x, y): y = f(x), both Float32Array or both Float64Array of the same length.
static Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = i32(info, 0);
  View x = view(info[1]), y = view(info[2]);
  if (op < 0 || op >= kNumUnary || x.kind != y.kind || x.length != y.length) {
    fail(info, "unary: bad op or operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) unaryT(op, ptr<float>(x), ptr<float>(y), x.length);
  else if (x.kind == Kind::F64) unaryT(op, ptr<double>(x), ptr<double>(y), x.length);
  else fail(info, "unary: operands must be Float32Array or Float64Array");
  return info.Env().Undefined();
}

// The inner loop of a binary op over one row: strides 1 or 0 are specialized so the compiler vectorizes.
template <typename T, typename O, typename F>
static inline void row(const T* __restrict a, int64_t ia, const T* __restrict b, int64_t ib, O* __restrict o,
                       int64_t n, F f) {
  if (ia == 1 && ib == 1) for (int64_t j = 0; j < n; j++) o[j] = static_cast<O>(f(a[j], b[j]));
  else if (ia == 1 && ib == 0) { const T v = b[0]; for (int64_t j = 0; j < n; j++) o[j] = static_cast<O>(f(a[j], v)); }
  else if (ia == 0 && ib == 1) { const T v = a[0]; for (int64_t j = 0; j < n; j++) o[j] = static_cast<O>(f(v, b[j])); }
  else for (int64_t j = 0; j < n; j++) o[j] = static_cast<O>(f(a[j * ia], b[j * ib]));
}

template <typename T, typename O, typename F>
static void broadcast(const T* a, const T* b, O* o, int rank, const int32_t* shape, const int32_t* sa,
                      const int32_t* sb, F f) {
  const int32_t* strides[2] = {sa, sb};
  const int64_t ia = rank ? sa[rank - 1] : 0, ib = rank ? sb[rank - 1] : 0;
  forEachRow<2>(rank, shape, strides, [&](int64_t out, const int64_t* st, int64_t n) {
    row(a + st[0], ia, b + st[1], ib, o + out, n, f);
  });
}

template <typename T>
static void binaryArith(int op, const T* a, const T* b, T* o, int rank, const int32_t* shape, const int32_t* sa,
                        const int32_t* sb) {
  switch (op) {
    case 0: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x + y; }); break;
    case 1: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x - y; }); break;
    case 2: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x * y; }); break;
    case 3: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x / y; }); break;
    case 4: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return std::pow(double(x), double(y)); }); break;
    case 5: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return (x != x || y != y) ? T(NAN) : (x > y ? x : y); }); break;
    case 6: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return (x != x || y != y) ? T(NAN) : (x < y ? x : y); }); break;
    case 7: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return std::atan2(double(x), double(y)); }); break;
    // In the tensor's type, op by op: the same bits as the composed g * (1 - y * y) and g * (y * (1 - y)).
    case 8: broadcast(a, b, o, rank, shape, sa, sb, [](T g, T y) { return g * (T(1) - y * y); }); break;
    case 9: broadcast(a, b, o, rank, shape, sa, sb, [](T g, T y) { return g * (y * (T(1) - y)); }); break;
    case 10: broadcast(a, b, o, rank, shape, sa, sb, [](T g, T y) { return y <= T(0) ? T(0) : g; }); break;
  }
}

template <typename T>
static void binaryCompare(int op, const T* a, const T* b, uint8_t* o, int rank, const int32_t* shape,
                          const int32_t* sa, const int32_t* sb) {
  switch (op) {
    case 11: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x == y; }); break;
    case 12: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x != y; }); break;
    case 13: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x < y; }); break;
    case 14: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x <= y; }); break;
    case 15: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x > y; }); break;
    case 16: broadcast(a, b, o, rank, shape, sa, sb, [](T x, T y) { return x >= y; }); break;
  }
}

// binary(op, a, b, out, rank, meta): out (row-major) = a op b, where meta (Int32Array) holds the output
// shape, then a's and b's broadcast strides (0 on broadcast dims), `rank` entries each. Arithmetic writes
// the operands' type, comparisons write Uint8Array.
static Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = i32(info, 0);
  View a = view(info[1]), b = view(info[2]), o = view(info[3]);
  const int rank = i32(info, 4);
  View meta = view(info[5]);
  if (op < 0 || op >= kNumBinary || a.kind != b.kind || rank > kMaxRank || meta.kind != Kind::I32 ||
      meta.length < size_t(3 * rank)) {
    fail(info, "binary: bad op or operands");
    return info.Env().Undefined();
  }
  const int32_t *sh = ptr<int32_t>(meta), *pa = sh + rank, *pb = sh + 2 * rank;
  if (op < kNumArith && o.kind == a.kind) {
    if (a.kind == Kind::F32) binaryArith(op, ptr<float>(a), ptr<float>(b), ptr<float>(o), rank, sh, pa, pb);
    else if (a.kind == Kind::F64) binaryArith(op, ptr<double>(a), ptr<double>(b), ptr<double>(o), rank, sh, pa, pb);
    else fail(info, "binary: arithmetic operands must be float");
  } else if (op >= kNumArith && o.kind == Kind::U8) {
    if (a.kind == Kind::F32) binaryCompare(op, ptr<float>(a), ptr<float>(b), ptr<uint8_t>(o), rank, sh, pa, pb);
    else if (a.kind == Kind::F64) binaryCompare(op, ptr<double>(a), ptr<double>(b), ptr<uint8_t>(o), rank, sh, pa, pb);
    else fail(info, "binary: comparison operands must be float");
  } else {
    fail(info, "binary: output type does not fit the op");
  }
  return info.Env().Undefined();
}

template <typename T>
static void whereT(const uint8_t* c, const T* a, const T* b, T* o, int rank, const int32_t* shape,
                   const int32_t* sc, const int32_t* sa, const int32_t* sb) {
  const int32_t* strides[3] = {sc, sa, sb};
  const int64_t ic = rank ? sc[rank - 1] : 0, ia = rank ? sa[rank - 1] : 0, ib = rank ? sb[rank - 1] : 0;
  forEachRow<3>(rank, shape, strides, [&](int64_t out, const int64_t* st, int64_t n) {
    const uint8_t* cc = c + st[0];
    const T* aa = a + st[1];
    const T* bb = b + st[2];
    T* oo = o + out;
    if (ic == 1 && ia == 1 && ib == 1) for (int64_t j = 0; j < n; j++) oo[j] = cc[j] ? aa[j] : bb[j];
    else if (ic == 1 && ia == 0 && ib == 1) { const T v = aa[0]; for (int64_t j = 0; j < n; j++) oo[j] = cc[j] ? v : bb[j]; }
    else if (ic == 1 && ia == 1 && ib == 0) { const T v = bb[0]; for (int64_t j = 0; j < n; j++) oo[j] = cc[j] ? aa[j] : v; }
    else for (int64_t j = 0; j < n; j++) oo[j] = cc[j * ic] ? aa[j * ia] : bb[j * ib];
  });
}

// where(cond, a, b, out, rank, meta): meta holds the output shape, then the strides of cond, a and b.
static Napi::Value Where(const Napi::CallbackInfo& info) {
  View c = view(info[0]), a = view(info[1]), b = view(info[2]), o = view(info[3]);
  const int rank = i32(info, 4);
  View meta = view(info[5]);
  if (c.kind != Kind::U8 || a.kind != b.kind || a.kind != o.kind || rank > kMaxRank || meta.kind != Kind::I32 ||
      meta.length < size_t(4 * rank)) {
    fail(info, "where: bad operands");
    return info.Env().Undefined();
  }
  const int32_t *sh = ptr<int32_t>(meta), *pc = sh + rank, *pa = sh + 2 * rank, *pb = sh + 3 * rank;
  if (a.kind == Kind::F32) whereT(ptr<uint8_t>(c), ptr<float>(a), ptr<float>(b), ptr<float>(o), rank, sh, pc, pa, pb);
  else if (a.kind == Kind::F64) whereT(ptr<uint8_t>(c), ptr<double>(a), ptr<double>(b), ptr<double>(o), rank, sh, pc, pa, pb);
  else fail(info, "where: operands must be float");
  return info.Env().Undefined();
}

static Napi::Array names(Napi::Env env, const char* const* list, int n) {
  Napi::Array arr = Napi::Array::New(env, n);
  for (int i = 0; i < n; i++) arr.Set(uint32_t(i), Napi::String::New(env, list[i]));
  return arr;
}

void initElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("unaryOps", names(env, kUnary, kNumUnary));
  exports.Set("binaryOps", names(env, kBinary, kNumBinary));
}

}  // namespace descend
