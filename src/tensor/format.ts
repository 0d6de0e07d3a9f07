import { sizeOf } from './shape.js';
import type { Tensor } from './tensor.js';
import { getDefaultDtype, isFloat } from './dtype.js';

const SUMMARIZE_OVER = 1000;

/** 1.0000e-06, with a two-digit exponent as Python prints it. */
function expo(v: number): string {
  return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}
const EDGE = 3;

/** Chooses one number format for a whole tensor, as PyTorch's printer does. */
function formatter(values: ArrayLike<number>, dtype: string): (v: number) => string {
  if (dtype === 'bool') return (v) => (v ? 'true' : 'false');
  if (dtype === 'int32') return (v) => String(v);
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(Math.abs(values[i]));
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (finite.length === 0) return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
  if (finite.every((v, i) => Number.isInteger(values[i]) || Number.isInteger(v))) {
    const max = Math.max(...finite);
    if (max < 1e8) return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  }
  const nonzero = finite.filter((v) => v !== 0);
  const max = Math.max(...finite);
  const min = nonzero.length ? Math.min(...nonzero) : 0;
  const sci = max > 1e8 || (min > 0 && (min < 1e-4 || max / min > 1000));
  return (v) => (Number.isFinite(v) ? (sci ? expo(v) : v.toFixed(4)) : special(v));
}

/** PyTorch-like text: `tensor([[1.0000, 2.0000], ...], dtype=float64, requiresGrad=true)`. */
export function formatTensor(t: Tensor): string {
  const data = t.dataSync();
  const fmt = formatter(data, t.dtype);
  const summarize = t.size > SUMMARIZE_OVER;
  const cells = new Map<number, string>();
  let width = 0;
  const cell = (i: number) => {
    let s = cells.get(i);
    if (s === undefined) {
      s = fmt(data[i]);
      cells.set(i, s);
    }
    return s;
  };
  // First pass for the column width, over what will be shown.
  const shown = (dim: number, off: number, visit: (i: number) => void) => {
    if (dim === t.shape.length) return visit(off);
    const n = t.shape[dim];
    const stride = sizeOf(t.shape.slice(dim + 1));
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i === EDGE) i = n - EDGE;
      shown(dim + 1, off + i * stride, visit);
    }
  };
  shown(0, 0, (i) => (width = Math.max(width, cell(i).length)));
  const indent = 'tensor('.length;
  const render = (dim: number, off: number): string => {
    if (dim === t.shape.length) return cell(off).padStart(width);
    const n = t.shape[dim];
    const stride = sizeOf(t.shape.slice(dim + 1));
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i === EDGE) {
        parts.push('...');
        i = n - EDGE;
      }
      parts.push(render(dim + 1, off + i * stride));
    }
    const last = dim === t.shape.length - 1;
    const sep = last ? ', ' : ',' + '\n'.repeat(t.shape.length - dim - 1) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = t.size === 0 ? `[]` : render(0, 0);
  const extras: string[] = [];
  if (t.size === 0 && t.shape.length > 1) extras.push(`size=[${t.shape.join(', ')}]`);
  if (!(isFloat(t.dtype) && t.dtype === getDefaultDtype()) && t.dtype !== 'int32' && t.dtype !== 'bool') {
    extras.push(`dtype=${t.dtype}`);
  }
  if (t.dtype === 'int32' && t.size === 0) extras.push('dtype=int32');
  if (t.gradFn) extras.push(`gradFn=${t.gradFn}`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}${extras.map((e) => ', ' + e).join('')})`;
}
