/**
 * The WebGPU backend, first slice: device-resident storage (one GPU buffer per tensor, 32-bit words),
 * uploads, asynchronous reads, and the elementwise core (every unary and binary op code, with
 * broadcasting) as WGSL kernels whose pipelines are cached by source. Synchronous reads and float64 are
 * typed errors that say what to do instead. The rest of the core (reductions, matmul, layout, indexing,
 * sort) throws WebGPUNotYetError naming the kernel; docs/webgpu.md has the plan. Not registered as a
 * selectable backend until it passes the whole suite.
 */
import { DescendError, DTypeError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import type { Backend, BinaryOp, Storage, UnaryOp } from '../backend.js';
import { binaryShader, type DeviceDType, unaryShader, WORKGROUP } from './elementwise-wgsl.js';
import { MAP_READ, USAGE, type GpuBuffer, type GpuComputePipeline, type GpuDevice } from './gpu-types.js';

/** A kernel this slice of the backend does not have yet. */
export class WebGPUNotYetError extends DescendError {}

/** A tensor's elements on the device. */
export class GpuStorage implements Storage {
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly size: number,
    readonly buffer: GpuBuffer,
  ) {}
}

const deviceDtype = (op: string, d: DType): DeviceDType => {
  if (d === 'float64')
    throw new DTypeError(
      op,
      "float64 stays on the CPU backends (WebGPU computes in float32): use .to('float32'), or withBackend('wasm'|'native'|'js', ...) for float64",
    );
  return d;
};

/** Counts of what the backend did, for tests and the bench (kernels, uploads, reads back). */
export interface WebGPUCounters {
  dispatches: number;
  buffers: number;
  liveBuffers: number;
  liveBytes: number;
  readbacks: number;
  pipelines: number;
}

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  readonly counters: WebGPUCounters = {
    dispatches: 0,
    buffers: 0,
    liveBuffers: 0,
    liveBytes: 0,
    readbacks: 0,
    pipelines: 0,
  };
  private readonly pipelines = new Map<string, GpuComputePipeline>();
  // Buffers of tensors the program dropped go back to the device (no dispose in user code).
  private readonly finalizer = new FinalizationRegistry<{ buffer: GpuBuffer; bytes: number }>(
    ({ buffer, bytes }) => {
      buffer.destroy();
      this.counters.liveBuffers--;
      this.counters.liveBytes -= bytes;
    },
  );

  /** The first error the device reported (a shader that failed to compile, a bad binding), if any. */
  private deviceError: string | null = null;

  constructor(
    readonly device: GpuDevice,
    /** The adapter, as the registry reports it. */
    readonly adapterName = 'unknown',
  ) {
    // A failed kernel leaves its output unwritten: the next read fails with the device's message
    // instead of returning zeros.
    device.addEventListener?.('uncapturederror', (e) => {
      this.deviceError ??= String((e as { error?: { message?: string } }).error?.message ?? e).split(
        '\n',
      )[0]!;
    });
  }

  private alloc(dtype: DType, size: number): GpuStorage {
    const bytes = Math.max(4, size * 4);
    const buffer = this.device.createBuffer({
      size: bytes,
      usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST,
    });
    const s = new GpuStorage(this, dtype, size, buffer);
    this.counters.buffers++;
    this.counters.liveBuffers++;
    this.counters.liveBytes += bytes;
    this.finalizer.register(s, { buffer, bytes });
    return s;
  }

  private words(dtype: DeviceDType, values: ArrayLike<number>): Float32Array | Int32Array | Uint32Array {
    if (dtype === 'float32') return Float32Array.from(values);
    if (dtype === 'int32') return Int32Array.from(values);
    return Uint32Array.from(values, (v) => (v ? 1 : 0));
  }

  fromArray(dtype: DType, values: ArrayLike<number>): Storage {
    const d = deviceDtype('webgpu.fromArray', dtype);
    const s = this.alloc(dtype, values.length);
    if (values.length) this.device.queue.writeBuffer(s.buffer, 0, this.words(d, values));
    return s;
  }

  full(dtype: DType, size: number, value: number): Storage {
    const d = deviceDtype('webgpu.full', dtype);
    const s = this.alloc(dtype, size);
    if (size && value !== 0)
      this.device.queue.writeBuffer(s.buffer, 0, this.words(d, new Array(size).fill(value)));
    return s;
  }

  read(_s: Storage): TypedArray {
    throw new DescendError(
      'webgpu',
      "a WebGPU tensor's elements are on the device and cannot be read synchronously: use await t.data(), await t.array() or await t.itemAsync()",
    );
  }

  readOne(s: Storage, _index: number): number {
    return this.read(s) as never;
  }

  async readAsync(st: Storage): Promise<TypedArray> {
    const s = st as GpuStorage;
    const bytes = Math.max(4, s.size * 4);
    const staging = this.device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(s.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    this.counters.readbacks++;
    await staging.mapAsync(MAP_READ);
    if (this.deviceError) {
      staging.unmap();
      staging.destroy();
      throw new DescendError(
        'webgpu',
        `a kernel failed on the device, so its results are not valid: ${this.deviceError}`,
      );
    }
    const raw = staging.getMappedRange().slice(0, s.size * 4);
    staging.unmap();
    staging.destroy();
    if (s.dtype === 'float32') return new Float32Array(raw);
    if (s.dtype === 'int32') return new Int32Array(raw);
    return Uint8Array.from(new Uint32Array(raw), (v) => (v ? 1 : 0));
  }

  private pipeline(code: string): GpuComputePipeline {
    let p = this.pipelines.get(code);
    if (!p) {
      p = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module: this.device.createShaderModule({ code }), entryPoint: 'main' },
      });
      this.pipelines.set(code, p);
      this.counters.pipelines++;
    }
    return p;
  }

  private uniform(n: number): GpuBuffer {
    const b = this.device.createBuffer({ size: 16, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.device.queue.writeBuffer(b, 0, Uint32Array.of(n, 0, 0, 0));
    return b;
  }

  /** Runs `code` over n elements; `scratch` (uniforms, shape tables) is released once submitted. */
  private dispatch(code: string, buffers: GpuBuffer[], n: number, scratch: GpuBuffer[] = []): void {
    const p = this.pipeline(code);
    const groups = Math.ceil(n / WORKGROUP);
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    const x = Math.min(groups, max);
    const y = Math.ceil(groups / x);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p);
    pass.setBindGroup(
      0,
      this.device.createBindGroup({
        layout: p.getBindGroupLayout(0),
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      }),
    );
    pass.dispatchWorkgroups(x, y);
    pass.end();
    this.device.queue.submit([enc.finish()]);
    this.counters.dispatches++;
    // Destroying after submit is valid: the device frees them once the queued work is done.
    for (const b of scratch) b.destroy();
  }

  unary(op: UnaryOp, st: Storage, outDtype: DType): Storage {
    const s = st as GpuStorage;
    const inT = deviceDtype(`webgpu.${op}`, s.dtype);
    const outT = deviceDtype(`webgpu.${op}`, outDtype);
    this.exactInts(op, inT, outT);
    const out = this.alloc(outDtype, s.size);
    if (s.size) {
      const u = this.uniform(s.size);
      this.dispatch(unaryShader(op, inT, outT), [s.buffer, out.buffer, u], s.size, [u]);
    }
    return out;
  }

  binary(
    op: BinaryOp,
    at: Storage,
    aShape: Shape,
    bt: Storage,
    bShape: Shape,
    shape: Shape,
    outDtype: DType,
  ): Storage {
    const a = at as GpuStorage;
    const b = bt as GpuStorage;
    const aT = deviceDtype(`webgpu.${op}`, a.dtype);
    const bT = deviceDtype(`webgpu.${op}`, b.dtype);
    const outT = deviceDtype(`webgpu.${op}`, outDtype);
    this.exactInts(op, aT, outT);
    this.exactInts(op, bT, outT);
    const n = sizeOf(shape);
    const out = this.alloc(outDtype, n);
    if (!n) return out;
    const rank = shape.length;
    const bstrides = (s: Shape) => {
      // Right-aligned broadcasting: size-1 (or missing) axes get stride 0.
      const st = stridesOf(s);
      return shape.map((_, i) => {
        const j = i - (rank - s.length);
        return j < 0 || s[j] === 1 ? 0 : st[j]!;
      });
    };
    const meta = Uint32Array.from([rank, ...shape, ...bstrides(aShape), ...bstrides(bShape)]);
    const metaBuf = this.device.createBuffer({
      size: Math.max(16, meta.byteLength),
      usage: USAGE.STORAGE | USAGE.COPY_DST,
    });
    this.device.queue.writeBuffer(metaBuf, 0, meta);
    const u = this.uniform(n);
    this.dispatch(binaryShader(op, aT, bT, outT), [a.buffer, b.buffer, out.buffer, u, metaBuf], n, [
      u,
      metaBuf,
    ]);
    return out;
  }

  /** int32 arithmetic would round through float32 above 2^24: refused until it has its own kernels. */
  private exactInts(op: string, inT: DeviceDType, outT: DeviceDType): void {
    if (inT === 'int32' && outT === 'int32')
      throw new WebGPUNotYetError(
        `webgpu.${op}`,
        'int32 arithmetic is not on WebGPU yet (float32 and bool are)',
      );
  }

  copyInto(dst: Storage, src: Storage): void {
    const d = dst as GpuStorage;
    const s = src as GpuStorage;
    if (d.dtype !== s.dtype)
      throw new WebGPUNotYetError('webgpu.copyInto', 'a converting copy is not on WebGPU yet');
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(s.buffer, 0, d.buffer, 0, Math.max(4, s.size * 4));
    this.device.queue.submit([enc.finish()]);
  }

  private notYet(kernel: string): never {
    throw new WebGPUNotYetError(
      `webgpu.${kernel}`,
      'this kernel is not on WebGPU yet (elementwise ops are); see docs/webgpu.md',
    );
  }
  cast(): Storage {
    return this.notYet('cast');
  }
  where(): Storage {
    return this.notYet('where');
  }
  reduce(): Storage {
    return this.notYet('reduce');
  }
  argReduce(): Storage {
    return this.notYet('argReduce');
  }
  matmul(): Storage {
    return this.notYet('matmul');
  }
  strided(): Storage {
    return this.notYet('strided');
  }
  stridedScatterAdd(): Storage {
    return this.notYet('stridedScatterAdd');
  }
  concat(): Storage {
    return this.notYet('concat');
  }
  gather(): Storage {
    return this.notYet('gather');
  }
  scatterAdd(): Storage {
    return this.notYet('scatterAdd');
  }
  argsort(): Storage {
    return this.notYet('argsort');
  }
  cumsum(): Storage {
    return this.notYet('cumsum');
  }
}
