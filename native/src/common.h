// Shared helpers for the descend native backend: typed-array access without copying, and the strided
// walk that broadcasting, reductions and layout kernels share.
#pragma once
#include <napi.h>
#include <cstdint>
#include <cstddef>

namespace descend {

enum class Kind { F32, F64, I32, U8, Other };

struct View {
  void* data = nullptr;
  size_t length = 0;
  Kind kind = Kind::Other;
};

inline View view(const Napi::Value& v) {
  View out;
  if (!v.IsTypedArray()) return out;
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  Napi::ArrayBuffer buf = t.ArrayBuffer();
  out.data = static_cast<uint8_t*>(buf.Data()) + t.ByteOffset();
  out.length = t.ElementLength();
  switch (t.TypedArrayType()) {
    case napi_float32_array: out.kind = Kind::F32; break;
    case napi_float64_array: out.kind = Kind::F64; break;
    case napi_int32_array: out.kind = Kind::I32; break;
    case napi_uint8_array: out.kind = Kind::U8; break;
    default: out.kind = Kind::Other;
  }
  return out;
}

template <typename T>
inline T* ptr(const View& v) { return static_cast<T*>(v.data); }

inline int32_t i32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
inline double f64(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().DoubleValue(); }

inline void fail(const Napi::CallbackInfo& info, const char* what) {
  Napi::TypeError::New(info.Env(), what).ThrowAsJavaScriptException();
}

constexpr int kMaxRank = 16;

// Walks every row (innermost dim) of `shape` in row-major order and calls body(outStart, starts, n),
// where starts[j] is the offset of operand j at the row's first element.
template <int K, typename F>
inline void forEachRow(int rank, const int32_t* shape, const int32_t* const* strides, F&& body) {
  int64_t starts[K] = {0};
  if (rank == 0) {
    body(int64_t(0), starts, int64_t(1));
    return;
  }
  const int64_t n = shape[rank - 1];
  int64_t rows = 1;
  for (int i = 0; i < rank - 1; i++) rows *= shape[i];
  if (n == 0 || rows == 0) return;
  int64_t counter[kMaxRank] = {0};
  for (int64_t r = 0; r < rows; r++) {
    body(r * n, starts, n);
    for (int d = rank - 2; d >= 0; d--) {
      counter[d]++;
      for (int j = 0; j < K; j++) starts[j] += strides[j][d];
      if (counter[d] < shape[d]) break;
      for (int j = 0; j < K; j++) starts[j] -= int64_t(strides[j][d]) * shape[d];
      counter[d] = 0;
    }
  }
}

void initGemm(Napi::Env env, Napi::Object exports);
void initElementwise(Napi::Env env, Napi::Object exports);
void initReduce(Napi::Env env, Napi::Object exports);
void initLayout(Napi::Env env, Napi::Object exports);
void initOptim(Napi::Env env, Napi::Object exports);
void initIndexing(Napi::Env env, Napi::Object exports);
void initConv(Napi::Env env, Napi::Object exports);
void initSoftmax(Napi::Env env, Napi::Object exports);

}  // namespace descend
