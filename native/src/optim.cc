// Fused optimizer updates: one pass over the parameter instead of a dozen elementwise ops. Each
// operation is evaluated in the tensor's type, in the order of optim/torch-rules.ts, with the scalars
// rounded to that type first, as the composed ops do, so the results are bit for bit the same
// (-ffp-contract=off keeps the compiler from fusing a*b+c into an FMA).
#include "common.h"
#include <cmath>

namespace descend {

template <typename T>
static void adamT(const T* __restrict p, const T* __restrict g, const T* __restrict m, const T* __restrict v,
                  const T* __restrict maxv, T* __restrict po, T* __restrict mo, T* __restrict vo,
                  T* __restrict maxo, size_t n, const double* s, bool decoupled, bool maximize) {
  const double lr = s[0], b1 = s[1], b2 = s[2], eps = s[3], wd = s[4], stepSize = s[5], bc2Sqrt = s[6];
  const T decay = static_cast<T>(1 - lr * wd), wdT = static_cast<T>(wd), w = static_cast<T>(1 - b1),
          w1 = static_cast<T>(1 - (1 - b1)), b2T = static_cast<T>(b2), c2 = static_cast<T>(1 - b2),
          bc2 = static_cast<T>(bc2Sqrt), epsT = static_cast<T>(eps), neg = static_cast<T>(-stepSize);
  const bool lerpNear = std::fabs(1 - b1) < 0.5;
  for (size_t i = 0; i < n; i++) {
    const T p0 = p[i];
    const T pp = decoupled && wd != 0 ? p0 * decay : p0;
    T gg = maximize ? -g[i] : g[i];
    if (!decoupled && wd != 0) gg = gg + p0 * wdT;
    const T ea = lerpNear ? m[i] + (gg - m[i]) * w : gg - (gg - m[i]) * w1;
    const T es = v[i] * b2T + (gg * c2) * gg;
    T vv = es;
    if (maxv) {
      const T a = maxv[i];
      vv = (a != a || es != es) ? static_cast<T>(NAN) : (a > es ? a : es);
      maxo[i] = vv;
    }
    const T denom = std::sqrt(vv) / bc2 + epsT;
    po[i] = pp + (ea * neg) / denom;
    mo[i] = ea;
    vo[i] = es;
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

void initOptim(Napi::Env env, Napi::Object exports) { exports.Set("adam", Napi::Function::New(env, Adam)); }

}  // namespace descend
