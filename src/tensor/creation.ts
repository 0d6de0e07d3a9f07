import type { Backend } from '../backends/backend.js';
import { getBackend } from '../backends/registry.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { type DType, type TypedArray, checkDtype, getDefaultDtype, isFloat } from './dtype.js';
import { checkNumel, checkShapeArg, fmtShape, type Shape, sizeOf } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';
import { defaultGenerator, type Generator } from './random.js';

/** Options shared by the creation functions. */
export interface TensorOptions {
  /** Element type (default: float32, or the dtype of a typed array / bool for booleans). */
  dtype?: DType;
  /** Make the result a leaf that requires grad. */
  requiresGrad?: boolean;
  /** The backend to allocate on (default: the current one). */
  backend?: Backend;
}

/** Options of the random creation functions. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (default: the global one, seeded by `manualSeed`). */
  generator?: Generator;
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function make(
  op: string,
  values: ArrayLike<number>,
  shape: Shape,
  opts: TensorOptions,
  dtype: DType,
): Tensor {
  checkDtype(op, 'dtype', dtype);
  if (opts.requiresGrad && !isFloat(dtype)) {
    throw new DTypeError(op, `only floating-point tensors can require grad, got dtype ${dtype}`);
  }
  const backend = opts.backend ?? getBackend();
  return finish(
    new Tensor(
      allocating(op, shape, dtype, () => backend.fromArray(dtype, values)),
      shape,
    ),
    opts,
  );
}

/** Runs an allocation, turning the engine's out-of-memory RangeError into a typed error naming the op. */
function allocating<T>(op: string, shape: Shape, dtype: DType, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new ValueError(op, `cannot allocate a ${dtype} tensor of shape ${fmtShape(shape)}: ${e.message}`);
  }
}

function isTypedArray(x: unknown): x is TypedArray {
  return (
    x instanceof Float32Array ||
    x instanceof Float64Array ||
    x instanceof Int32Array ||
    x instanceof Uint8Array
  );
}

/**
 * A tensor from nested arrays, a number, a boolean or a typed array. Numbers give the default float
 * dtype (float32) unless `dtype` says otherwise; booleans give bool.
 * @example
 * tensor([[1, 2], [3, 4]]);                        // float32 [2, 2]
 * tensor([0, 2, 1], { dtype: 'int32' });          // class labels
 * tensor(3.5, { dtype: 'float64', requiresGrad: true });
 */
export function tensor(
  data: NestedArray<number | boolean> | TypedArray | Tensor,
  opts: TensorOptions = {},
): Tensor {
  if (data instanceof Tensor) {
    const t = data.detach().clone();
    return finish(opts.dtype ? t.to(opts.dtype) : t, opts);
  }
  if (isTypedArray(data)) {
    const dtype =
      opts.dtype ??
      (data instanceof Float64Array
        ? 'float64'
        : data instanceof Int32Array
          ? 'int32'
          : data instanceof Uint8Array
            ? 'bool'
            : 'float32');
    return make('tensor', data, [data.length], opts, dtype);
  }
  const shape: number[] = [];
  let probe: NestedArray<number | boolean> = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const flat: number[] = [];
  let sawBool = false;
  const walk = (x: NestedArray<number | boolean>, dim: number, path: string) => {
    if (dim === shape.length) {
      if (typeof x === 'boolean') {
        sawBool = true;
        flat.push(x ? 1 : 0);
      } else if (typeof x === 'number') flat.push(x);
      else
        throw new ValueError(
          'tensor',
          `element at ${path || 'top'} is ${Array.isArray(x) ? 'an array' : typeof x}, expected a number`,
        );
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ShapeError(
        'tensor',
        `ragged nested array: element ${path || 'top'} has ${Array.isArray(x) ? `length ${x.length}` : 'no dims'}, ` +
          `expected length ${shape[dim]} (shape so far ${fmtShape(shape)})`,
      );
    }
    x.forEach((v, i) => walk(v, dim + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  const dtype = opts.dtype ?? (sawBool ? 'bool' : getDefaultDtype());
  return make('tensor', flat, shape, opts, dtype);
}

/**
 * A tensor filled with `value`.
 * @example full([2, 3], 7)
 */
export function full(shape: readonly number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  return filled('full', shape, value, opts);
}

/** full under the public op's name, so its errors name zeros, ones... */
function filled(op: string, shape: readonly number[], value: number | boolean, opts: TensorOptions): Tensor {
  checkShapeArg(op, shape);
  if (typeof value !== 'number' && typeof value !== 'boolean')
    throw new ValueError(
      op,
      `value must be a number or a boolean, got ${typeof value} ${String(value).slice(0, 40)}`,
    );
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : getDefaultDtype());
  checkDtype(op, 'dtype', dtype);
  const backend = opts.backend ?? getBackend();
  if (opts.requiresGrad && !isFloat(dtype))
    throw new DTypeError(op, `only floating-point tensors can require grad, got ${dtype}`);
  const storage = allocating(op, shape, dtype, () => backend.full(dtype, sizeOf(shape), Number(value)));
  return finish(new Tensor(storage, shape), opts);
}

/** Zeros. @example zeros([2, 3]) */
export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, opts);
}
/** Ones. @example ones([3], { dtype: 'float64' }) */
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, opts);
}
/** Uninitialized in PyTorch; zeros here. @example empty([4]) */
export function empty(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled('empty', shape, 0, opts);
}

function likeOpts(x: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: x.dtype, backend: x.backend, ...opts };
}
/** Zeros with x's shape, dtype and backend. @example zerosLike(x) */
export function zerosLike(x: Tensor, opts: TensorOptions = {}): Tensor {
  return full(x.shape, 0, likeOpts(x, opts));
}
/** Ones with x's shape, dtype and backend. @example onesLike(x) */
export function onesLike(x: Tensor, opts: TensorOptions = {}): Tensor {
  return full(x.shape, 1, likeOpts(x, opts));
}
/** `value` with x's shape, dtype and backend. @example fullLike(x, 0.5) */
export function fullLike(x: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(x.shape, value, likeOpts(x, opts));
}
/** Uniform [0, 1) with x's shape. @example randLike(x) */
export function randLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(x.shape, { dtype: isFloat(x.dtype) ? x.dtype : undefined, backend: x.backend, ...opts });
}
/** Standard normal with x's shape. @example randnLike(x) */
export function randnLike(x: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(x.shape, { dtype: isFloat(x.dtype) ? x.dtype : undefined, backend: x.backend, ...opts });
}

/**
 * Values from `start` to `end` (exclusive) by `step`. With one argument, 0..start. Integer arguments
 * give int32 (as PyTorch gives int64), otherwise the default float dtype.
 * @example arange(5) // tensor([0, 1, 2, 3, 4]); arange(0, 1, 0.25) // [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step))
    throw new ValueError('arange', `step must be finite and non-zero, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new ValueError('arange', `start ${start} and end ${end} must be finite`);
  if ((end - start) / step < 0)
    throw new ValueError('arange', `start ${start}, end ${end} and step ${step} are inconsistent`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  checkNumel('arange', n, `arange(${start}, ${end}, ${step})`);
  const vals = Array.from({ length: n }, (_, i) => start + i * step);
  const ints = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  return make('arange', vals, [n], opts, opts.dtype ?? (ints ? 'int32' : getDefaultDtype()));
}

/**
 * `steps` evenly spaced values from start to end inclusive.
 * @example linspace(0, 1, 5) // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ValueError('linspace', `steps must be a non-negative integer, got ${steps}`);
  checkNumel('linspace', steps, `linspace with steps ${steps}`);
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new ValueError('linspace', `start ${start} and end ${end} must be finite`);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends, as PyTorch does, so the last value is exactly `end`.
  const half = Math.floor(steps / 2);
  const vals = Array.from({ length: steps }, (_, i) =>
    i < half ? start + step * i : end - step * (steps - 1 - i),
  );
  return make('linspace', vals, [steps], opts, opts.dtype ?? getDefaultDtype());
}

/**
 * The identity matrix (n x m, m defaults to n).
 * @example eye(3)
 */
export function eye(n: number, m: number = n, opts: TensorOptions = {}): Tensor {
  checkShapeArg('eye', [n, m], 'n, m');
  const vals = allocating('eye', [n, m], 'float64', () => new Float64Array(n * m));
  for (let i = 0; i < Math.min(n, m); i++) vals[i * m + i] = 1;
  return make('eye', vals, [n, m], opts, opts.dtype ?? getDefaultDtype());
}

function randomFill(
  op: string,
  shape: readonly number[],
  opts: RandomOptions,
  draw: (g: Generator) => number,
  dtype: DType,
) {
  checkShapeArg(op, shape);
  const g = opts.generator ?? defaultGenerator;
  const vals = allocating(op, shape, dtype, () => new Float64Array(sizeOf(shape)));
  for (let i = 0; i < vals.length; i++) vals[i] = draw(g);
  return make(op, vals, shape, opts, dtype);
}

function floatDtype(op: string, opts: TensorOptions): DType {
  const d = opts.dtype ?? getDefaultDtype();
  if (!isFloat(d)) throw new DTypeError(op, `dtype must be float32 or float64, got ${d}`);
  return d;
}

/** Uniform on [0, 1). @example rand([2, 3], { generator: new Generator(1) }) */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return randomFill('rand', shape, opts, (g) => g.random(), floatDtype('rand', opts));
}
/** Standard normal. @example manualSeed(0); randn([3]) */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return randomFill('randn', shape, opts, (g) => g.normal(), floatDtype('randn', opts));
}
/** Uniform on [low, high). @example uniform([3], -1, 1) */
export function uniform(shape: readonly number[], low = 0, high = 1, opts: RandomOptions = {}): Tensor {
  if (!(low <= high)) throw new ValueError('uniform', `low ${low} must be <= high ${high}`);
  return randomFill(
    'uniform',
    shape,
    opts,
    (g) => low + (high - low) * g.random(),
    floatDtype('uniform', opts),
  );
}
/** Normal with the given mean and std. @example normal([3], 0, 0.01) */
export function normal(shape: readonly number[], mean = 0, std = 1, opts: RandomOptions = {}): Tensor {
  if (!(std >= 0)) throw new ValueError('normal', `std must be >= 0, got ${std}`);
  return randomFill('normal', shape, opts, (g) => mean + std * g.normal(), floatDtype('normal', opts));
}
/**
 * Integers uniform on [low, high), int32 by default.
 * @example randint(0, 10, [5]) // labels for 10 classes
 */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  opts: RandomOptions = {},
): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ValueError('randint', `need integers low < high, got low=${low}, high=${high}`);
  }
  return randomFill('randint', shape, opts, (g) => g.randint(low, high), opts.dtype ?? 'int32');
}
/**
 * A random permutation of 0..n-1 (int32), by Fisher-Yates.
 * @example randperm(5)
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError('randperm', `n must be a non-negative integer, got ${n}`);
  checkNumel('randperm', n, `randperm(${n})`);
  const g = opts.generator ?? defaultGenerator;
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return make('randperm', p, [n], opts, opts.dtype ?? 'int32');
}
/**
 * 0/1 draws with probability `p` (a number with a shape, or a tensor of probabilities), like
 * torch.bernoulli. The result has p's float dtype.
 * @example bernoulli(fullLike(x, 0.8)) // a dropout keep-mask
 */
export function bernoulli(
  p: Tensor | number,
  shapeOrOpts?: readonly number[] | RandomOptions,
  maybeOpts: RandomOptions = {},
): Tensor {
  const opts = Array.isArray(shapeOrOpts) ? maybeOpts : ((shapeOrOpts as RandomOptions | undefined) ?? {});
  const g = opts.generator ?? defaultGenerator;
  if (typeof p === 'number') {
    const shape = Array.isArray(shapeOrOpts) ? shapeOrOpts : [];
    if (!(p >= 0 && p <= 1)) throw new ValueError('bernoulli', `p must be in [0, 1], got ${p}`);
    return randomFill(
      'bernoulli',
      shape,
      opts,
      (gen) => (gen.random() < p ? 1 : 0),
      floatDtype('bernoulli', opts),
    );
  }
  const probs = p.dataSync();
  const vals = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) {
    if (!(probs[i] >= 0 && probs[i] <= 1))
      throw new ValueError(
        'bernoulli',
        `probabilities must be in [0, 1], found ${probs[i]} at flat index ${i}`,
      );
    vals[i] = g.random() < probs[i] ? 1 : 0;
  }
  return make(
    'bernoulli',
    vals,
    p.shape,
    { backend: p.backend, ...opts },
    isFloat(p.dtype) ? p.dtype : getDefaultDtype(),
  );
}
