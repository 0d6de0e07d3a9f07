import { ELEMENTWISE_BINARY_OPS, REDUCE_OPS, UNARY_OPS, WASM_COVERS } from '../op-codes.js';

// The kernels' op codes are the shared table's (src/backends/op-codes.ts): wasm/src/elementwise.ts and
// reduce.ts switch on them and implement the leading codes WASM_COVERS counts (test/kernels.test.ts runs
// every one against the JS backend, so a mismatch fails there).
const codes = (names: readonly string[], covered: number) =>
  new Map(names.slice(0, covered).map((n, i) => [n, i]));
/** float64 keeps the JS backend's Math calls for exp/tanh/sigmoid; float32 has float-lane polynomials. */
export const UNARY_CODE_F64: ReadonlyMap<string, number> = codes(UNARY_OPS, WASM_COVERS.unaryF64);
export const UNARY_CODE_F32: ReadonlyMap<string, number> = codes(UNARY_OPS, WASM_COVERS.unaryF32);
export const BINARY_CODE: ReadonlyMap<string, number> = codes(ELEMENTWISE_BINARY_OPS, WASM_COVERS.binary);
export const REDUCE_CODE: ReadonlyMap<string, number> = codes(REDUCE_OPS, WASM_COVERS.reduce);

/** Job kinds, as wasm/src/index.ts's run() reads them (float64 is the float32 kind + 1 where both exist). */
export const JOB = {
  gemm: 1,
  unary: 2,
  binary: 4,
  reduce: 6,
  adam: 8,
  sgd: 10,
  im2col: 12,
  col2im: 14,
  argReduce: 16,
  gather: 18,
  scatterAdd: 20,
  poolArgmax: 22,
} as const;
