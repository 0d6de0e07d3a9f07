// Matrix products through OpenBLAS's cblas: batched, with optional transposes so that matmul's VJPs need
// no transpose copies.
#include "common.h"
#include "gemm.h"
#include "pool.h"
#include <mutex>
#include <type_traits>
#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>
#include <cblas.h>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

extern "C" {
// OpenBLAS extensions (declared by its cblas.h on most systems; repeated here for the others).
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace descend {

#if defined(__AVX2__) && defined(__FMA__)
// Products with a short inner dimension and long rows (a convolution's per-image GEMMs over 28x28
// outputs with 25 taps or 6 channels) run far below OpenBLAS's peak, which is tuned for large blocks. This
// register-blocked micro-kernel keeps an MR x 16 block of C in 2*MR AVX2 registers and streams one row
// of B per step of the inner dimension. float32, B not transposed; op(A)(i, p) is A[i*k + p], or A[p*m + i]
// when A is transposed.
template <int MR>
static inline void microKernel(const float* A, const float* B, float* C, int64_t m, int64_t n, int64_t k,
                               bool ta, int64_t i0, int64_t j0) {
  __m256 acc[MR][2];
  for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (int64_t p = 0; p < k; p++) {
    const __m256 b0 = _mm256_loadu_ps(B + p * n + j0), b1 = _mm256_loadu_ps(B + p * n + j0 + 8);
    for (int r = 0; r < MR; r++) {
      const __m256 a = _mm256_set1_ps(ta ? A[p * m + i0 + r] : A[(i0 + r) * k + p]);
      acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
    }
  }
  for (int r = 0; r < MR; r++) {
    _mm256_storeu_ps(C + (i0 + r) * n + j0, acc[r][0]);
    _mm256_storeu_ps(C + (i0 + r) * n + j0 + 8, acc[r][1]);
  }
}

// Where it can be faster than OpenBLAS: a short inner dimension and long rows (the autotune decides).
static bool smallGemmFits(int64_t, int64_t n, int64_t k, bool tb) { return !tb && k <= 32 && n >= 256; }

static bool smallGemm(const float* A, const float* B, float* C, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  if (!smallGemmFits(m, n, k, tb)) return false;
  const int64_t n16 = n - n % 16;
  for (int64_t i0 = 0; i0 < m; i0 += 6) {
    const int64_t rows = m - i0 < 6 ? m - i0 : 6;
    for (int64_t j0 = 0; j0 < n16; j0 += 16) {
      switch (rows) {
        case 6: microKernel<6>(A, B, C, m, n, k, ta, i0, j0); break;
        case 5: microKernel<5>(A, B, C, m, n, k, ta, i0, j0); break;
        case 4: microKernel<4>(A, B, C, m, n, k, ta, i0, j0); break;
        case 3: microKernel<3>(A, B, C, m, n, k, ta, i0, j0); break;
        case 2: microKernel<2>(A, B, C, m, n, k, ta, i0, j0); break;
        default: microKernel<1>(A, B, C, m, n, k, ta, i0, j0);
      }
    }
    // The last n % 16 columns.
    for (int64_t i = i0; i < i0 + rows; i++)
      for (int64_t j = n16; j < n; j++) {
        float s = 0;
        for (int64_t p = 0; p < k; p++) s += (ta ? A[p * m + i] : A[i * k + p]) * B[p * n + j];
        C[i * n + j] = s;
      }
  }
  return true;
}

static inline float hsum(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

// C (+)= A B^T for a small C and a long inner dimension (a convolution's weight gradient per image:
// [6 x 784] times [784 x 25]): MR x NR dot products at once, 8 lanes each, summed across lanes at the
// end. OpenBLAS packs both operands for a product this small and ran at a quarter of its peak.
template <int MR, int NR>
static inline void dotKernel(const float* A, const float* B, float* C, int64_t n, int64_t k, int64_t i0,
                             int64_t j0, bool accumulate) {
  __m256 acc[MR][NR];
  for (int r = 0; r < MR; r++)
    for (int c = 0; c < NR; c++) acc[r][c] = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 b[NR];
    for (int c = 0; c < NR; c++) b[c] = _mm256_loadu_ps(B + (j0 + c) * k + p);
    for (int r = 0; r < MR; r++) {
      const __m256 a = _mm256_loadu_ps(A + (i0 + r) * k + p);
      for (int c = 0; c < NR; c++) acc[r][c] = _mm256_fmadd_ps(a, b[c], acc[r][c]);
    }
  }
  for (int r = 0; r < MR; r++)
    for (int c = 0; c < NR; c++) {
      float t = hsum(acc[r][c]);
      for (int64_t q = p; q < k; q++) t += A[(i0 + r) * k + q] * B[(j0 + c) * k + q];
      float& out = C[(i0 + r) * n + j0 + c];
      out = accumulate ? out + t : t;
    }
}

template <int MR>
static inline void dotRow(const float* A, const float* B, float* C, int64_t n, int64_t k, int64_t i0, bool acc) {
  int64_t j0 = 0;
  for (; j0 + 4 <= n; j0 += 4) dotKernel<MR, 4>(A, B, C, n, k, i0, j0, acc);
  for (; j0 < n; j0++) dotKernel<MR, 1>(A, B, C, n, k, i0, j0, acc);
}

// Where it can be faster than OpenBLAS: A B^T, at most 32 x 256 results, inner dimension >= 256 (LeNet's
// first layer on the AVX2 machine: 350 us a batch instead of 1,050; the autotune decides per machine).
static bool dotGemmFits(int64_t m, int64_t n, int64_t k, bool ta, bool tb, float beta) {
  return !ta && tb && m <= 32 && n <= 256 && k >= 256 && (beta == 0 || beta == 1);
}

static bool dotGemm(const float* A, const float* B, float* C, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
                    float beta) {
  if (!dotGemmFits(m, n, k, ta, tb, beta)) return false;
  int64_t i0 = 0;
  for (; i0 + 3 <= m; i0 += 3) dotRow<3>(A, B, C, n, k, i0, beta == 1);
  for (; i0 < m; i0++) dotRow<1>(A, B, C, n, k, i0, beta == 1);
  return true;
}
#else
static bool smallGemmFits(int64_t, int64_t, int64_t, bool) { return false; }
static bool dotGemmFits(int64_t, int64_t, int64_t, bool, bool, float) { return false; }
static bool smallGemm(const float*, const float*, float*, int64_t, int64_t, int64_t, bool, bool) { return false; }
static bool dotGemm(const float*, const float*, float*, int64_t, int64_t, int64_t, bool, bool, float) { return false; }
#endif

inline void blas(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, A, lda,
              B, ldb, beta, C, ldc);
}

inline void blas(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* A, int64_t lda, const double* B,
                 int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0, A, lda, B,
              ldb, beta, C, ldc);
}

// ---- Autotune: descend's own kernels against OpenBLAS, decided on this machine ----
// The shape rules above were measured on an AVX2 machine with OpenBLAS's Zen/Haswell kernels; where
// OpenBLAS picks other kernels (AVX-512) the crossover moves. So the first product of each shape class
// that a rule admits times both paths (one untimed run, then the best of 3, on the real operands, into a
// scratch C) and
// remembers the faster for the process. A class is the kernel, the transposes and each of m, n, k
// rounded to a power of two. DESCEND_GEMM_TUNE=own|blas forces a path (tests check both).
enum class Tune { Auto, Own, Blas };
static Tune tuneMode() {
  static const Tune mode = [] {
    const char* e = std::getenv("DESCEND_GEMM_TUNE");
    const std::string v = e ? e : "";
    return v == "own" ? Tune::Own : v == "blas" ? Tune::Blas : Tune::Auto;
  }();
  return mode;
}
static Tune forced = Tune::Auto;  // setGemmTune (tests); overrides the environment when not Auto

struct Decision {
  bool own;
  double ownUs, blasUs;
};
static std::mutex tuneMutex;
static std::map<std::string, Decision> decisions;

static int64_t pow2(int64_t v) {
  int64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

template <typename Own, typename Blas>
static bool chooseOwn(const char* kernel, int64_t m, int64_t n, int64_t k, bool ta, bool tb, float* C, float beta,
                      Own own, Blas blasPath) {
  const Tune t = forced != Tune::Auto ? forced : tuneMode();
  if (t != Tune::Auto) return t == Tune::Own;
  const std::string key = std::string(kernel) + (ta ? " A^T" : "") + (tb ? " B^T" : "") + " m~" +
                          std::to_string(pow2(m)) + " n~" + std::to_string(pow2(n)) + " k~" + std::to_string(pow2(k));
  {
    std::lock_guard<std::mutex> lock(tuneMutex);
    auto it = decisions.find(key);
    if (it != decisions.end()) return it->second.own;
  }
  // Time both into a scratch copy of C (beta may be 1: C must not accumulate twice).
  std::vector<float> scratch(C, C + m * n);
  auto best = [&](auto&& run) {
    double b = 1e300;
    for (int r = -1; r < 3; r++) {  // r = -1: untimed (OpenBLAS allocates its buffers on a first call)
      if (beta != 0) std::copy(C, C + m * n, scratch.data());
      const auto t0 = std::chrono::steady_clock::now();
      run(scratch.data());
      const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      if (r >= 0) b = std::min(b, us);
    }
    return b;
  };
  const double ownUs = best(own), blasUs = best(blasPath);
  const Decision d{ownUs < blasUs, ownUs, blasUs};
  std::lock_guard<std::mutex> lock(tuneMutex);
  decisions.emplace(key, d);
  return d.own;
}

// Products of at least this many multiply-adds are split across the pool's threads (by rows of C, or
// by columns when C is wide); smaller ones cost more to hand over than they take.
constexpr int64_t kSplitWork = int64_t(1) << 20;

template <typename T>
static void gemmT(const T* A, const T* B, T* C, int64_t m, int64_t n, int64_t k, bool ta, bool tb, T beta) {
  if (k == 0) {
    // BLAS leaves C untouched when k = 0 (so alpha * 0 is never added): zero it unless accumulating.
    if (beta == 0) std::fill(C, C + m * n, T(0));
    return;
  }
  const int64_t lda = ta ? m : k, ldb = tb ? k : n;
  const int shares = m * n * k >= kSplitWork ? poolThreads() : 1;
  if (shares <= 1) {
    if constexpr (std::is_same_v<T, float>) {
      auto viaBlas = [&](float* out) { blas(ta, tb, m, n, k, A, lda, B, ldb, beta, out, n); };
      if (beta == 0 && smallGemmFits(m, n, k, tb) &&
          chooseOwn("smallGemm", m, n, k, ta, tb, C, beta, [&](float* out) { smallGemm(A, B, out, m, n, k, ta, tb); },
                    viaBlas)) {
        smallGemm(A, B, C, m, n, k, ta, tb);
        return;
      }
      if (dotGemmFits(m, n, k, ta, tb, beta) &&
          chooseOwn("dotGemm", m, n, k, ta, tb, C, beta,
                    [&](float* out) { dotGemm(A, B, out, m, n, k, ta, tb, beta); }, viaBlas)) {
        dotGemm(A, B, C, m, n, k, ta, tb, beta);
        return;
      }
    }
    blas(ta, tb, m, n, k, A, lda, B, ldb, beta, C, n);
    return;
  }
  const bool byRows = m >= n;
  parallelFor(shares, [&](int s, int S) {
    int64_t lo, hi;
    shareRange(byRows ? m : n, s, S, lo, hi);
    if (hi <= lo) return;
    if (byRows)
      blas(ta, tb, hi - lo, n, k, ta ? A + lo : A + lo * k, lda, B, ldb, beta, C + lo * n, n);
    else
      blas(ta, tb, m, hi - lo, k, A, lda, tb ? B + lo * k : B + lo, ldb, beta, C + lo, n);
  });
}

void gemm(const float* A, const float* B, float* C, int64_t m, int64_t n, int64_t k, bool ta, bool tb, float beta) {
  gemmT(A, B, C, m, n, k, ta, tb, beta);
}

void gemm(const double* A, const double* B, double* C, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
          double beta) {
  gemmT(A, B, C, m, n, k, ta, tb, beta);
}

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
  for (int t = 0; t < batch; t++) {
    const int64_t co = int64_t(t) * m * n;
    if (a.kind == Kind::F32) gemm(ptr<float>(a) + t * sa, ptr<float>(b) + t * sb, ptr<float>(c) + co, m, n, k, ta, tb, 0.0f);
    else gemm(ptr<double>(a) + t * sa, ptr<double>(b) + t * sb, ptr<double>(c) + co, m, n, k, ta, tb, 0.0);
  }
  return info.Env().Undefined();
}

static Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  setPoolThreads(i32(info, 0));
  return info.Env().Undefined();
}

static Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), poolThreads());
}

static Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("config", Napi::String::New(env, openblas_get_config()));
  o.Set("core", Napi::String::New(env, openblas_get_corename()));
  o.Set("threads", Napi::Number::New(env, poolThreads()));
  // What the CPU has (run time) and what this build's own kernels use (compile time: -march=native).
  std::string cpu;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // The builtin takes string literals only.
#define DESCEND_FEATURE(f) \
  if (__builtin_cpu_supports(f)) cpu += (cpu.empty() ? "" : " ") + std::string(f);
  DESCEND_FEATURE("avx")
  DESCEND_FEATURE("avx2")
  DESCEND_FEATURE("fma")
  DESCEND_FEATURE("avx512f")
  DESCEND_FEATURE("avx512dq")
  DESCEND_FEATURE("avx512bw")
  DESCEND_FEATURE("avx512vl")
  DESCEND_FEATURE("avx512ifma")
#undef DESCEND_FEATURE
#endif
  o.Set("cpuFeatures", Napi::String::New(env, cpu));
#if defined(__AVX2__) && defined(__FMA__)
  o.Set("ownKernels", Napi::String::New(env, "AVX2+FMA"));
#else
  o.Set("ownKernels", Napi::String::New(env, "none (built without AVX2/FMA)"));
#endif
  const Tune t = forced != Tune::Auto ? forced : tuneMode();
  o.Set("tune", Napi::String::New(env, t == Tune::Own ? "own" : t == Tune::Blas ? "blas" : "auto"));
  Napi::Array list = Napi::Array::New(env);
  std::lock_guard<std::mutex> lock(tuneMutex);
  uint32_t i = 0;
  for (const auto& [key, d] : decisions) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("shape", Napi::String::New(env, key));
    e.Set("chosen", Napi::String::New(env, d.own ? "own" : "blas"));
    e.Set("ownUs", Napi::Number::New(env, d.ownUs));
    e.Set("blasUs", Napi::Number::New(env, d.blasUs));
    list.Set(i++, e);
  }
  o.Set("decisions", list);
  return o;
}

// setGemmTune('auto' | 'own' | 'blas'): forces a path (tests), or back to the autotune; clears decisions.
static Napi::Value SetGemmTune(const Napi::CallbackInfo& info) {
  const std::string v = info[0].As<Napi::String>().Utf8Value();
  forced = v == "own" ? Tune::Own : v == "blas" ? Tune::Blas : Tune::Auto;
  std::lock_guard<std::mutex> lock(tuneMutex);
  decisions.clear();
  return info.Env().Undefined();
}

void initGemm(Napi::Env env, Napi::Object exports) {
  // As many threads as OpenBLAS would use (OPENBLAS_NUM_THREADS, or the cores) until setThreads says
  // otherwise; OpenBLAS itself runs on one thread inside each share (see pool.h). Once per process: every
  // worker thread that loads the addon runs this, and OpenBLAS reports 1 after the first.
  static std::once_flag once;
  std::call_once(once, [] {
    setPoolThreads(openblas_get_num_threads());
    openblas_set_num_threads(1);
  });
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("blasInfo", Napi::Function::New(env, BlasInfo));
  exports.Set("setGemmTune", Napi::Function::New(env, SetGemmTune));
}

}  // namespace descend
