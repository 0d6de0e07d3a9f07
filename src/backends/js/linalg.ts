/** The JS reference loop for dense solves (the eigensolvers are in eigh.ts). */
import { ValueError } from '../../errors.js';

/** Solves A X = B in place of copies (A [n, n], B [n, k], float64) by LU with partial pivoting. */
export function luSolve(A: Float64Array, X: Float64Array, n: number, k: number): Float64Array {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]) > Math.abs(A[piv * n + c])) piv = r;
    if (A[piv * n + c] === 0 || !Number.isFinite(A[piv * n + c])) {
      throw new ValueError('solve', `the matrix is singular (no pivot in column ${c} of a ${n}x${n} matrix)`);
    }
    if (piv !== c) {
      for (let j = 0; j < n; j++) [A[c * n + j], A[piv * n + j]] = [A[piv * n + j], A[c * n + j]];
      for (let j = 0; j < k; j++) [X[c * k + j], X[piv * k + j]] = [X[piv * k + j], X[c * k + j]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c] / A[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) A[r * n + j] -= f * A[c * n + j];
      for (let j = 0; j < k; j++) X[r * k + j] -= f * X[c * k + j];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    for (let j = 0; j < k; j++) {
      let acc = X[c * k + j];
      for (let q = c + 1; q < n; q++) acc -= A[c * n + q] * X[q * k + j];
      X[c * k + j] = acc / A[c * n + c];
    }
  }
  return X;
}
