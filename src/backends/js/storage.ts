import type { Backend, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';

/**
 * Storage of the plain-JS backend: a typed array of the dtype's kind. `data` may be swapped for an array
 * with the same elements by a backend that moves them (the wasm backend pins long-lived optimizer
 * operands into its memory); readers always copy (Backend.read), so nobody holds the old one.
 */
export class JsStorage implements Storage {
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    public data: TypedArray,
  ) {}
  get size(): number {
    return this.data.length;
  }
}
