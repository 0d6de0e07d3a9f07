// One row-major product C = op(A) @ op(B) + beta * C on contiguous operands (op(A) is [m, k], op(B) is
// [k, n]), through OpenBLAS or, where it is faster, the AVX2 micro-kernel in gemm.cc.
#pragma once
#include <cstdint>

namespace descend {

void gemm(const float* A, const float* B, float* C, int64_t m, int64_t n, int64_t k, bool ta, bool tb, float beta);
void gemm(const double* A, const double* B, double* C, int64_t m, int64_t n, int64_t k, bool ta, bool tb,
          double beta);

}  // namespace descend
