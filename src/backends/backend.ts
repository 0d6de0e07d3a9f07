import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';

/**
 * The backend interface: memory plus a small core of semantics-free kernels (storage, elementwise by op
 * code, reductions, matmul, gather/scatter, layout, sort/scan), and optional capabilities: fused or
 * convention-bearing kernels (sliding windows, convolution, pooling, linear algebra, activation VJPs,
 * softmax, optimizer steps). Every numeric loop in descend lives behind it. Ops decide semantics; where a
 * backend lacks a capability, ops run its composed version (src/backends/composed/), written with the core
 * kernels, which is the reference the fused kernels are tested against. A new backend (WebGPU) implements
 * the core and passes the suite; each capability it adds is a speed-up, not a requirement. docs/backends.md
 * has the recipe.
 */

/** An opaque block of elements owned by a backend. Ops never look inside. */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
}

import type { ActivationGradOp, BinaryOp, ReduceOp, UnaryOp } from './op-codes.js';
export type { ActivationGradOp, BinaryOp, ReduceOp, UnaryOp } from './op-codes.js';

/**
 * A batched matmul's sizes: a is [batch, m, k] ([batch, k, m] when `transA`), b is [batch, k, n]
 * ([batch, n, k] when `transB`). The flags spare matmul's VJPs and nn.Linear a transpose copy.
 */
export interface MatmulShape {
  batch: number;
  m: number;
  k: number;
  n: number;
  transA?: boolean;
  transB?: boolean;
}

/** Geometry of a 2-D sliding window (im2col / col2im). */
export interface Window2d {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  /** Output spatial size. */
  oh: number;
  ow: number;
}

/**
 * One Adam-family update's scalars, as torch.optim.Adam's single-tensor path uses them: `stepSize` is
 * lr / (1 - beta1^step) and `bc2Sqrt` is sqrt(1 - beta2^step), computed by the caller.
 */
export interface AdamStepArgs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: p *= 1 - lr * weightDecay; otherwise weightDecay * p is added to the gradient. */
  decoupled: boolean;
  maximize: boolean;
  stepSize: number;
  bc2Sqrt: number;
}

export interface AdamStepResult {
  p: Storage;
  m: Storage;
  v: Storage;
  /** AMSGrad's running maximum of v (null without AMSGrad). */
  maxV: Storage | null;
}

/** One SGD update's scalars (torch.optim.SGD's single-tensor path). */
export interface SgdStepArgs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** The core: what every backend implements (19 methods). */
export interface Backend {
  readonly name: string;

  /** Copies `values` into new storage of `dtype` (rounding to the dtype). */
  fromArray(dtype: DType, values: ArrayLike<number>): Storage;
  /** New storage filled with `value`. */
  full(dtype: DType, size: number, value: number): Storage;
  /**
   * The elements as a typed array the caller may keep (a copy), now: the CPU backends. A device backend
   * (WebGPU) throws a typed error naming `Tensor.data()`.
   */
  read(s: Storage): TypedArray;
  /** The elements once the device has them (a device backend's read; absent: `read`). */
  readAsync?(s: Storage): Promise<TypedArray>;
  /** True where `read` throws (WebGPU): the library then reads asynchronously, in batches. */
  readsAsyncOnly?: boolean;
  /** One element, without copying the rest. */
  readOne(s: Storage, index: number): number;
  /**
   * Scopes of the library's own temporaries (src/backends/lifetime.ts): storage made between
   * beginScope and endScope that is not kept is released at endScope, without waiting for the
   * collector. Absent: storage lives until the collector frees it.
   */
  beginScope?(): void;
  endScope?(keep: ReadonlySet<Storage>): void;
  /**
   * A device backend's check that every int32 element is in [0, size) or equals `ignore`, without a
   * read: the first offender (flat position, value) is turned into `error` and thrown by the next read.
   * Absent: the ops check on the host.
   */
  checkIndices?(
    s: Storage,
    size: number,
    ignore: number | undefined,
    error: (position: number, value: number) => Error,
  ): void;
  /** Overwrites `dst` with `src` (same size; src converted to dst's dtype). Used by in-place ops. */
  copyInto(dst: Storage, src: Storage): void;

  cast(s: Storage, to: DType): Storage;
  unary(op: UnaryOp, s: Storage, outDtype: DType): Storage;
  /** Elementwise op with broadcasting: a and b have shapes broadcastable to `out`. */
  binary(
    op: BinaryOp,
    a: Storage,
    aShape: Shape,
    b: Storage,
    bShape: Shape,
    out: Shape,
    outDtype: DType,
  ): Storage;
  /** cond ? a : b with broadcasting; cond is bool. */
  where(
    cond: Storage,
    cShape: Shape,
    a: Storage,
    aShape: Shape,
    b: Storage,
    bShape: Shape,
    out: Shape,
  ): Storage;
  /** Reduces over `axes` (sorted); the result has the keepdim shape (reduced dims of size 1). */
  reduce(op: ReduceOp, s: Storage, shape: Shape, axes: readonly number[]): Storage;
  /** Index (int32) of the first max/min along `axis`; keepdim shape. NaN counts as the max and the min. */
  argReduce(op: 'argmax' | 'argmin', s: Storage, shape: Shape, axis: number): Storage;
  /** Batched matmul, result [batch, m, n] = op(a) @ op(b), row-major (see MatmulShape). */
  matmul(a: Storage, b: Storage, s: MatmulShape): Storage;
  /** out[i...] = s[offset + sum_k i_k * strides[k]] (permute, expand, slicing with steps). */
  strided(s: Storage, outShape: Shape, strides: readonly number[], offset: number): Storage;
  /** The adjoint of `strided`: zeros(baseSize), then out[offset + sum_k i_k * strides[k]] += s[i...]. */
  stridedScatterAdd(
    s: Storage,
    shape: Shape,
    baseSize: number,
    strides: readonly number[],
    offset: number,
  ): Storage;
  /** Concatenates contiguous parts along `axis`; parts share every other dim. */
  concat(parts: readonly Storage[], shapes: readonly Shape[], axis: number, outShape: Shape): Storage;
  /** out[..i..] = s[..idx[..i..]..] along `axis` (torch.gather); idx is int32 of shape `idxShape`. */
  gather(s: Storage, shape: Shape, axis: number, idx: Storage, idxShape: Shape): Storage;
  /** Copy of base with src added at idx along `axis` (torch.scatter_add). */
  scatterAdd(base: Storage, shape: Shape, axis: number, idx: Storage, idxShape: Shape, src: Storage): Storage;
  /**
   * Indices (int32, the input's shape) that sort each lane along `axis`, ascending or descending; stable
   * (ties keep their order); NaN sorts above every number, as in torch.sort.
   */
  argsort(s: Storage, shape: Shape, axis: number, descending: boolean): Storage;
  /** Inclusive prefix sums along `axis`, from the lane's end when `reverse` (cumsum's adjoint). */
  cumsum(s: Storage, shape: Shape, axis: number, reverse: boolean): Storage;

  // Optional capabilities: ops use them when present and the composed path (src/backends/composed/)
  // when absent. Read them through `kernelsOf(backend)` (src/backends/kernels.ts), never directly.
  readonly window?: WindowKernels;
  readonly conv?: ConvKernels;
  readonly pool?: PoolKernels;
  readonly linalg?: LinalgKernels;
  readonly activations?: ActivationKernels;
  readonly softmax?: SoftmaxKernels;
  readonly optim?: OptimKernels;
}

/** Sliding windows: unfold and fold. Composed: a padded copy, then one strided view (and its adjoint). */
export interface WindowKernels {
  /** [n, c, h, w] -> [n, c*kh*kw, oh*ow]; out-of-image taps read `padValue`. */
  im2col(s: Storage, g: Window2d, padValue: number): Storage;
  /** The adjoint of im2col: [n, c*kh*kw, oh*ow] -> [n, c, h, w], summing overlaps, dropping padding. */
  col2im(s: Storage, g: Window2d): Storage;
}

/** Convolution and its two gradients. Composed: unfold + matmul (what the JS backend runs). */
export interface ConvKernels {
  /**
   * Convolution (cross-correlation) of x [n, c, h, w] with w [o, c, kh, kw] over the windows g:
   * y [n, o, oh, ow] = w [o, c*kh*kw] @ im2col(x) per image.
   */
  conv2d(x: Storage, w: Storage, g: Window2d, o: number): Storage;
  /** Its gradient with respect to w: dw [o, c*kh*kw] = sum over images of gy [o, oh*ow] @ im2col(x)^T. */
  conv2dWeightGrad(x: Storage, gy: Storage, g: Window2d, o: number): Storage;
  /** Its gradient with respect to x: dx [n, c, h, w] = col2im(w^T @ gy) per image (a transposed conv). */
  conv2dInputGrad(gy: Storage, w: Storage, g: Window2d, o: number): Storage;
}

/** Max pooling's window choices (PyTorch's tie, NaN and padding rules). Composed: unfold, max, first match. */
export interface PoolKernels {
  /**
   * Max pooling's choices: for each window of an [n, c, h, w] input, the flat index (into its h*w
   * plane) of the first maximum in window order, a NaN winning at once; padding never wins (a window of
   * -Infinity picks its first real element, as torch does). int32 [n, c, oh*ow].
   */
  poolArgmax(s: Storage, g: Window2d): Storage;
}

/** Dense linear algebra on small matrices. Composed: the JS reference kernels on a host copy. */
export interface LinalgKernels {
  /** Solves A X = B for square A [n, n] and B [n, k] (LU with partial pivoting). Throws on a singular A. */
  solve(a: Storage, b: Storage, n: number, k: number): Storage;
  /**
   * Eigendecomposition of a symmetric matrix [n, n] (Householder tridiagonalization + implicit QL):
   * eigenvalues ascending [n] and the matching orthonormal eigenvectors as columns of [n, n].
   */
  eigh(a: Storage, n: number): { values: Storage; vectors: Storage };
  /** Eigenvalues only (ascending) of a symmetric matrix [n, n]; much cheaper than `eigh`. */
  eigvalsh(a: Storage, n: number): Storage;
}

/** Activations' fused VJPs from their outputs (one pass, one rounding). Composed: the core's mul/sub/where. */
export interface ActivationKernels {
  /** `op`(g, y) with broadcasting, as Backend.binary. */
  activationGrad(
    op: ActivationGradOp,
    g: Storage,
    gShape: Shape,
    y: Storage,
    yShape: Shape,
    out: Shape,
    outDtype: DType,
  ): Storage;
}

/** Fused log-softmax. Composed: ops/composite/softmax.ts's max-shifted ops. */
export interface SoftmaxKernels {
  /**
   * Log-softmax over each row of a contiguous [rows, cols] float array, what
   * ops/composite/softmax.ts composes (max subtracted, an infinite max shifting by 0).
   */
  logSoftmax(s: Storage, rows: number, cols: number): Storage;
  /** Log-softmax's VJP g - exp(y) * sum(g) over each row of [rows, cols]. */
  logSoftmaxBackward(g: Storage, y: Storage, rows: number, cols: number): Storage;
}

/** Fused optimizer updates, bit for bit the composed rules in optim/torch/ (sgd.ts, adam.ts). */
export interface OptimKernels {
  /**
   * One Adam(W) update of same-shaped float tensors in one pass, bit for bit what
   * optim/torch/adam.ts's adamRule computes op by op (same order, same rounding). New storages, or
   * with `inPlace` p, m, v and maxV themselves, overwritten.
   */
  adamStep(
    p: Storage,
    g: Storage,
    m: Storage,
    v: Storage,
    maxV: Storage | null,
    a: AdamStepArgs,
    inPlace?: boolean,
  ): AdamStepResult;
  /**
   * One SGD update (momentum, dampening, Nesterov, weight decay), bit for bit
   * optim/torch/sgd.ts's sgdRule. `buf` is the momentum buffer (null before the first step). New
   * storages, or with `inPlace` p and buf themselves (a new buf on the first step).
   */
  sgdStep(
    p: Storage,
    g: Storage,
    buf: Storage | null,
    a: SgdStepArgs,
    inPlace?: boolean,
  ): { p: Storage; buf: Storage | null };
}
