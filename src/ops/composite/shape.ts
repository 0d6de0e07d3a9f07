/** Shape functions built from the shape primitives. */
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape, normDim, normDims } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkIndexRange, checkIndexTensor, checkTensor } from '../core.js';
import { cat, narrow, permute, reshape } from '../primitives/shape.js';
import { indexSelectTrusted } from '../primitives/indexing.js';

/** Swaps two dims. @example transpose(x, 0, 1) */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('transpose', 'x', x);
  const r = x.shape.length;
  if (r < 2 && (dim0 === 0 || dim0 === -1) && (dim1 === 0 || dim1 === -1)) return x;
  const a = normDim('transpose', dim0, r, 'dim0');
  const b = normDim('transpose', dim1, r, 'dim1');
  const dims = Array.from({ length: r }, (_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/** Matrix transpose for rank <= 2 (torch's `.t()`). @example t(w) */
export function t(x: Tensor): Tensor {
  checkTensor('t', 'x', x);
  if (x.shape.length > 2)
    throw new ShapeError('t', `expects a tensor of rank <= 2, got shape ${fmtShape(x.shape)}; use transpose`);
  return x.shape.length < 2 ? x : transpose(x, 0, 1);
}

/** Flattens dims startDim..endDim into one. @example flatten(randn([2, 3, 4]), 1).shape // [2, 12] */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', 'x', x);
  if (x.shape.length === 0) return reshape(x, [1]);
  const s = normDim('flatten', startDim, x.shape.length, 'startDim');
  const e = normDim('flatten', endDim, x.shape.length, 'endDim');
  if (s > e) throw new ValueError('flatten', `startDim ${startDim} comes after endDim ${endDim}`);
  const shape = [
    ...x.shape.slice(0, s),
    x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1),
    ...x.shape.slice(e + 1),
  ];
  return reshape(x, shape);
}

/** Removes size-1 dims (all of them, or the given ones). @example squeeze(zeros([2, 1, 3]), 1).shape // [2, 3] */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  checkTensor('squeeze', 'x', x);
  const axes = dim === undefined ? x.shape.map((_, i) => i) : normDims('squeeze', dim, x.shape.length);
  return reshape(
    x,
    x.shape.filter((d, i) => !(d === 1 && axes.includes(i))),
  );
}

/** Inserts a size-1 dim at `dim`. @example unsqueeze(zeros([3]), 0).shape // [1, 3] */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', 'x', x);
  const d = normDim('unsqueeze', dim, x.shape.length + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Stacks equal-shaped tensors along a new dim. @example stack([zeros([2]), ones([2]), zeros([2])], 1).shape // [2, 3] */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new ValueError('stack', 'expected a non-empty array of tensors');
  tensors.forEach((x, i) => {
    checkTensor('stack', `tensors[${i}]`, x);
    if (
      x.shape.length !== tensors[0].shape.length ||
      x.shape.some((d: number, k: number) => d !== tensors[0].shape[k])
    ) {
      throw new ShapeError(
        'stack',
        `tensors[${i}] has shape ${fmtShape(x.shape)} but tensors[0] has shape ${fmtShape(tensors[0].shape)}; they must be equal`,
      );
    }
  });
  const d = normDim('stack', dim, tensors[0].shape.length + 1);
  return cat(
    tensors.map((x) => unsqueeze(x, d)),
    d,
  );
}

/**
 * Splits into pieces of `size` along dim (the last may be smaller), or into the given section sizes.
 * @example split(arange(5), 2) // [0,1], [2,3], [4]
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', 'x', x);
  const axis = normDim('split', dim, x.shape.length);
  const n = x.shape[axis];
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) {
      throw new ValueError('split', `split size must be a positive integer, got ${sizeOrSections}`);
    }
    sizes = [];
    for (let i = 0; i < n; i += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - i));
  } else {
    sizes = [...sizeOrSections];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ShapeError(
        'split',
        `sections ${fmtShape(sizes)} must sum to ${n}, the size of dim ${axis} of ${fmtShape(x.shape)}`,
      );
    }
  }
  let off = 0;
  return sizes.map((s) => {
    const part = narrow(x, axis, off, s);
    off += s;
    return part;
  });
}

/** Splits into `chunks` nearly equal pieces (torch.chunk). @example chunk(arange(6), 3) */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', 'x', x);
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ValueError('chunk', `chunks must be a positive integer, got ${chunks}`);
  const axis = normDim('chunk', dim, x.shape.length);
  const size = Math.max(1, Math.ceil(x.shape[axis] / chunks));
  return split(x, size, axis);
}

/**
 * Rows (or slices along `dim`) picked by a 1-D int32 index, repeats allowed; gradients of repeats add up.
 * @example indexSelect(x, 0, tensor([2, 0, 2], { dtype: 'int32' }))
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('indexSelect', 'x', x);
  checkIndexTensor('indexSelect', 'index', index);
  if (index.shape.length > 1)
    throw new ShapeError('indexSelect', `index must be 1-D, got shape ${fmtShape(index.shape)}`);
  const axis = normDim('indexSelect', dim, x.shape.length);
  checkIndexRange('indexSelect', 'index', index, x.shape[axis] ?? 1);
  return indexSelectTrusted(x, axis, index);
}
