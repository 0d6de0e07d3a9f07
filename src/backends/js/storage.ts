import type { Backend, Storage } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';

/** Storage of the plain-JS backend: a typed array of the dtype's kind. */
export class JsStorage implements Storage {
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly data: TypedArray,
  ) {}
  get size(): number {
    return this.data.length;
  }
}
