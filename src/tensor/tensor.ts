import type { Backend, Storage } from '../backends/backend.js';
import { AutogradError, BatchingError, DTypeError, ValueError } from '../errors.js';
import type { GradHook, LeafNode, OpNode } from '../autograd/node.js';
import { type DType, type TypedArray, checkDtype, isFloat } from './dtype.js';
import { fmtShape, type Shape, sizeOf } from './shape.js';
import * as F from '../ops/index.js';
import type { IndexSpec } from '../ops/composite/indexing.js';
import type { BackwardOptions } from '../autograd/backward.js';
import { formatTensor } from './format.js';
import type { TensorLike as TL } from '../ops/core.js';

/** Nested arrays of numbers (or booleans), as `toArray` returns and `tensor` accepts. */
export type NestedArray<T = number> = T | NestedArray<T>[];

/** The JSON form of a tensor (see `Tensor.toJSON`). */
export interface TensorJSON {
  dtype: DType;
  shape: number[];
  data: (number | 'NaN' | 'Infinity' | '-Infinity')[];
}

/** A handle that removes a registered hook. */
export interface RemovableHandle {
  remove(): void;
}

/**
 * An n-dimensional array with a dtype, stored row-major (always contiguous) on a backend, that can
 * record the operations applied to it for reverse-mode autodiff.
 *
 * Methods mirror PyTorch's (camelCased); each calls the functional op of the same name.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * x.grad!.toArray(); // [[2, 4], [6, 8]]
 */
export class Tensor {
  /** @internal backend-owned elements; never read directly outside backends. */
  _storage: Storage;
  /** Dimensions, outermost first. `[]` is a scalar. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal version counter shared by tensors that share storage (bumped by in-place ops). */
  readonly _version: { value: number };
  /** @internal true for tensors that share storage with another (reshape/view/detach). */
  readonly _isView: boolean;
  /** @internal true for a slice result: a copy, so an in-place write would not reach the source. */
  _isSliceCopy = false;
  /** @internal the op node that produced this tensor (its grad_fn). */
  _node: OpNode | null = null;
  /** @internal the leaf node, created when a leaf that requires grad first enters a graph. */
  _leaf: LeafNode | null = null;
  private _requiresGradLeaf = false;
  /**
   * @internal vmap (src/autograd/batched.ts): the level of the vmap this tensor is batched at (0: not
   * batched). A batched tensor shows its per-example (logical) shape; `_physical` holds the values with
   * the batch dim at `_bdim`. Its storage cannot be read directly: ops reach it through batching rules.
   */
  _batchLevel = 0;
  /** @internal see `_batchLevel`. */
  _physical: Tensor | null = null;
  /** @internal see `_batchLevel`. */
  _bdim = 0;
  /** @internal forward mode (src/autograd/forward.ts): this tensor's tangent at each active jvp level. */
  _tangents: Map<number, Tensor> | null = null;
  /** The accumulated gradient, filled by `backward()` on leaves that require grad (and retained tensors). */
  grad: Tensor | null = null;

  /** @internal use `tensor()`, `zeros()`, ... to make tensors. */
  constructor(storage: Storage, shape: Shape, version?: { value: number }) {
    this._storage = storage;
    // Shapes handed on from other tensors are already frozen: no copy then (this runs for every op).
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.dtype = storage.dtype;
    this._version = version ?? { value: 0 };
    this._isView = version !== undefined;
  }

  /**
   * @internal vmap: a tensor batched at `level` whose physical values are this tensor, the batch along
   * `bdim` (its logical shape drops that dim). Its `_storage` throws (a kernel reading it would see the
   * physical layout under the logical shape); ops reach the values through batching rules
   * (src/autograd/primitive.ts).
   */
  _asBatched(bdim: number, level: number): Tensor {
    const shape = this.shape.filter((_, i) => i !== bdim);
    // The storage of the fully physical tensor (this one may itself be batched at an outer level).
    let root = this._physical ?? null;
    while (root?._physical) root = root._physical;
    const t = new Tensor((root ?? this)._storage, shape);
    t._physical = this;
    t._bdim = bdim;
    t._batchLevel = level;
    Object.defineProperty(t, '_storage', {
      get(): never {
        throw new BatchingError(
          'vmap',
          `a batched tensor (per-example shape ${fmtShape(shape)}) was read directly; values inside vmap ` +
            'can only be used through ops (item, toArray and dataSync are not available inside vmap)',
        );
      },
    });
    return t;
  }

  /** @internal a new tensor on the same storage (and version counter), optionally reshaped. */
  _alias(shape: Shape = this.shape): Tensor {
    return new Tensor(this._storage, shape, this._version);
  }

  /** The backend that holds the elements. */
  get backend(): Backend {
    return this._physical ? this._physical.backend : this._storage.backend;
  }
  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }
  /** Number of elements (PyTorch's name). */
  numel(): number {
    return sizeOf(this.shape);
  }
  /** Number of dims. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of in-place modifications so far (PyTorch's `_version`). */
  get version(): number {
    return this._version.value;
  }

  // ------------------------------------------------------------------ autograd state

  /** Whether gradients flow to this tensor: a leaf marked so, or the result of an op on such tensors. */
  get requiresGrad(): boolean {
    return this._node !== null || this._requiresGradLeaf;
  }
  set requiresGrad(on: boolean) {
    this.requiresGrad_(on);
  }
  /**
   * Marks a leaf as requiring grad (in place; returns this).
   * @example const w = randn([3]).requiresGrad_();
   */
  requiresGrad_(on = true): this {
    if (this._node !== null) {
      if (on) return this;
      throw new AutogradError(
        'requiresGrad_',
        'you can only change requiresGrad of leaf tensors; use .detach() to get a tensor without history',
      );
    }
    if (on && !isFloat(this.dtype)) {
      throw new DTypeError(
        'requiresGrad_',
        `only floating-point tensors can require grad, got ${this.dtype}`,
      );
    }
    this._requiresGradLeaf = on;
    return this;
  }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this._node === null;
  }
  /** Name of the op that produced this tensor, or null for a leaf (PyTorch's `grad_fn`). */
  get gradFn(): string | null {
    return this._node ? this._node.name : null;
  }
  /**
   * Backpropagates from this tensor: fills `.grad` of every leaf it depends on. A non-scalar tensor needs
   * an explicit upstream `gradient` of its shape.
   * @example
   * const x = tensor([1, 2, 3], { requiresGrad: true });
   * x.mul(x).backward(ones([3])); // x.grad = 2x
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    F.backward(this, gradient, options);
  }
  /** Keeps `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this {
    if (!this.requiresGrad)
      throw new AutogradError('retainGrad', "can't retain grad on a tensor that doesn't require grad");
    if (this._node) this._node.retained = this;
    return this;
  }
  /**
   * Calls `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces the gradient.
   * @example
   * const w = tensor([1, 2], { requiresGrad: true });
   * const h = w.registerHook((g) => g.mul(2));
   * w.sum().backward(); h.remove();
   * w.grad // tensor([2., 2.])
   */
  registerHook(hook: GradHook): RemovableHandle {
    if (!this.requiresGrad) {
      throw new AutogradError('registerHook', "can't register a hook on a tensor that doesn't require grad");
    }
    const hooks = F.gradNodeOf(this).hooks;
    hooks.push(hook);
    return {
      remove: () => {
        const i = hooks.indexOf(hook);
        if (i >= 0) hooks.splice(i, 1);
      },
    };
  }
  /** A tensor sharing storage but cut from the graph (`requiresGrad` false). */
  detach(): Tensor {
    if (this._physical) return this._physical.detach()._asBatched(this._bdim, this._batchLevel);
    return this._alias();
  }
  /** Cuts this tensor from the graph, in place. */
  detach_(): this {
    this._node = null;
    this._requiresGradLeaf = false;
    return this;
  }
  /** Sets `.grad` to null (PyTorch's default `set_to_none`). */
  zeroGrad(): void {
    this.grad = null;
  }

  // ------------------------------------------------------------------ values

  /** The single value of a one-element tensor. @example tensor([[3]]).item() // 3 */
  item(): number {
    if (this.size !== 1) {
      throw new ValueError(
        'item',
        `only one-element tensors can be converted to a number; shape is ${fmtShape(this.shape)}`,
      );
    }
    return this.backend.readOne(this._storage, 0);
  }
  /** A copy of the elements as a flat typed array (row-major). */
  dataSync(): TypedArray {
    return this.backend.read(this._storage);
  }
  /** Nested arrays of numbers (booleans for bool tensors); a number for a scalar. */
  toArray(): NestedArray<number | boolean> {
    const flat = this.dataSync();
    const asBool = this.dtype === 'bool';
    const build = (dim: number, off: number): NestedArray<number | boolean> => {
      if (dim === this.shape.length) return asBool ? flat[off] !== 0 : flat[off];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * stride));
    };
    return build(0, 0);
  }
  /** Same as `toArray()` (PyTorch's name). */
  tolist(): NestedArray<number | boolean> {
    return this.toArray();
  }
  /** A differentiable copy with its own storage. */
  clone(): Tensor {
    return F.clone(this);
  }
  /** A copy converted to `dtype` (the same tensor when already of that dtype). */
  to(dtype: DType): Tensor {
    checkDtype('to', 'dtype', dtype);
    return dtype === this.dtype ? this : F.castTo(this, dtype);
  }
  /**
   * A JSON form, `{ dtype, shape, data }` (non-finite values as the strings 'NaN', 'Infinity', '-Infinity'),
   * so `JSON.stringify` works on tensors and state dicts; `tensorFromJSON` reads it back exactly.
   */
  toJSON(): TensorJSON {
    const data = Array.from(this.dataSync(), (v) =>
      Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity',
    );
    return { dtype: this.dtype, shape: [...this.shape], data };
  }
  /** Printed like PyTorch's tensors. */
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ------------------------------------------------------------------ elementwise
  add(o: TL, alpha?: number): Tensor {
    return F.add(this, alpha === undefined ? o : typeof o === 'number' ? o * alpha : F.mul(o, alpha));
  }
  sub(o: TL, alpha?: number): Tensor {
    return F.sub(this, alpha === undefined ? o : typeof o === 'number' ? o * alpha : F.mul(o, alpha));
  }
  mul(o: TL): Tensor {
    return F.mul(this, o);
  }
  div(o: TL): Tensor {
    return F.div(this, o);
  }
  pow(o: TL): Tensor {
    return F.pow(this, o);
  }
  neg(): Tensor {
    return F.neg(this);
  }
  exp(): Tensor {
    return F.exp(this);
  }
  log(): Tensor {
    return F.log(this);
  }
  sqrt(): Tensor {
    return F.sqrt(this);
  }
  rsqrt(): Tensor {
    return F.rsqrt(this);
  }
  square(): Tensor {
    return F.square(this);
  }
  reciprocal(): Tensor {
    return F.reciprocal(this);
  }
  sin(): Tensor {
    return F.sin(this);
  }
  cos(): Tensor {
    return F.cos(this);
  }
  tanh(): Tensor {
    return F.tanh(this);
  }
  sigmoid(): Tensor {
    return F.sigmoid(this);
  }
  atan(): Tensor {
    return F.atan(this);
  }
  abs(): Tensor {
    return F.abs(this);
  }
  sign(): Tensor {
    return F.sign(this);
  }
  log1p(): Tensor {
    return F.log1p(this);
  }
  expm1(): Tensor {
    return F.expm1(this);
  }
  relu(): Tensor {
    return F.relu(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return F.clamp(this, min, max);
  }
  maximum(o: TL): Tensor {
    return F.maximum(this, o);
  }
  minimum(o: TL): Tensor {
    return F.minimum(this, o);
  }
  eq(o: TL): Tensor {
    return F.eq(this, o);
  }
  ne(o: TL): Tensor {
    return F.ne(this, o);
  }
  lt(o: TL): Tensor {
    return F.lt(this, o);
  }
  le(o: TL): Tensor {
    return F.le(this, o);
  }
  gt(o: TL): Tensor {
    return F.gt(this, o);
  }
  ge(o: TL): Tensor {
    return F.ge(this, o);
  }
  isnan(): Tensor {
    return F.isnan(this);
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return F.maskedFill(this, mask, value);
  }

  // ------------------------------------------------------------------ reductions
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return F.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return F.mean(this, dim, keepdim);
  }
  /** `x.max()` is the overall max; `x.max(dim)` gives `{ values, indices }` like torch.max(x, dim). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): F.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | F.ValuesIndices {
    return dim === undefined ? F.amax(this) : F.max(this, dim, keepdim);
  }
  /** `x.min()` is the overall min; `x.min(dim)` gives `{ values, indices }`. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): F.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | F.ValuesIndices {
    return dim === undefined ? F.amin(this) : F.min(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[], keepdim = false): Tensor {
    return F.amax(this, dim, keepdim);
  }
  amin(dim?: number | readonly number[], keepdim = false): Tensor {
    return F.amin(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return F.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return F.argmin(this, dim, keepdim);
  }
  var(dim?: number | readonly number[], options: F.VarOptions = {}): Tensor {
    return F.variance(this, dim, options);
  }
  std(dim?: number | readonly number[], options: F.VarOptions = {}): Tensor {
    return F.std(this, dim, options);
  }
  norm(p: number = 2, dim?: number | readonly number[], keepdim = false): Tensor {
    return F.vectorNorm(this, p, dim, keepdim);
  }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return F.logsumexp(this, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return F.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return F.logSoftmax(this, dim);
  }

  // ------------------------------------------------------------------ linear algebra
  matmul(o: Tensor): Tensor {
    return F.matmul(this, o);
  }
  mm(o: Tensor): Tensor {
    return F.matmul(this, o);
  }
  /** Transpose of a matrix (rank <= 2), like torch's `.t()`. */
  t(): Tensor {
    return F.t(this);
  }
  /** Transpose of the last two dims (rank >= 2), like torch's `.mT`. */
  get mT(): Tensor {
    return F.transpose(this, -2, -1);
  }

  // ------------------------------------------------------------------ shape
  reshape(...shape: readonly number[] | [readonly number[]]): Tensor {
    return F.reshape(this, flatShape(shape));
  }
  view(...shape: readonly number[] | [readonly number[]]): Tensor {
    return F.reshape(this, flatShape(shape));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return F.transpose(this, dim0, dim1);
  }
  permute(...dims: readonly number[] | [readonly number[]]): Tensor {
    return F.permute(this, flatShape(dims));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return F.flatten(this, startDim, endDim);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return F.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return F.unsqueeze(this, dim);
  }
  expand(...shape: readonly number[] | [readonly number[]]): Tensor {
    return F.expand(this, flatShape(shape));
  }
  expandAs(other: Tensor): Tensor {
    return F.expand(this, other.shape);
  }
  /**
   * NumPy-style basic indexing: numbers select (and drop the dim), strings like `'1:'`, `'::2'`,
   * `'-1'`, `':'` slice, `'...'` fills the remaining dims, `null` inserts a dim.
   * @example x.index('1:', '::2') // x[1:, ::2]
   */
  index(...specs: IndexSpec[]): Tensor {
    return F.index(this, ...specs);
  }
  /** In-place write at a basic index: `x[1:, ::2] = v` is `x.setIndex_(['1:', '::2'], v)`. */
  setIndex_(specs: IndexSpec[], value: Tensor | number): this {
    return F.setIndex_(this, specs, value);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return F.narrow(this, dim, start, length);
  }
  gather(dim: number, index: Tensor): Tensor {
    return F.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return F.scatterAdd(this, dim, index, src);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return F.indexSelect(this, dim, index);
  }
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return F.split(this, sizeOrSections, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return F.chunk(this, chunks, dim);
  }

  // ------------------------------------------------------------------ in place (trailing underscore)
  copy_(src: Tensor): this {
    return F.copy_(this, src);
  }
  add_(o: TL, alpha?: number): this {
    return F.inplace(this, 'add_', (s) => s.add(o, alpha));
  }
  sub_(o: TL, alpha?: number): this {
    return F.inplace(this, 'sub_', (s) => s.sub(o, alpha));
  }
  mul_(o: TL): this {
    return F.inplace(this, 'mul_', (s) => s.mul(o));
  }
  div_(o: TL): this {
    return F.inplace(this, 'div_', (s) => s.div(o));
  }
  pow_(o: TL): this {
    return F.inplace(this, 'pow_', (s) => s.pow(o));
  }
  neg_(): this {
    return F.inplace(this, 'neg_', (s) => s.neg());
  }
  exp_(): this {
    return F.inplace(this, 'exp_', (s) => s.exp());
  }
  sqrt_(): this {
    return F.inplace(this, 'sqrt_', (s) => s.sqrt());
  }
  clamp_(min?: number | null, max?: number | null): this {
    return F.inplace(this, 'clamp_', (s) => s.clamp(min, max));
  }
  maximum_(o: TL): this {
    return F.inplace(this, 'maximum_', (s) => s.maximum(o));
  }
  /** this += value * t1 * t2 (torch.addcmul_). */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    return F.inplace(this, 'addcmul_', (s) => s.add(F.mul(F.mul(t1, t2), value)));
  }
  /** this += value * t1 / t2 (torch.addcdiv_). */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    return F.inplace(this, 'addcdiv_', (s) => s.add(F.mul(F.div(t1, t2), value)));
  }
  /** this = this + weight * (end - this) (torch.lerp_). */
  lerp_(end: Tensor, weight: number): this {
    return F.inplace(this, 'lerp_', (s) => s.add(F.mul(F.sub(end, s), weight)));
  }
  zero_(): this {
    return F.fill_(this, 0);
  }
  fill_(value: number): this {
    return F.fill_(this, value);
  }
  maskedFill_(mask: Tensor, value: number): this {
    return F.inplace(this, 'maskedFill_', (s) => s.maskedFill(mask, value));
  }
}

function flatShape(args: readonly number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0])
    ? (args[0] as readonly number[])
    : (args as readonly number[]);
}
