// Index kernels: argmax/argmin along an axis, gather and scatter-add along an axis (torch.gather /
// scatter_add_), with the JS reference backend's semantics (first extreme wins, NaN counts as the max
// and the min, negative indices wrap). Out-of-range indices are reported, not read.
#include "common.h"
#include <vector>

namespace descend {

template <typename T>
static void argT(bool isMax, const T* x, int32_t* out, int64_t outer, int64_t len, int64_t inner) {
  if (inner == 1) {
    // Along the last axis: one row at a time.
    for (int64_t o = 0; o < outer; o++) {
      const T* row = x + o * len;
      T best = row[0];
      int32_t bi = 0;
      if (best == best)
        for (int64_t j = 1; j < len; j++) {
          const T v = row[j];
          if (v != v) {
            bi = static_cast<int32_t>(j);
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            bi = static_cast<int32_t>(j);
          }
        }
      out[o] = bi;
    }
    return;
  }
  // Along an inner axis: sweep whole rows of `inner` values at once (vectorizes). A position keeps its
  // first NaN (NaN counts as the max and the min) and otherwise its first strict extreme.
  std::vector<T> best(static_cast<size_t>(inner));
  for (int64_t o = 0; o < outer; o++) {
    const T* base = x + o * len * inner;
    int32_t* oi = out + o * inner;
    T* bp = best.data();
    for (int64_t i = 0; i < inner; i++) {
      bp[i] = base[i];
      oi[i] = 0;
    }
    for (int64_t j = 1; j < len; j++) {
      const T* row = base + j * inner;
      const int32_t jj = static_cast<int32_t>(j);
      for (int64_t i = 0; i < inner; i++) {
        const T v = row[i], b = bp[i];
        const bool take = (b == b) && (v != v || (isMax ? v > b : v < b));
        bp[i] = take ? v : b;
        oi[i] = take ? jj : oi[i];
      }
    }
  }
}

// argReduce(isMax, x, out Int32Array, outer, len, inner)
static Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  const bool isMax = info[0].ToBoolean();
  View x = view(info[1]), o = view(info[2]);
  const int64_t outer = i32(info, 3), len = i32(info, 4), inner = i32(info, 5);
  if (o.kind != Kind::I32 || int64_t(o.length) != outer * inner || int64_t(x.length) != outer * len * inner) {
    fail(info, "argReduce: bad operands");
    return info.Env().Undefined();
  }
  if (x.kind == Kind::F32) argT(isMax, ptr<float>(x), ptr<int32_t>(o), outer, len, inner);
  else if (x.kind == Kind::F64) argT(isMax, ptr<double>(x), ptr<int32_t>(o), outer, len, inner);
  else fail(info, "argReduce: x must be float");
  return info.Env().Undefined();
}

// Walks idx (shape idxShape) in row-major order; calls body(i, srcPos) where srcPos replaces the
// coordinate along `axis` by idx[i]. Returns -1, or the position in idx of the first index out of range.
template <typename F>
static int64_t walk(const int32_t* idx, size_t n, int rank, const int32_t* idxShape, const int32_t* srcShape,
                    int axis, F&& body) {
  int64_t srcStrides[kMaxRank], counter[kMaxRank] = {0};
  int64_t acc = 1;
  for (int d = rank - 1; d >= 0; d--) {
    srcStrides[d] = acc;
    acc *= srcShape[d];
  }
  const int64_t dimLen = rank ? srcShape[axis] : 1;
  if (rank > 0 && axis == rank - 1) {
    // Along the last axis (max pooling's choices, a loss's targets): a row of idx at a time, its source
    // row found once per row instead of an odometer step per element.
    const int64_t len = idxShape[rank - 1];
    if (len == 0) return -1;
    size_t i = 0;
    int64_t base = 0;
    while (i < n) {
      for (int64_t j = 0; j < len; j++, i++) {
        int64_t k = idx[i];
        if (k < -dimLen || k >= dimLen) return static_cast<int64_t>(i);
        if (k < 0) k += dimLen;
        body(i, base + k);
      }
      for (int d = rank - 2; d >= 0; d--) {
        base += srcStrides[d];
        if (++counter[d] < idxShape[d]) break;
        base -= srcStrides[d] * idxShape[d];
        counter[d] = 0;
      }
    }
    return -1;
  }
  int64_t rest = 0;  // sum over d != axis of counter[d] * srcStrides[d]
  for (size_t i = 0; i < n; i++) {
    int64_t j = idx[i];
    if (j < -dimLen || j >= dimLen) return static_cast<int64_t>(i);
    if (j < 0) j += dimLen;
    body(i, rest + j * (rank ? srcStrides[axis] : 0));
    for (int d = rank - 1; d >= 0; d--) {
      if (d != axis) rest += srcStrides[d];
      if (++counter[d] < idxShape[d]) break;
      if (d != axis) rest -= srcStrides[d] * idxShape[d];
      counter[d] = 0;
    }
  }
  return -1;
}

// gather(x, idx, out, rank, meta, axis) / scatterAdd(out (a copy of base), idx, src, rank, meta, axis):
// meta holds idx's shape, then the source's (gather) or base's (scatterAdd) shape.
template <bool Scatter>
static Napi::Value Index(const Napi::CallbackInfo& info) {
  View a = view(info[0]), idx = view(info[1]), b = view(info[2]), meta = view(info[4]);
  const int rank = i32(info, 3), axis = i32(info, 5);
  if (idx.kind != Kind::I32 || a.kind != b.kind || rank > kMaxRank || meta.kind != Kind::I32 ||
      meta.length < size_t(2 * rank) || b.length != (Scatter ? idx.length : idx.length) ||
      (a.kind != Kind::F32 && a.kind != Kind::F64)) {
    fail(info, "gather/scatterAdd: bad operands");
    return info.Env().Undefined();
  }
  const int32_t *idxShape = ptr<int32_t>(meta), *srcShape = idxShape + rank;
  int64_t bad;
  if (a.kind == Kind::F32) {
    float *pa = ptr<float>(a), *pb = ptr<float>(b);
    bad = Scatter ? walk(ptr<int32_t>(idx), idx.length, rank, idxShape, srcShape, axis,
                         [&](size_t i, int64_t p) { pa[p] += pb[i]; })
                  : walk(ptr<int32_t>(idx), idx.length, rank, idxShape, srcShape, axis,
                         [&](size_t i, int64_t p) { pb[i] = pa[p]; });
  } else {
    double *pa = ptr<double>(a), *pb = ptr<double>(b);
    bad = Scatter ? walk(ptr<int32_t>(idx), idx.length, rank, idxShape, srcShape, axis,
                         [&](size_t i, int64_t p) { pa[p] += pb[i]; })
                  : walk(ptr<int32_t>(idx), idx.length, rank, idxShape, srcShape, axis,
                         [&](size_t i, int64_t p) { pb[i] = pa[p]; });
  }
  return Napi::Number::New(info.Env(), static_cast<double>(bad));
}

void initIndexing(Napi::Env env, Napi::Object exports) {
  exports.Set("argReduce", Napi::Function::New(env, ArgReduce));
  exports.Set("gather", Napi::Function::New(env, Index<false>));
  exports.Set("scatterAdd", Napi::Function::New(env, Index<true>));
}

}  // namespace descend
