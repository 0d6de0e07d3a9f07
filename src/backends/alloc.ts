import { allocArray, type DType, type TypedArray } from '../tensor/dtype.js';

type BufferModule = { Buffer: { allocUnsafeSlow(bytes: number): { buffer: ArrayBuffer } } };
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const CTOR = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };
const nodeBuffer = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:buffer') as BufferModule | undefined;

// Small outputs are carved from shared 64 KiB slabs: a fresh small ArrayBuffer costs ~2 us (more than
// a small kernel) and tiny models make thousands per second. A slab is freed once every array carved
// from it is garbage, so a long-lived small array keeps at most 64 KiB alive.
const SLAB = 65536;
let slab = new ArrayBuffer(SLAB);
let slabTop = 0;

function carve(dtype: DType, n: number, bytes: number): TypedArray {
  if (slabTop + bytes > SLAB) {
    slab = new ArrayBuffer(SLAB);
    slabTop = 0;
  }
  const out = new CTOR[dtype](slab, slabTop, n);
  slabTop += (bytes + 7) & ~7; // 8-byte aligned for every element type
  return out;
}

/**
 * An output array whose every element the caller writes: not zero-filled where Node can skip it (zeroing
 * and first-touching ~1 MB costs more than most kernels). Large ones own their ArrayBuffer; small ones
 * (under 4 KiB) are carved from a shared slab (see above), so their contents start as whatever an
 * earlier array there held.
 */
export function uninit(dtype: DType, n: number): TypedArray {
  const bytes = n * BYTES[dtype];
  if (bytes === 0) return allocArray(dtype, n);
  if (bytes < 4096) return carve(dtype, n, bytes);
  if (!nodeBuffer) return allocArray(dtype, n);
  return new CTOR[dtype](nodeBuffer.Buffer.allocUnsafeSlow(bytes).buffer, 0, n);
}
