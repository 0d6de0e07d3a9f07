import type { BinaryOp, ReduceOp, UnaryOp } from '../backend.js';

// The kernels' op codes, by position: the same order as the comments in wasm/src/elementwise.ts and
// reduce.ts (test/kernels.test.ts runs every one against the JS backend, so a mismatch fails there).
const UNARY: readonly UnaryOp[] = ['neg', 'abs', 'sqrt', 'relu', 'floor', 'ceil', 'round', 'trunc'];
/** The float32-only unary ops (float-lane polynomials; float64 keeps the JS backend's Math calls). */
const UNARY_F32_ONLY: readonly UnaryOp[] = ['exp', 'tanh', 'sigmoid'];
const BINARY: readonly BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'tanhBackward',
  'sigmoidBackward',
  'reluBackward',
];
const REDUCE: readonly ReduceOp[] = ['sum', 'prod', 'max', 'min'];

const codes = <T extends string>(names: readonly T[]) => new Map(names.map((n, i) => [n, i]));
export const UNARY_CODE_F64: ReadonlyMap<string, number> = codes(UNARY);
export const UNARY_CODE_F32: ReadonlyMap<string, number> = codes([...UNARY, ...UNARY_F32_ONLY]);
export const BINARY_CODE: ReadonlyMap<string, number> = codes(BINARY);
export const REDUCE_CODE: ReadonlyMap<string, number> = codes(REDUCE);

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
