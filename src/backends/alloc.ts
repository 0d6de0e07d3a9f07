import { allocArray, type DType, type TypedArray } from '../tensor/dtype.js';

type BufferModule = { Buffer: { allocUnsafeSlow(bytes: number): { buffer: ArrayBuffer } } };
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const CTOR = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };
const nodeBuffer = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:buffer') as BufferModule | undefined;

/**
 * An output array whose every element the caller writes: not zero-filled where Node can skip it (zeroing
 * and first-touching ~1 MB costs more than most kernels). Own ArrayBuffer at offset 0, as from
 * `new Float32Array(n)`.
 */
export function uninit(dtype: DType, n: number): TypedArray {
  const bytes = n * BYTES[dtype];
  if (bytes < 4096 || !nodeBuffer) return allocArray(dtype, n);
  return new CTOR[dtype](nodeBuffer.Buffer.allocUnsafeSlow(bytes).buffer, 0, n);
}
