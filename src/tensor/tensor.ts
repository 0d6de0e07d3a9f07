import type { Backend, Storage } from '../backends/backend.js';
import { AutogradError, BatchingError, DTypeError, ValueError } from '../errors.js';
import type { LeafNode, OpNode } from '../autograd/node.js';
import { type DType, type TypedArray, isFloat } from './dtype.js';
import { fmtShape, type Shape, sizeOf } from './shape.js';
import { formatTensor } from './format.js';

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
   * @internal vmap (src/ops/batching.ts): the level of the vmap this tensor is batched at (0: not
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

  /** Keeps `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this {
    if (!this.requiresGrad)
      throw new AutogradError('retainGrad', "can't retain grad on a tensor that doesn't require grad");
    if (this._node) this._node.retained = this;
    return this;
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

  /**
   * The elements, read asynchronously: the read every backend has, the only one a device backend
   * (WebGPU) has, since its memory is read by mapping a buffer. On the CPU backends it resolves at once.
   * @example const v = await tensor([1, 2]).data(); // Float32Array [1, 2]
   */
  data(): Promise<TypedArray> {
    const b = this.backend;
    return b.readAsync ? b.readAsync(this._storage) : Promise.resolve(b.read(this._storage));
  }

  /** `toArray()`, read asynchronously (see `data()`). @example await tensor([[1, 2]]).array() // [[1, 2]] */
  async array(): Promise<NestedArray<number | boolean>> {
    return this.nested(await this.data());
  }

  /** `item()`, read asynchronously (see `data()`). @example await tensor([3]).itemAsync() // 3 */
  async itemAsync(): Promise<number> {
    if (this.size !== 1) {
      throw new ValueError(
        'itemAsync',
        `only one-element tensors can be converted to a number; shape is ${fmtShape(this.shape)}`,
      );
    }
    return (await this.data())[0];
  }

  /** Nested arrays of numbers (booleans for bool tensors); a number for a scalar. */
  toArray(): NestedArray<number | boolean> {
    return this.nested(this.dataSync());
  }

  private nested(flat: TypedArray): NestedArray<number | boolean> {
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
}
