// Matrix products through OpenBLAS's cblas: batched, with optional transposes so that matmul's VJPs need
// no transpose copies.
#include "common.h"
#include <cblas.h>

extern "C" {
// OpenBLAS extensions (declared by its cblas.h on most systems; repeated here for the others).
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace descend {

// gemm(a, b, out, batch, m, k, n, transA, transB, batchStrideA, batchStrideB)
// out[t] = op(a[t]) @ op(b[t]), op(a) is [m, k], op(b) is [k, n]; a batch stride of 0 broadcasts.
static Napi::Value Gemm(const Napi::CallbackInfo& info) {
  View a = view(info[0]), b = view(info[1]), c = view(info[2]);
  const int batch = i32(info, 3), m = i32(info, 4), k = i32(info, 5), n = i32(info, 6);
  const bool ta = info[7].ToBoolean(), tb = info[8].ToBoolean();
  const int64_t sa = i32(info, 9), sb = i32(info, 10);
  if (a.kind != b.kind || a.kind != c.kind || (a.kind != Kind::F32 && a.kind != Kind::F64)) {
    fail(info, "gemm: operands must be all Float32Array or all Float64Array");
    return info.Env().Undefined();
  }
  const CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
  const int lda = ta ? m : k, ldb = tb ? k : n;
  for (int t = 0; t < batch; t++) {
    if (k == 0) {
      // BLAS leaves C untouched when k = 0; the product is zeros (outputs arrive zero-filled).
      continue;
    }
    if (a.kind == Kind::F32)
      cblas_sgemm(CblasRowMajor, opA, opB, m, n, k, 1.0f, ptr<float>(a) + t * sa, lda, ptr<float>(b) + t * sb,
                  ldb, 0.0f, ptr<float>(c) + int64_t(t) * m * n, n);
    else
      cblas_dgemm(CblasRowMajor, opA, opB, m, n, k, 1.0, ptr<double>(a) + t * sa, lda, ptr<double>(b) + t * sb,
                  ldb, 0.0, ptr<double>(c) + int64_t(t) * m * n, n);
  }
  return info.Env().Undefined();
}

static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  openblas_set_num_threads(i32(info, 0));
  return info.Env().Undefined();
}

static Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

static Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("config", Napi::String::New(info.Env(), openblas_get_config()));
  o.Set("core", Napi::String::New(info.Env(), openblas_get_corename()));
  o.Set("threads", Napi::Number::New(info.Env(), openblas_get_num_threads()));
  return o;
}

void initGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("blasInfo", Napi::Function::New(env, BlasInfo));
}

}  // namespace descend
