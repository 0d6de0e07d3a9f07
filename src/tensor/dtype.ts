import { DTypeError } from '../errors.js';

/** Element types. float32 is the default, as in PyTorch. int32 holds indices and labels, bool holds masks. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** The typed array that stores each dtype. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface DTypeMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

let defaultFloat: 'float32' | 'float64' = 'float32';

/** The dtype that floating-point tensors get when none is named (float32 unless changed). */
export function getDefaultDtype(): 'float32' | 'float64' {
  return defaultFloat;
}

/**
 * Sets the default floating-point dtype, like `torch.set_default_dtype`.
 * @example
 * setDefaultDtype('float64'); // tensors made from numbers are float64 from now on
 */
export function setDefaultDtype(dtype: 'float32' | 'float64'): void {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new DTypeError('setDefaultDtype', `dtype must be 'float32' or 'float64', got '${String(dtype)}'`);
  }
  defaultFloat = dtype;
}

export function isFloat(d: DType): d is 'float32' | 'float64' {
  return d === 'float32' || d === 'float64';
}

export function checkDtype(op: string, arg: string, d: unknown): DType {
  if (typeof d !== 'string' || !(DTYPES as readonly string[]).includes(d)) {
    throw new DTypeError(op, `${arg} must be one of ${DTYPES.join(', ')}, got ${String(d)}`);
  }
  return d as DType;
}

export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/**
 * Result dtype of a binary arithmetic op. Floats win over int32 and bool, int32 over bool (as in PyTorch).
 * Mixing float32 with float64 is refused: it is almost always a bug, and silent promotion hides it.
 */
export function promoteTypes(op: string, a: DType, b: DType, aName = 'a', bName = 'b'): DType {
  if (a === b) return a;
  if (isFloat(a) && isFloat(b)) {
    throw new DTypeError(
      op,
      `cannot mix dtypes: ${aName} is ${a} and ${bName} is ${b}; convert one with .to('${a}') or .to('${b}')`,
    );
  }
  if (isFloat(a)) return a;
  if (isFloat(b)) return b;
  return 'int32';
}
