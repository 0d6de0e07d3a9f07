import { ValueError } from '../errors.js';
import { checkDtype } from './dtype.js';
import { fmtShape, sizeOf } from './shape.js';
import { Tensor, type TensorJSON } from './tensor.js';
import { tensor } from './creation.js';

/** True for the `{ dtype, shape, data }` objects `Tensor.toJSON` writes. */
export function isTensorJSON(x: unknown): x is TensorJSON {
  return (
    typeof x === 'object' &&
    x !== null &&
    'dtype' in x &&
    'shape' in x &&
    'data' in x &&
    Array.isArray((x as TensorJSON).data)
  );
}

/**
 * Reads a tensor back from its JSON form (or returns a copy of a tensor), validating dtype and size.
 * @example tensorFromJSON(JSON.parse(JSON.stringify(x)))
 */
export function tensorFromJSON(x: TensorJSON | Tensor, op = 'tensorFromJSON'): Tensor {
  if (x instanceof Tensor) return x.detach().clone();
  if (!isTensorJSON(x)) throw new ValueError(op, 'expected a tensor or its JSON form { dtype, shape, data }');
  const dtype = checkDtype(op, 'dtype', x.dtype);
  if (!Array.isArray(x.shape) || x.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValueError(op, `invalid shape ${JSON.stringify(x.shape)}`);
  }
  if (sizeOf(x.shape) !== x.data.length) {
    throw new ValueError(
      op,
      `shape ${fmtShape(x.shape)} needs ${sizeOf(x.shape)} values, got ${x.data.length}`,
    );
  }
  const values = x.data.map((v) =>
    v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
  );
  return tensor(values, { dtype }).reshape(x.shape);
}
