/**
 * The WebAssembly kernels (wasm/src, AssemblyScript) instantiated over one memory, with the bookkeeping
 * the backend needs: a per-call bump arena in which operands are staged, job descriptors, the worker
 * pool and counters of the bytes copied in and out.
 */
import { SINGLE, THREADED } from './kernels.generated.js';
import { CONTROL_WORDS, ThreadPool } from './threads.js';
import { uninit } from '../alloc.js';

interface Exports {
  run(job: number, t: number, nt: number): void;
  heapBase(): number;
  WORK_BYTES: WebAssembly.Global;
}

const PAGE = 65536;
const MAX_PAGES = 32768; // what the module declares: 2 GiB

function bytesOf(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Whether shared WebAssembly memory can be made here (Node; browser pages that are cross-origin isolated). */
function sharedMemoryWorks(): boolean {
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return typeof SharedArrayBuffer !== 'undefined';
  } catch {
    return false;
  }
}

export interface KernelOptions {
  /** Worker threads besides the caller's (0: none). Needs shared memory; ignored without it. */
  workers?: number;
}

/** Compiles the module synchronously (Node, workers), or throws (e.g. a browser's main thread). */
export function compileKernels(shared = sharedMemoryWorks()): {
  module: WebAssembly.Module;
  shared: boolean;
} {
  return { module: new WebAssembly.Module(bytesOf(shared ? THREADED : SINGLE)), shared };
}

/** Compiles the module off the main thread, for browsers' main threads. */
export async function compileKernelsAsync(
  shared = sharedMemoryWorks(),
): Promise<{ module: WebAssembly.Module; shared: boolean }> {
  return { module: await WebAssembly.compile(bytesOf(shared ? THREADED : SINGLE)), shared };
}

export class WasmKernels {
  readonly memory: WebAssembly.Memory;
  private readonly exports: Exports;
  private pool: ThreadPool | null = null;
  private buffer!: ArrayBufferLike;
  i32!: Int32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  /** Job descriptor (256 bytes: int32 words, float64 scalars from byte 64) and shape metadata. */
  readonly job: number;
  readonly meta: number;
  private readonly ctl: number;
  /** Scratch for GEMM packing: one WORK_BYTES area per thread. */
  readonly work: number;
  private readonly workBytes: number;
  private base: number;
  private top = 0;
  /** Every buffer object memory.buffer has been (a shared memory hands out a new one when it grows). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /** Pinned blocks freed by the garbage collector, by size, for reuse. */
  private readonly free = new Map<number, number[]>();
  private readonly unpin = new FinalizationRegistry<[number, number]>(([at, bytes]) => {
    const list = this.free.get(bytes) ?? [];
    list.push(at);
    this.free.set(bytes, list);
    this.pinnedBytes -= bytes;
  });
  /** Bytes held by pinned arrays. */
  pinnedBytes = 0;
  /** Bytes copied into and out of wasm memory (set them to 0 to start counting). */
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly module: WebAssembly.Module,
    readonly shared: boolean,
    options: KernelOptions = {},
  ) {
    const initial = 64;
    this.memory = new WebAssembly.Memory(
      shared ? { initial, maximum: MAX_PAGES, shared: true } : { initial, maximum: MAX_PAGES },
    );
    this.exports = new WebAssembly.Instance(module, { env: { memory: this.memory } })
      .exports as unknown as Exports;
    const align = (x: number) => (x + 63) & ~63;
    this.job = align(this.exports.heapBase());
    this.meta = this.job + 256;
    this.ctl = this.meta + 4096;
    this.work = align(this.ctl + CONTROL_WORDS * 4);
    this.workBytes = this.exports.WORK_BYTES.value as number;
    const workers = shared ? Math.max(0, Math.floor(options.workers ?? 0)) : 0;
    this.base = align(this.work + (workers + 1) * this.workBytes);
    this.top = this.base;
    this.ensure(this.base + PAGE);
    if (workers > 0) {
      const run = this.exports.run;
      this.pool = new ThreadPool(module, this.memory, this.ctl, workers, (j, t, nt) => run(j, t, nt));
    }
  }

  /** Threads a job can use now (the caller's plus started workers). */
  get threads(): number {
    return this.pool ? this.pool.threads : 1;
  }

  /** Stops the worker pool, if any; the kernels keep working on one thread. */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  private views(): void {
    this.buffer = this.memory.buffer;
    this.buffers.add(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
  }

  private ensure(end: number): void {
    if (this.buffer !== this.memory.buffer) this.views();
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES)
      throw new RangeError(`wasm backend: ${end} bytes exceed its 2 GiB memory`);
    // Grow by at least a quarter, so that a growing workload does not grow (and re-view) every call.
    this.memory.grow(Math.min(MAX_PAGES - have / PAGE, Math.max(pages, Math.ceil(have / PAGE / 4))));
    this.views();
  }

  /** Starts a call: the arena is empty again. */
  reset(): void {
    this.top = this.base;
  }

  /** `bytes` of arena, 64-byte aligned and padded to 16 (flat kernels run whole vectors into the pad). */
  alloc(bytes: number): number {
    const p = this.top;
    this.top = (p + bytes + 16 + 63) & ~63;
    this.ensure(this.top);
    return p;
  }

  /** Whether `x` views this module's memory (then its address is x.byteOffset). */
  owns(x: ArrayBufferView): boolean {
    return this.buffers.has(x.buffer);
  }

  /**
   * A copy of `x` in a block of wasm memory of its own, outside the arena, that lives as long as the
   * returned array (a FinalizationRegistry hands the block back). Only with shared memory, whose buffer
   * never detaches when it grows; otherwise null. Call between kernel calls, never while one is staged.
   */
  pin(x: Float32Array | Float64Array): Float32Array | Float64Array | null {
    if (!this.shared) return null;
    const bytes = (x.byteLength + 63) & ~63;
    let at = this.free.get(bytes)?.pop();
    if (at === undefined) {
      // A new block where the arena starts; the arena moves up past it.
      at = this.base;
      this.base += bytes;
      this.top = this.base;
      this.ensure(this.base + PAGE);
    }
    const out =
      x instanceof Float32Array
        ? new Float32Array(this.buffer, at, x.length)
        : new Float64Array(this.buffer, at, x.length);
    out.set(x);
    this.pinnedBytes += bytes;
    this.unpin.register(out, [at, bytes]);
    return out;
  }

  /**
   * The address of a float array's elements in wasm memory: its own if it lives there (unless `copy`:
   * for a kernel that writes into it), else a copy's in the arena.
   */
  put(x: Float32Array | Float64Array | Int32Array, copy = false): number {
    if (!copy && this.buffers.has(x.buffer)) return x.byteOffset;
    const p = this.alloc(x.byteLength);
    if (x instanceof Float32Array) this.f32.set(x, p >> 2);
    else if (x instanceof Float64Array) this.f64.set(x, p >> 3);
    else this.i32.set(x, p >> 2);
    this.bytesIn += x.byteLength;
    return p;
  }

  /** A fresh copy of n floats at address p. */
  take(p: number, f64: boolean, n: number): Float32Array | Float64Array {
    this.bytesOut += n * (f64 ? 8 : 4);
    // Not slice(): from shared memory it is several times slower than set() into a fresh array.
    const out = uninit(f64 ? 'float64' : 'float32', n) as Float32Array | Float64Array;
    out.set(f64 ? this.f64.subarray(p >> 3, (p >> 3) + n) : this.f32.subarray(p >> 2, (p >> 2) + n));
    return out;
  }

  /** Arena room for n floats (float64 when `f64`). */
  allocFloats(n: number, f64: boolean): number {
    return this.alloc(n * (f64 ? 8 : 4));
  }

  /** A fresh copy of n int32s at address p. */
  takeInt32(p: number, n: number): Int32Array {
    this.bytesOut += n * 4;
    const out = new Int32Array(n);
    out.set(this.i32.subarray(p >> 2, (p >> 2) + n));
    return out;
  }

  /** Copies n floats at address p into `dst` (nothing to do when dst is what lives at p). */
  takeInto(p: number, dst: Float32Array | Float64Array): void {
    if (this.buffers.has(dst.buffer) && dst.byteOffset === p) return;
    this.bytesOut += dst.byteLength;
    if (dst instanceof Float32Array) dst.set(this.f32.subarray(p >> 2, (p >> 2) + dst.length));
    else dst.set(this.f64.subarray(p >> 3, (p >> 3) + dst.length));
  }

  /** Runs the job written at `job` on up to `nt` threads. */
  run(nt: number): void {
    if (this.pool && nt > 1) this.pool.dispatch(this.job, Math.min(nt, this.pool.threads));
    else this.exports.run(this.job, 0, 1);
  }
}
