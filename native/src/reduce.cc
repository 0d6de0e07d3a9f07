// Reductions over any set of axes: the input is walked row by row and every element is folded into the
// accumulator its output position selects (output strides are 0 on reduced dims). Accumulation is in
// double whatever the dtype, as in the JS reference backend.
#include "common.h"
#include <cmath>
#include <vector>

namespace descend {

template <typename T>
static void reduceT(int op, const T* x, T* out, size_t outSize, int rank, const int32_t* shape,
                    const int32_t* si, const int32_t* so) {
  const double init = op == 0 ? 0.0 : op == 1 ? 1.0 : op == 2 ? -INFINITY : INFINITY;
  std::vector<double> acc(outSize, init);
  double* a = acc.data();
  const int32_t* strides[2] = {si, so};
  const int64_t ii = rank ? si[rank - 1] : 0, io = rank ? so[rank - 1] : 0;
  forEachRow<2>(rank, shape, strides, [&](int64_t, const int64_t* st, int64_t n) {
    const T* xx = x + st[0];
    double* aa = a + st[1];
    if (op == 0) {
      if (io == 0 && ii == 1 && sizeof(T) == 4) {
        // float32: a vectorized (reassociated) double sum. float64 keeps the reference backend's
        // left-to-right order below, so its results equal the JS backend's bit for bit.
        double s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < n; j++) s += xx[j];
        aa[0] += s;
      } else if (io == 1 && ii == 1) {
        for (int64_t j = 0; j < n; j++) aa[j] += xx[j];
      } else {
        for (int64_t j = 0; j < n; j++) aa[j * io] += xx[j * ii];
      }
    } else if (op == 1) {
      for (int64_t j = 0; j < n; j++) aa[j * io] *= xx[j * ii];
    } else if (op == 2) {
      for (int64_t j = 0; j < n; j++) {
        const double v = xx[j * ii], c = aa[j * io];
        aa[j * io] = (v > c || v != v) ? v : c;
      }
    } else {
      for (int64_t j = 0; j < n; j++) {
        const double v = xx[j * ii], c = aa[j * io];
        aa[j * io] = (v < c || v != v) ? v : c;
      }
    }
  });
  for (size_t i = 0; i < outSize; i++) out[i] = static_cast<T>(a[i]);
}

// reduce(op, x, out, rank, meta); op: 0 sum, 1 prod, 2 max, 3 min; meta holds the input shape, its
// strides, and the output's strides (0 on reduced dims).
static Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int op = i32(info, 0);
  View x = view(info[1]), o = view(info[2]);
  const int rank = i32(info, 3);
  View meta = view(info[4]);
  if (op < 0 || op > 3 || x.kind != o.kind || rank > kMaxRank || meta.kind != Kind::I32 ||
      meta.length < size_t(3 * rank)) {
    fail(info, "reduce: bad op or operands");
    return info.Env().Undefined();
  }
  const int32_t *sh = ptr<int32_t>(meta), *pi = sh + rank, *po = sh + 2 * rank;
  if (x.kind == Kind::F32) reduceT(op, ptr<float>(x), ptr<float>(o), o.length, rank, sh, pi, po);
  else if (x.kind == Kind::F64) reduceT(op, ptr<double>(x), ptr<double>(o), o.length, rank, sh, pi, po);
  else fail(info, "reduce: operands must be float");
  return info.Env().Undefined();
}

void initReduce(Napi::Env env, Napi::Object exports) { exports.Set("reduce", Napi::Function::New(env, Reduce)); }

}  // namespace descend
