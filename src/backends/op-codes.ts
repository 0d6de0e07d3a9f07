/**
 * The elementwise and reduction ops by name, and their op codes: an op's code is its index in its table.
 * This is the one list. The JS backend dispatches on the names; the wasm kernels' switch statements use
 * these codes (wasm/src/elementwise.ts and reduce.ts cite this file); the native addon reports the names
 * of its compiled ops and the native backend maps them to its own codes by name at load time.
 */

export const UNARY_OPS = [
  // The wasm kernels cover the first 8 in float64 and the first 11 in float32 (see WASM_COVERS).
  'neg',
  'abs',
  'sqrt',
  /** x <= 0 ? 0 : x (NaN stays NaN). */
  'relu',
  'floor',
  'ceil',
  'round',
  'trunc',
  'exp',
  'tanh',
  'sigmoid',
  'log',
  'rsqrt',
  'sin',
  'cos',
  'tan',
  'atan',
  'asin',
  'acos',
  'sinh',
  'cosh',
  'erf',
  'sign',
  'log1p',
  'expm1',
  'isnan',
  'isinf',
  'isfinite',
  'logicalNot',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/**
 * The binary elementwise kernels' code space. Three entries are activations' fused VJPs, which are not
 * core ops (Backend.binary never receives them) but run on the same compiled loops where a backend
 * offers the `activations` capability.
 */
export const ELEMENTWISE_BINARY_OPS = [
  // The wasm kernels cover the first 9 (see WASM_COVERS).
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  /** g * (1 - y * y): tanh's VJP from its output y (PyTorch's tanh_backward). */
  'tanhBackward',
  /** g * (y * (1 - y)): sigmoid's VJP from its output y (PyTorch's sigmoid_backward). */
  'sigmoidBackward',
  /** y <= 0 ? 0 : g: relu's VJP from its output y (PyTorch's threshold_backward). */
  'reluBackward',
  'pow',
  'atan2',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'logicalAnd',
  'logicalOr',
  'logicalXor',
] as const;
export type ElementwiseBinaryOp = (typeof ELEMENTWISE_BINARY_OPS)[number];

export const ACTIVATION_GRAD_OPS = ['tanhBackward', 'sigmoidBackward', 'reluBackward'] as const;
/** An activation's fused VJP, computed from the gradient g and the activation's output y. */
export type ActivationGradOp = (typeof ACTIVATION_GRAD_OPS)[number];
/** The core binary ops: semantics-free elementwise arithmetic, comparison and logic. */
export type BinaryOp = Exclude<ElementwiseBinaryOp, ActivationGradOp>;

export const REDUCE_OPS = ['sum', 'prod', 'max', 'min'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** How many leading codes of each table the compiled wasm kernels implement. */
export const WASM_COVERS = { unaryF64: 8, unaryF32: 11, binary: 9, reduce: 4 } as const;

/** The code of `op` in `table`, or -1. */
export function opCode(table: readonly string[], op: string): number {
  return table.indexOf(op);
}

export function isActivationGrad(op: string): op is ActivationGradOp {
  return (ACTIVATION_GRAD_OPS as readonly string[]).includes(op);
}
