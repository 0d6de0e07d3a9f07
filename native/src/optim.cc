// Fused optimizer updates: one pass over the parameter instead of a dozen elementwise ops. Each
// operation is evaluated in the tensor's type, in the order of optim/torch-rules.ts, with the scalars
// rounded to that type first, as the composed ops do, so the results are bit for bit the same
// (-ffp-contract=off keeps the compiler from fusing a*b+c into an FMA).
#include "common.h"
#include <cmath>
#include <type_traits>

namespace descend {

// The variant flags are template parameters so that each loop is branch-free and vectorizes. Outputs may
// alias inputs element for element (an in-place update): each index is read before it is written.
template <typename T, bool AMS, bool COUPLED, bool NEAR>
static void adamLoop(const T* p, const T* g, const T* m, const T* v, const T* maxv, T* po, T* mo, T* vo, T* maxo,
                     size_t n, const double* s, bool decoupled, bool maximize) {
  const double lr = s[0], b1 = s[1], b2 = s[2], eps = s[3], wd = s[4], stepSize = s[5], bc2Sqrt = s[6];
  // Multiplying by 1 (no decoupled decay) and by -1 (maximize) is exact: same bits as skipping the op.
  const T decay = decoupled && wd != 0 ? static_cast<T>(1 - lr * wd) : T(1), sign = maximize ? T(-1) : T(1);
  const T wdT = static_cast<T>(wd), w = static_cast<T>(1 - b1), w1 = static_cast<T>(1 - (1 - b1)),
          b2T = static_cast<T>(b2), c2 = static_cast<T>(1 - b2), bc2 = static_cast<T>(bc2Sqrt),
          epsT = static_cast<T>(eps), neg = static_cast<T>(-stepSize);
  // Outputs alias inputs only element for element, never across elements: safe to vectorize.
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const T p0 = p[i], m0 = m[i], v0 = v[i];
    T gg = g[i] * sign;
    if (COUPLED) gg = gg + p0 * wdT;
    const T ea = NEAR ? m0 + (gg - m0) * w : gg - (gg - m0) * w1;
    const T es = v0 * b2T + (gg * c2) * gg;
    T vv = es;
    if (AMS) {
      const T a = maxv[i];
      vv = (a != a || es != es) ? static_cast<T>(NAN) : (a > es ? a : es);
      maxo[i] = vv;
    }
    const T denom = std::sqrt(vv) / bc2 + epsT;
    po[i] = p0 * decay + (ea * neg) / denom;
    mo[i] = ea;
    vo[i] = es;
  }
}

template <typename T>
static void adamT(const T* p, const T* g, const T* m, const T* v, const T* maxv, T* po, T* mo, T* vo, T* maxo,
                  size_t n, const double* s, bool decoupled, bool maximize) {
  const bool coupled = !decoupled && s[4] != 0, near = std::fabs(1 - s[1]) < 0.5, ams = maxv != nullptr;
  auto run = [&](auto AMS, auto COUPLED, auto NEAR) {
    adamLoop<T, decltype(AMS)::value, decltype(COUPLED)::value, decltype(NEAR)::value>(p, g, m, v, maxv, po, mo, vo,
                                                                                      maxo, n, s, decoupled, maximize);
  };
  using Y = std::true_type;
  using N = std::false_type;
  if (ams) {
    if (coupled) near ? run(Y{}, Y{}, Y{}) : run(Y{}, Y{}, N{});
    else near ? run(Y{}, N{}, Y{}) : run(Y{}, N{}, N{});
  } else {
    if (coupled) near ? run(N{}, Y{}, Y{}) : run(N{}, Y{}, N{});
    else near ? run(N{}, N{}, Y{}) : run(N{}, N{}, N{});
  }
}

// adam(p, g, m, v, maxV | null, pOut, mOut, vOut, maxOut | null, scalars Float64Array[7], decoupled, maximize)
// scalars: lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt.
static Napi::Value Adam(const Napi::CallbackInfo& info) {
  View p = view(info[0]), g = view(info[1]), m = view(info[2]), v = view(info[3]), mx = view(info[4]);
  View po = view(info[5]), mo = view(info[6]), vo = view(info[7]), mxo = view(info[8]), sc = view(info[9]);
  const bool decoupled = info[10].ToBoolean(), maximize = info[11].ToBoolean();
  const bool ams = mx.kind != Kind::Other;
  const size_t n = p.length;
  bool ok = sc.kind == Kind::F64 && sc.length >= 7 && (p.kind == Kind::F32 || p.kind == Kind::F64);
  for (const View* x : {&g, &m, &v, &po, &mo, &vo}) ok = ok && x->kind == p.kind && x->length == n;
  if (ams) ok = ok && mx.kind == p.kind && mx.length == n && mxo.kind == p.kind && mxo.length == n;
  if (!ok) {
    fail(info, "adam: operands must be same-length arrays of one float type");
    return info.Env().Undefined();
  }
  if (p.kind == Kind::F32)
    adamT(ptr<float>(p), ptr<float>(g), ptr<float>(m), ptr<float>(v), ams ? ptr<float>(mx) : nullptr, ptr<float>(po),
          ptr<float>(mo), ptr<float>(vo), ams ? ptr<float>(mxo) : nullptr, n, ptr<double>(sc), decoupled, maximize);
  else
    adamT(ptr<double>(p), ptr<double>(g), ptr<double>(m), ptr<double>(v), ams ? ptr<double>(mx) : nullptr,
          ptr<double>(po), ptr<double>(mo), ptr<double>(vo), ams ? ptr<double>(mxo) : nullptr, n, ptr<double>(sc),
          decoupled, maximize);
  return info.Env().Undefined();
}

// SGD with optional momentum, dampening, Nesterov and coupled weight decay, in the order of
// torch-rules.ts's sgdRule. FIRST: no momentum buffer yet, the buffer becomes the gradient itself.
template <typename T, bool WD, bool MOM, bool FIRST, bool NESTEROV>
static void sgdLoop(const T* p, const T* g, const T* buf, T* po, T* bufo, size_t n, const double* s, bool maximize) {
  const T lr = static_cast<T>(-s[0]), mom = static_cast<T>(s[1]), damp = static_cast<T>(1 - s[2]),
          wd = static_cast<T>(s[3]), sign = maximize ? T(-1) : T(1);
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const T p0 = p[i];
    T gg = g[i] * sign;
    if (WD) gg = gg + p0 * wd;
    if (MOM) {
      const T b = FIRST ? gg : buf[i] * mom + gg * damp;
      bufo[i] = b;
      gg = NESTEROV ? gg + b * mom : b;
    }
    po[i] = p0 + gg * lr;
  }
}

template <typename T>
static void sgdT(const T* p, const T* g, const T* buf, T* po, T* bufo, size_t n, const double* s, bool maximize,
                 bool nesterov) {
  const bool wd = s[3] != 0, mom = s[1] != 0, first = buf == nullptr;
  auto run = [&](auto WD, auto MOM, auto FIRST, auto NEST) {
    sgdLoop<T, decltype(WD)::value, decltype(MOM)::value, decltype(FIRST)::value, decltype(NEST)::value>(
        p, g, buf, po, bufo, n, s, maximize);
  };
  using Y = std::true_type;
  using N = std::false_type;
  auto byNesterov = [&](auto WD, auto FIRST) { nesterov ? run(WD, Y{}, FIRST, Y{}) : run(WD, Y{}, FIRST, N{}); };
  if (!mom) wd ? run(Y{}, N{}, N{}, N{}) : run(N{}, N{}, N{}, N{});
  else if (wd) first ? byNesterov(Y{}, Y{}) : byNesterov(Y{}, N{});
  else first ? byNesterov(N{}, Y{}) : byNesterov(N{}, N{});
}

// sgd(p, g, buf | null, pOut, bufOut | null, scalars Float64Array[4], maximize, nesterov)
// scalars: lr, momentum, dampening, weightDecay. Outputs may be the inputs (in place).
static Napi::Value Sgd(const Napi::CallbackInfo& info) {
  View p = view(info[0]), g = view(info[1]), b = view(info[2]), po = view(info[3]), bo = view(info[4]),
       sc = view(info[5]);
  const bool maximize = info[6].ToBoolean(), nesterov = info[7].ToBoolean();
  const size_t n = p.length;
  const bool hasBuf = b.kind != Kind::Other, hasOut = bo.kind != Kind::Other;
  bool ok = sc.kind == Kind::F64 && sc.length >= 4 && (p.kind == Kind::F32 || p.kind == Kind::F64);
  for (const View* x : {&g, &po}) ok = ok && x->kind == p.kind && x->length == n;
  if (hasBuf) ok = ok && b.kind == p.kind && b.length == n;
  if (hasOut) ok = ok && bo.kind == p.kind && bo.length == n;
  ok = ok && (ptr<double>(sc)[1] == 0 || hasOut);
  if (!ok) {
    fail(info, "sgd: operands must be same-length arrays of one float type");
    return info.Env().Undefined();
  }
  if (p.kind == Kind::F32)
    sgdT(ptr<float>(p), ptr<float>(g), hasBuf ? ptr<float>(b) : nullptr, ptr<float>(po),
         hasOut ? ptr<float>(bo) : nullptr, n, ptr<double>(sc), maximize, nesterov);
  else
    sgdT(ptr<double>(p), ptr<double>(g), hasBuf ? ptr<double>(b) : nullptr, ptr<double>(po),
         hasOut ? ptr<double>(bo) : nullptr, n, ptr<double>(sc), maximize, nesterov);
  return info.Env().Undefined();
}

void initOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("sgd", Napi::Function::New(env, Sgd));
}

}  // namespace descend
