/**
 * descend: tensors, reverse-mode autodiff of any order, and PyTorch-exact numerics for TypeScript.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import './tensor/methods.js';
export { Tensor, type NestedArray, type RemovableHandle, type TensorJSON } from './tensor/tensor.js';
export { tensorFromJSON, isTensorJSON } from './tensor/serialize.js';
export { type DType, type TypedArray, getDefaultDtype, setDefaultDtype, isFloat } from './tensor/dtype.js';
export { broadcastShapes, type Shape } from './tensor/shape.js';
export * from './tensor/creation.js';
export { Generator, manualSeed, defaultGenerator } from './tensor/random.js';
export * from './errors.js';

export * from './ops/primitives/elementwise.js';
export { sum, amax, amin, argmax, argmin } from './ops/primitives/reduce.js';
export { reshape, permute, expand, cat, narrow } from './ops/primitives/shape.js';
export { gather, scatterAdd } from './ops/primitives/indexing.js';
export { solve, eigh, eigvalsh } from './ops/primitives/linalg.js';
export * from './ops/primitives/sort.js';
export * from './ops/composite/math.js';
export * from './ops/composite/reduce.js';
export * from './ops/composite/shape.js';
export * from './ops/composite/indexing.js';
export * from './ops/composite/linalg.js';
export * from './ops/composite/softmax.js';
export * from './ops/composite/losses.js';
export * from './ops/composite/nn.js';
export * from './ops/composite/sampling.js';
export { hasNonFinite } from './ops/inspect.js';
export type { TensorLike } from './ops/core.js';

export { autogradGrad, type AutogradGradOptions } from './ops/autograd.js';
export type { BackwardOptions } from './autograd/backward.js';
export {
  noGrad,
  enableGrad,
  isGradEnabled,
  setGradEnabled,
  detectAnomaly,
  setDetectAnomaly,
  isAnomalyEnabled,
} from './autograd/mode.js';
export type { GradHook } from './autograd/node.js';
export {
  grad,
  valueAndGrad,
  valueAndGradWithAux,
  vjp,
  stopGradient,
  customVjp,
  type GradOptions,
  type CustomVjpContext,
} from './autograd/transforms.js';
export {
  definePrimitive,
  type PrimitiveSpec,
  type VjpContext,
  type Primitive,
} from './autograd/primitive.js';
export {
  gradcheck,
  gradgradcheck,
  type GradcheckOptions,
  type GradcheckFn,
} from './diagnostics/gradcheck.js';
export { type Tree, treeLeaves, treeMap, ravel } from './tree.js';

export type {
  Backend,
  Storage,
  UnaryOp,
  BinaryOp,
  ReduceOp,
  ActivationGradOp,
  Window2d,
  WindowKernels,
  ConvKernels,
  PoolKernels,
  LinalgKernels,
  ActivationKernels,
  SoftmaxKernels,
  OptimKernels,
  AdamStepArgs,
  AdamStepResult,
  SgdStepArgs,
} from './backends/backend.js';
export { kernelsOf, composedKernels, type Kernels } from './backends/kernels.js';
export { UNARY_OPS, ELEMENTWISE_BINARY_OPS, ACTIVATION_GRAD_OPS, REDUCE_OPS } from './backends/op-codes.js';
export { JsBackend } from './backends/js/index.js';
export {
  getBackend,
  setBackend,
  withBackend,
  registerBackend,
  listBackends,
  backend,
  backendInfo,
  nativeBackend,
  wasmBackend,
  wasmReady,
} from './backends/registry.js';
export { NativeBackend } from './backends/native/index.js';
export { WasmBackend, type WasmBackendOptions } from './backends/wasm/index.js';
export { WasmKernels, type KernelOptions } from './backends/wasm/kernels.js';
export { jsBackend } from './backends/js/index.js';
export { jvp, jacrev, jacfwd, jacobian, hessian, hvp } from './autograd/jacobian.js';
export { vmap, type VmapOptions, type AxisSpec } from './autograd/vmap.js';
