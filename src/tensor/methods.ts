/**
 * Tensor's methods that run ops (`x.add(y)`, `x.sum()`, `x.backward()`, ...), each the functional op of the
 * same name. They live apart from the data-only Tensor class (tensor.ts) so that the ops depend on that
 * class alone: the import graph runs methods -> ops -> tensor, without a cycle. Every entry point of the
 * package imports this file, which installs the methods on Tensor's prototype.
 */
import type { GradHook } from '../autograd/node.js';
import * as F from '../ops/index.js';
import type { IndexSpec } from '../ops/composite/indexing.js';
import type { BackwardOptions } from '../autograd/backward.js';
import type { TensorLike as TL } from '../ops/core.js';
import { type DType, checkDtype } from './dtype.js';
import { AutogradError } from '../errors.js';
import { type RemovableHandle, Tensor } from './tensor.js';

class TensorMethods {
  /**
   * Backpropagates from this tensor: fills `.grad` of every leaf it depends on. A non-scalar tensor needs
   * an explicit upstream `gradient` of its shape.
   * @example
   * const x = tensor([1, 2, 3], { requiresGrad: true });
   * x.mul(x).backward(ones([3])); // x.grad = 2x
   */
  backward(this: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
    F.backward(this, gradient, options);
  }

  /**
   * Calls `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces the gradient.
   * @example
   * const w = tensor([1, 2], { requiresGrad: true });
   * const h = w.registerHook((g) => g.mul(2));
   * w.sum().backward(); h.remove();
   * w.grad // tensor([2., 2.])
   */
  registerHook(this: Tensor, hook: GradHook): RemovableHandle {
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

  /** A differentiable copy with its own storage. */
  clone(this: Tensor): Tensor {
    return F.clone(this);
  }

  /** A copy converted to `dtype` (the same tensor when already of that dtype). */
  to(this: Tensor, dtype: DType): Tensor {
    checkDtype('to', 'dtype', dtype);
    return dtype === this.dtype ? this : F.castTo(this, dtype);
  }

  // ------------------------------------------------------------------ elementwise
  add(this: Tensor, o: TL, alpha?: number): Tensor {
    return F.add(this, alpha === undefined ? o : typeof o === 'number' ? o * alpha : F.mul(o, alpha));
  }

  sub(this: Tensor, o: TL, alpha?: number): Tensor {
    return F.sub(this, alpha === undefined ? o : typeof o === 'number' ? o * alpha : F.mul(o, alpha));
  }

  mul(this: Tensor, o: TL): Tensor {
    return F.mul(this, o);
  }

  div(this: Tensor, o: TL): Tensor {
    return F.div(this, o);
  }

  pow(this: Tensor, o: TL): Tensor {
    return F.pow(this, o);
  }

  neg(this: Tensor): Tensor {
    return F.neg(this);
  }

  exp(this: Tensor): Tensor {
    return F.exp(this);
  }

  log(this: Tensor): Tensor {
    return F.log(this);
  }

  sqrt(this: Tensor): Tensor {
    return F.sqrt(this);
  }

  rsqrt(this: Tensor): Tensor {
    return F.rsqrt(this);
  }

  square(this: Tensor): Tensor {
    return F.square(this);
  }

  reciprocal(this: Tensor): Tensor {
    return F.reciprocal(this);
  }

  sin(this: Tensor): Tensor {
    return F.sin(this);
  }

  cos(this: Tensor): Tensor {
    return F.cos(this);
  }

  tanh(this: Tensor): Tensor {
    return F.tanh(this);
  }

  sigmoid(this: Tensor): Tensor {
    return F.sigmoid(this);
  }

  atan(this: Tensor): Tensor {
    return F.atan(this);
  }

  abs(this: Tensor): Tensor {
    return F.abs(this);
  }

  sign(this: Tensor): Tensor {
    return F.sign(this);
  }

  log1p(this: Tensor): Tensor {
    return F.log1p(this);
  }

  expm1(this: Tensor): Tensor {
    return F.expm1(this);
  }

  relu(this: Tensor): Tensor {
    return F.relu(this);
  }

  clamp(this: Tensor, min?: number | null, max?: number | null): Tensor {
    return F.clamp(this, min, max);
  }

  maximum(this: Tensor, o: TL): Tensor {
    return F.maximum(this, o);
  }

  minimum(this: Tensor, o: TL): Tensor {
    return F.minimum(this, o);
  }

  eq(this: Tensor, o: TL): Tensor {
    return F.eq(this, o);
  }

  ne(this: Tensor, o: TL): Tensor {
    return F.ne(this, o);
  }

  lt(this: Tensor, o: TL): Tensor {
    return F.lt(this, o);
  }

  le(this: Tensor, o: TL): Tensor {
    return F.le(this, o);
  }

  gt(this: Tensor, o: TL): Tensor {
    return F.gt(this, o);
  }

  ge(this: Tensor, o: TL): Tensor {
    return F.ge(this, o);
  }

  isnan(this: Tensor): Tensor {
    return F.isnan(this);
  }

  maskedFill(this: Tensor, mask: Tensor, value: number): Tensor {
    return F.maskedFill(this, mask, value);
  }

  // ------------------------------------------------------------------ reductions
  sum(this: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
    return F.sum(this, dim, keepdim);
  }

  mean(this: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
    return F.mean(this, dim, keepdim);
  }

  /** `x.max()` is the overall max; `x.max(dim)` gives `{ values, indices }` like torch.max(x, dim). */
  max(this: Tensor): Tensor;

  max(this: Tensor, dim: number, keepdim?: boolean): F.ValuesIndices;

  max(this: Tensor, dim?: number, keepdim = false): Tensor | F.ValuesIndices {
    return dim === undefined ? F.amax(this) : F.max(this, dim, keepdim);
  }

  /** `x.min()` is the overall min; `x.min(dim)` gives `{ values, indices }`. */
  min(this: Tensor): Tensor;

  min(this: Tensor, dim: number, keepdim?: boolean): F.ValuesIndices;

  min(this: Tensor, dim?: number, keepdim = false): Tensor | F.ValuesIndices {
    return dim === undefined ? F.amin(this) : F.min(this, dim, keepdim);
  }

  amax(this: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
    return F.amax(this, dim, keepdim);
  }

  amin(this: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
    return F.amin(this, dim, keepdim);
  }

  argmax(this: Tensor, dim?: number, keepdim = false): Tensor {
    return F.argmax(this, dim, keepdim);
  }

  argmin(this: Tensor, dim?: number, keepdim = false): Tensor {
    return F.argmin(this, dim, keepdim);
  }

  var(this: Tensor, dim?: number | readonly number[], options: F.VarOptions = {}): Tensor {
    return F.variance(this, dim, options);
  }

  std(this: Tensor, dim?: number | readonly number[], options: F.VarOptions = {}): Tensor {
    return F.std(this, dim, options);
  }

  norm(this: Tensor, p: number = 2, dim?: number | readonly number[], keepdim = false): Tensor {
    return F.vectorNorm(this, p, dim, keepdim);
  }

  logsumexp(this: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
    return F.logsumexp(this, dim, keepdim);
  }

  softmax(this: Tensor, dim: number): Tensor {
    return F.softmax(this, dim);
  }

  logSoftmax(this: Tensor, dim: number): Tensor {
    return F.logSoftmax(this, dim);
  }

  // ------------------------------------------------------------------ linear algebra
  matmul(this: Tensor, o: Tensor): Tensor {
    return F.matmul(this, o);
  }

  mm(this: Tensor, o: Tensor): Tensor {
    return F.matmul(this, o);
  }

  /** Transpose of a matrix (rank <= 2), like torch's `.t()`. */
  t(this: Tensor): Tensor {
    return F.t(this);
  }

  /** Transpose of the last two dims (rank >= 2), like torch's `.mT`. */
  get mT(): Tensor {
    return F.transpose(this as unknown as Tensor, -2, -1);
  }

  // ------------------------------------------------------------------ shape
  reshape(this: Tensor, ...shape: readonly number[] | [readonly number[]]): Tensor {
    return F.reshape(this, flatShape(shape));
  }

  view(this: Tensor, ...shape: readonly number[] | [readonly number[]]): Tensor {
    return F.reshape(this, flatShape(shape));
  }

  transpose(this: Tensor, dim0: number, dim1: number): Tensor {
    return F.transpose(this, dim0, dim1);
  }

  permute(this: Tensor, ...dims: readonly number[] | [readonly number[]]): Tensor {
    return F.permute(this, flatShape(dims));
  }

  flatten(this: Tensor, startDim = 0, endDim = -1): Tensor {
    return F.flatten(this, startDim, endDim);
  }

  squeeze(this: Tensor, dim?: number | readonly number[]): Tensor {
    return F.squeeze(this, dim);
  }

  unsqueeze(this: Tensor, dim: number): Tensor {
    return F.unsqueeze(this, dim);
  }

  expand(this: Tensor, ...shape: readonly number[] | [readonly number[]]): Tensor {
    return F.expand(this, flatShape(shape));
  }

  expandAs(this: Tensor, other: Tensor): Tensor {
    return F.expand(this, other.shape);
  }

  /**
   * NumPy-style basic indexing: numbers select (and drop the dim), strings like `'1:'`, `'::2'`,
   * `'-1'`, `':'` slice, `'...'` fills the remaining dims, `null` inserts a dim.
   * @example x.index('1:', '::2') // x[1:, ::2]
   */
  index(this: Tensor, ...specs: IndexSpec[]): Tensor {
    return F.index(this, ...specs);
  }

  /** In-place write at a basic index: `x[1:, ::2] = v` is `x.setIndex_(['1:', '::2'], v)`. */
  setIndex_(this: Tensor, specs: IndexSpec[], value: Tensor | number): Tensor {
    return F.setIndex_(this, specs, value);
  }

  narrow(this: Tensor, dim: number, start: number, length: number): Tensor {
    return F.narrow(this, dim, start, length);
  }

  gather(this: Tensor, dim: number, index: Tensor): Tensor {
    return F.gather(this, dim, index);
  }

  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
    return F.scatterAdd(this, dim, index, src);
  }

  indexSelect(this: Tensor, dim: number, index: Tensor): Tensor {
    return F.indexSelect(this, dim, index);
  }

  split(this: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return F.split(this, sizeOrSections, dim);
  }

  chunk(this: Tensor, chunks: number, dim = 0): Tensor[] {
    return F.chunk(this, chunks, dim);
  }

  // ------------------------------------------------------------------ in place (trailing underscore)
  copy_(this: Tensor, src: Tensor): Tensor {
    return F.copy_(this, src);
  }

  add_(this: Tensor, o: TL, alpha?: number): Tensor {
    return F.inplace(this, 'add_', (s) => s.add(o, alpha));
  }

  sub_(this: Tensor, o: TL, alpha?: number): Tensor {
    return F.inplace(this, 'sub_', (s) => s.sub(o, alpha));
  }

  mul_(this: Tensor, o: TL): Tensor {
    return F.inplace(this, 'mul_', (s) => s.mul(o));
  }

  div_(this: Tensor, o: TL): Tensor {
    return F.inplace(this, 'div_', (s) => s.div(o));
  }

  pow_(this: Tensor, o: TL): Tensor {
    return F.inplace(this, 'pow_', (s) => s.pow(o));
  }

  neg_(this: Tensor): Tensor {
    return F.inplace(this, 'neg_', (s) => s.neg());
  }

  exp_(this: Tensor): Tensor {
    return F.inplace(this, 'exp_', (s) => s.exp());
  }

  sqrt_(this: Tensor): Tensor {
    return F.inplace(this, 'sqrt_', (s) => s.sqrt());
  }

  clamp_(this: Tensor, min?: number | null, max?: number | null): Tensor {
    return F.inplace(this, 'clamp_', (s) => s.clamp(min, max));
  }

  maximum_(this: Tensor, o: TL): Tensor {
    return F.inplace(this, 'maximum_', (s) => s.maximum(o));
  }

  /** this += value * t1 * t2 (torch.addcmul_). */
  addcmul_(this: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
    return F.inplace(this, 'addcmul_', (s) => s.add(F.mul(F.mul(t1, t2), value)));
  }

  /** this += value * t1 / t2 (torch.addcdiv_). */
  addcdiv_(this: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
    return F.inplace(this, 'addcdiv_', (s) => s.add(F.mul(F.div(t1, t2), value)));
  }

  /** this = this + weight * (end - this) (torch.lerp_). */
  lerp_(this: Tensor, end: Tensor, weight: number): Tensor {
    return F.inplace(this, 'lerp_', (s) => s.add(F.mul(F.sub(end, s), weight)));
  }

  zero_(this: Tensor): Tensor {
    return F.fill_(this, 0);
  }

  fill_(this: Tensor, value: number): Tensor {
    return F.fill_(this, value);
  }

  maskedFill_(this: Tensor, mask: Tensor, value: number): Tensor {
    return F.inplace(this, 'maskedFill_', (s) => s.maskedFill(mask, value));
  }
}

declare module './tensor.js' {
  // Declaration merging: Tensor's instances have TensorMethods' methods (installed below).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorMethods {}
}

for (const key of Object.getOwnPropertyNames(TensorMethods.prototype)) {
  if (key !== 'constructor')
    Object.defineProperty(
      Tensor.prototype,
      key,
      Object.getOwnPropertyDescriptor(TensorMethods.prototype, key)!,
    );
}

function flatShape(args: readonly number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0])
    ? (args[0] as readonly number[])
    : (args as readonly number[]);
}
