/** NumPy-style basic indexing (`x.index('1:', '::2')`) on the strided-view primitive. */
import { ValueError } from '../../errors.js';
import { fmtShape, sizeOf, stridesOf } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../core.js';
import { expand, reshape, stridedScatter, stridedView } from '../primitives/shape.js';
import { where } from '../primitives/elementwise.js';
import { full } from '../../tensor/creation.js';
import { inplace } from '../inplace.js';

/** A slice with optional start, stop and step (negative values count from the end). */
export interface Slice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/**
 * One index: a number selects (dropping the dim), a string is a Python slice (`':'`, `'1:'`, `'::2'`,
 * `'-3:-1'`) or a number (`'-1'`), `'...'` stands for the remaining dims, `null` inserts a new dim.
 */
export type IndexSpec = number | string | Slice | null;

/** A slice object, like Python's `slice(start, stop, step)`. @example x.index(slice(1, null, 2)) */
export function slice(start?: number | null, stop?: number | null, step?: number | null): Slice {
  return { start, stop, step };
}

function parseSpec(s: IndexSpec): number | Slice | null | '...' {
  if (typeof s !== 'string') return s;
  const text = s.trim();
  if (text === '...') return '...';
  if (!text.includes(':')) {
    const v = Number(text);
    if (!Number.isInteger(v) || text === '') throw new ValueError('index', `cannot parse index '${s}'`);
    return v;
  }
  const parts = text.split(':');
  if (parts.length > 3) throw new ValueError('index', `cannot parse slice '${s}'`);
  const num = (p: string | undefined) => {
    if (p === undefined || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v))
      throw new ValueError('index', `cannot parse slice '${s}': '${p}' is not an integer`);
    return v;
  };
  return { start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) };
}

/** Python's slice.indices: the first index, step and count along a dim of length n. */
function resolveSlice(sl: Slice, n: number, dim: number): [number, number, number] {
  const step = sl.step ?? 1;
  if (step === 0) throw new ValueError('index', `slice step cannot be zero (dim ${dim})`);
  const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  let start: number;
  let stop: number;
  if (step > 0) {
    start = sl.start == null ? 0 : norm(sl.start, 0, n);
    stop = sl.stop == null ? n : norm(sl.stop, 0, n);
  } else {
    start = sl.start == null ? n - 1 : norm(sl.start, -1, n - 1);
    stop = sl.stop == null ? -1 : norm(sl.stop, -1, n - 1);
  }
  const count = Math.max(0, Math.ceil((stop - start) / step));
  return [start, step, count];
}

/**
 * Basic indexing, as `x[...]` in NumPy/PyTorch: the result copies the selected elements and the
 * gradient flows back to exactly those positions. Negative steps are allowed (NumPy semantics).
 * @example
 * x.index('1:', '::2');   // x[1:, ::2]
 * x.index(':', -1);       // x[:, -1]
 * x.index('...', null);   // x[..., None]
 */
/** The strided mapping that basic indexing selects: result shape, element strides and offset. */
function indexMapping(x: Tensor, specs: IndexSpec[]): { shape: number[]; strides: number[]; offset: number } {
  const parsed = specs.map(parseSpec);
  const ellipses = parsed.filter((p) => p === '...').length;
  if (ellipses > 1) throw new ValueError('index', 'an index can only have a single ellipsis');
  const used = parsed.filter((p) => p !== null && p !== '...').length;
  if (used > x.shape.length) {
    throw new ValueError('index', `too many indices (${used}) for a tensor of shape ${fmtShape(x.shape)}`);
  }
  const full: (number | Slice | null)[] = [];
  for (const p of parsed) {
    if (p === '...') for (let i = 0; i < x.shape.length - used; i++) full.push({});
    else full.push(p);
  }
  while (full.filter((p) => p !== null).length < x.shape.length) full.push({});

  const base = stridesOf(x.shape);
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = 0;
  let dim = 0;
  for (const p of full) {
    if (p === null) {
      shape.push(1);
      strides.push(0);
      continue;
    }
    const n = x.shape[dim];
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < -n || p >= n) {
        throw new ValueError(
          'index',
          `index ${p} is out of bounds for dim ${dim} with size ${n} (shape ${fmtShape(x.shape)})`,
        );
      }
      offset += (p < 0 ? p + n : p) * base[dim];
    } else {
      const [start, step, count] = resolveSlice(p, n, dim);
      if (count > 0) offset += start * base[dim];
      shape.push(count);
      strides.push(base[dim] * step);
    }
    dim++;
  }
  return { shape, strides, offset };
}

/**
 * Basic indexing, as `x[...]` in NumPy/PyTorch: the result copies the selected elements and the
 * gradient flows back to exactly those positions. Negative steps are allowed (NumPy semantics).
 * Slices are copies: write into a tensor with `setIndex_`, not with in-place ops on a slice.
 * @example
 * x.index('1:', '::2');   // x[1:, ::2]
 * x.index(':', -1);       // x[:, -1]
 * x.index('...', null);   // x[..., None]
 */
export function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
  checkTensor('index', 'x', x);
  const { shape, strides, offset } = indexMapping(x, specs);
  const contiguous = stridesOf(shape);
  if (
    offset === 0 &&
    sizeOf(shape) === x.size &&
    strides.every((s, i) => s === contiguous[i] || shape[i] <= 1)
  ) {
    return reshape(x, shape);
  }
  return stridedView(x, { shape, strides, offset });
}

/**
 * Writes `value` (broadcast to the selection) into x at a basic index, in place: `x[1:, ::2] = v` is
 * `x.setIndex_(['1:', '::2'], v)`. Differentiable in x and value when recording (like PyTorch's
 * index assignment on a non-leaf).
 * @example x.setIndex_([0, ':'], 0) // zero the first row
 */
export function setIndex_<T extends Tensor>(x: T, specs: IndexSpec[], value: Tensor | number): T {
  checkTensor('setIndex_', 'x', x);
  const m = indexMapping(x, specs);
  return inplace(x, 'setIndex_', (src) => {
    let val =
      typeof value === 'number'
        ? full([], value, { dtype: src.dtype, backend: src.backend })
        : value.to(src.dtype);
    // Extra leading size-1 dims are dropped (x[1] = tensor([v]) works, as in PyTorch).
    if (val.shape.length > m.shape.length && val.size === sizeOf(m.shape)) val = reshape(val, m.shape);
    const v = expand(val, m.shape);
    const placed = stridedScatter(v, src.shape, m);
    const mask = stridedScatter(
      full(m.shape, 1, { dtype: src.dtype, backend: src.backend }),
      src.shape,
      m,
    ).gt(0);
    return where(mask, placed, src);
  });
}
