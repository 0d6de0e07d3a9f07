import { ShapeError, ValueError } from '../errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy/PyTorch broadcasting of two shapes; names the op and both shapes when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape, aName = 'a', bName = 'b'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new ShapeError(
        op,
        `shapes do not broadcast: ${aName} has shape ${fmtShape(a)} and ${bName} has shape ${fmtShape(b)} ` +
          `(dim ${i - n} is ${da} vs ${db})`,
      );
    }
  }
  return out;
}

/** Normalizes a possibly negative dim into [0, rank). */
export function normDim(op: string, dim: number, rank: number, arg = 'dim'): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new ValueError(
      op,
      `${arg} ${dim} is out of range for a tensor of rank ${rank} (expected ${-r}..${r - 1})`,
    );
  }
  return dim < 0 ? dim + r : dim;
}

/** Normalizes a dim list (undefined = all dims), sorted and without repeats. */
export function normDims(op: string, dims: number | readonly number[] | undefined, rank: number): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof dims === 'number' ? [dims] : dims;
  const out = list.map((d) => normDim(op, d, rank));
  if (rank === 0) return []; // a scalar reduces over nothing, as in PyTorch (dim 0 or -1 allowed)
  const set = new Set(out);
  if (set.size !== out.length) throw new ValueError(op, `dim ${fmtShape(list)} repeats a dimension`);
  return [...set].sort((x, y) => x - y);
}

/** The most elements a tensor may hold (int32 indexing; typed arrays allow little more). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** A shape argument: an array of non-negative integers whose product fits MAX_ELEMENTS. */
export function checkShapeArg(op: string, shape: readonly number[], arg = 'shape'): void {
  if (!Array.isArray(shape)) {
    const got = typeof shape === 'string' ? `the string '${String(shape).slice(0, 40)}'` : typeof shape;
    throw new ValueError(op, `${arg} must be an array of non-negative integers, got ${got}`);
  }
  if (shape.length > 64)
    throw new ValueError(op, `${arg} has ${shape.length} dims; at most 64 are supported`);
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      const shown = shape.map((v) => (typeof v === 'number' ? v : JSON.stringify(v))).join(', ');
      throw new ValueError(op, `${arg} must hold non-negative integers, got [${shown}]`);
    }
    n *= d;
  }
  checkNumel(op, n, `${arg} ${fmtShape(shape)}`);
}

/** Refuses a tensor of more than MAX_ELEMENTS elements with a typed error (not a RangeError). */
export function checkNumel(op: string, n: number, what: string): void {
  if (n > MAX_ELEMENTS)
    throw new ValueError(
      op,
      `${what} has ${n.toExponential(3)} elements, more than the ${MAX_ELEMENTS} a tensor can hold`,
    );
}
