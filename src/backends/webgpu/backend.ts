/**
 * The WebGPU backend, first slice: device-resident storage (one GPU buffer per tensor, 32-bit words),
 * uploads, asynchronous reads, and the elementwise core (every unary and binary op code, with
 * broadcasting) as WGSL kernels whose pipelines are cached by source. Synchronous reads and float64 are
 * typed errors that say what to do instead. The rest of the core (reductions, matmul, layout, indexing,
 * sort) throws WebGPUNotYetError naming the kernel; docs/webgpu.md has the plan. Not registered as a
 * selectable backend until it passes the whole suite.
 */
import { DescendError, DTypeError, ValueError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import type { Backend, BinaryOp, MatmulShape, ReduceOp, Storage, UnaryOp } from '../backend.js';
import {
  BINARY_I32,
  binaryShader,
  type DeviceDType,
  UNARY_I32,
  unaryShader,
  WORKGROUP,
} from './elementwise-wgsl.js';
import {
  argReduceShader,
  castShader,
  copyRowsShader,
  cumsumShader,
  matmulShader,
  MATMUL_TILE,
  tiledMatmulShader,
  reduceShader,
  REDUCE_CHUNK,
  stridedShader,
  whereShader,
} from './core-wgsl.js';
import {
  argsortShader,
  gatherShader,
  scatterAddShader,
  checkIndicesShader,
  STATUS_CHECKS,
  STATUS_KERNELS,
  STATUS_WORDS,
  stridedScatterAddShader,
} from './index-wgsl.js';
import { BufferPool } from './buffer-pool.js';
import { countOps, type Expr, fusedKernel, type Leaf, leavesOf, MAX_OPS, MAX_LEAVES } from './fusion.js';
import { MAP_READ, USAGE, type GpuBuffer, type GpuComputePipeline, type GpuDevice } from './gpu-types.js';

/** Strides of `s` read as `shape` (right-aligned broadcasting: size-1 or missing axes get stride 0). */
function broadcastTo(s: Shape, shape: Shape): number[] {
  const st = stridesOf(s);
  const rank = shape.length;
  return shape.map((_, i) => {
    const j = i - (rank - s.length);
    return j < 0 || s[j] === 1 ? 0 : st[j]!;
  });
}

/** Buffers made since the last collection that trigger the next one (each has a driver cost). */
const COLLECT_EVERY_BUFFERS = 2048;

/** A kernel this slice of the backend does not have yet. */
export class WebGPUNotYetError extends DescendError {}

/** A tensor's elements on the device. */
/**
 * A storage's buffer. Pending fused chains hold the holder, not the storage: a write into the storage
 * while chains still read its old value gives the storage a new holder and leaves them the old one,
 * which goes back to the pool when the last of them has run or been dropped.
 */
export interface BufferHolder {
  buffer: GpuBuffer | null;
  readonly owner: GpuStorage;
}

export class GpuStorage implements Storage {
  /** Set when the library released it (a temporary of backward or of an optimizer step). */
  released = false;
  /** A fused chain not run yet (fusion.ts): the buffer is made when the value is first needed. */
  expr: Expr<BufferHolder> | null = null;
  /** Pending chains that read this storage (a write then gives it a new buffer). */
  readers: Set<WeakRef<GpuStorage>> | null = null;
  /** This storage as a reader, for its operands' `readers`. */
  readonly self = new WeakRef(this);
  /** Its one value when every element is known to hold it (made by full, never written since). */
  constant: number | undefined = undefined;
  /** @internal null while a fused chain is pending. */
  holder: BufferHolder | null = null;
  constructor(
    readonly backend: WebGPUBackend,
    readonly dtype: DType,
    readonly size: number,
  ) {}
  get buffer(): GpuBuffer {
    if (!this.released && this.expr) this.backend.materialize(this);
    const b = this.holder?.buffer;
    if (this.released || !b)
      throw new DescendError(
        'webgpu',
        `a tensor of ${this.size} elements was used after descend released it: it was made inside backward() or an optimizer's step() and kept by a reference descend does not know (keep what you need from a hook by cloning it)`,
      );
    return b;
  }
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
  /** Bytes of idle buffers kept for reuse. */
  pooledBytes: number;
  /** Collections requested because device memory grew (see the constructor's `collect`). */
  collections: number;
  /** Bytes copied back to the host (the data and the status words of every read). */
  bytesRead: number;
}

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  readonly readsAsyncOnly = true;
  readonly counters: WebGPUCounters = {
    dispatches: 0,
    buffers: 0,
    liveBuffers: 0,
    liveBytes: 0,
    readbacks: 0,
    pipelines: 0,
    pooledBytes: 0,
    collections: 0,
    bytesRead: 0,
  };
  private readonly pipelines = new Map<string, GpuComputePipeline>();
  // Buffers of tensors the program dropped go back to the device (no dispose in user code).
  // A holder no storage or pending chain reaches: its buffer goes back to the pool.
  private readonly finalizer = new FinalizationRegistry<GpuBuffer>((buffer) => this.recycle(buffer));
  private readonly buffers: BufferPool;
  /** Storage made inside each open scope (innermost last): see beginScope. */
  private readonly scopes: Set<GpuStorage>[] = [];

  /** The first error the device reported (a shader that failed to compile, a bad binding), if any. */
  private deviceError: string | null = null;
  /** Errors kernels find in their inputs (an index out of bounds): read, and cleared, with every read. */
  private readonly status: GpuBuffer;
  /** The errors of the index checks dispatched since the last read, by status code - STATUS_CHECKS. */
  private checks: ((position: number, value: number) => Error)[] = [];

  /** Live bytes when the collector last ran at our request (see `collect`). */
  private bytesAtCollect = 0;
  private buffersAtCollect = 0;

  constructor(
    readonly device: GpuDevice,
    /** The adapter, as the registry reports it. */
    readonly adapterName = 'unknown',
    /**
     * Runs the JS collector (Node: v8's gc, obtained by initWebGPU), so that the buffers of tensors the
     * program dropped come back while GPU memory grows: the collector sees a tensor's few JS bytes, not
     * its device buffer. Absent (browsers), the collector runs on its own schedule.
     */
    private readonly collect?: () => void,
    /** Device bytes made since the last collection that trigger the next one. */
    readonly collectEvery = 64 * 2 ** 20,
  ) {
    this.buffers = new BufferPool(device);
    this.status = device.createBuffer({
      size: STATUS_WORDS * 4,
      usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST,
    });
    // A failed kernel leaves its output unwritten: the next read fails with the device's message
    // instead of returning zeros.
    device.addEventListener?.('uncapturederror', (e) => {
      this.deviceError ??= String((e as { error?: { message?: string } }).error?.message ?? e).split(
        '\n',
      )[0]!;
    });
  }

  private alloc(dtype: DType, size: number): GpuStorage {
    const s = new GpuStorage(this, dtype, size);
    this.attach(s);
    this.scopes.at(-1)?.add(s);
    return s;
  }

  /** Gives `s` its buffer (from the pool), counted and handed back by the collector when dropped. */
  private attach(s: GpuStorage): GpuBuffer {
    const buffer = this.buffers.take(s.size * 4);
    const holder: BufferHolder = { buffer, owner: s };
    s.holder = holder;
    this.counters.buffers = this.buffers.created;
    this.counters.liveBuffers++;
    this.counters.liveBytes += buffer.size;
    // Dropped by the program: the collector hands the buffer back (no dispose in user code).
    this.finalizer.register(holder, buffer, holder);
    const c = this.counters;
    if (
      this.collect &&
      (c.liveBytes - this.bytesAtCollect > this.collectEvery ||
        c.liveBuffers - this.buffersAtCollect > COLLECT_EVERY_BUFFERS)
    ) {
      this.collect();
      c.collections++;
      this.bytesAtCollect = c.liveBytes;
      this.buffersAtCollect = c.liveBuffers;
    }
    return buffer;
  }

  /**
   * Runs the collector (where the backend has one) and lets its callbacks return the buffers of
   * dropped tensors to the pool: for measurements that want the pool warm. Training needs no call.
   */
  async reclaim(): Promise<void> {
    this.collect?.();
    await new Promise((r) => setTimeout(r, 0));
  }

  /** Whether matmul runs tiled in workgroup memory (true) or one thread per output (false). */
  tiledMatmul = true;

  /** Whether elementwise chains are fused (true); false runs every op as its own kernel. */
  fusion = true;

  /** A pending chain computing `expr`, of `size` elements of `dtype`. */
  private lazy(dtype: DType, size: number, expr: Expr<BufferHolder>): GpuStorage {
    const s = new GpuStorage(this, dtype, size);
    s.expr = expr;
    for (const { owner: leaf } of leavesOf(expr)) {
      leaf.readers ??= new Set();
      if (leaf.readers.size > 64) for (const r of leaf.readers) if (!r.deref()?.expr) leaf.readers.delete(r);
      leaf.readers.add(s.self);
    }
    this.scopes.at(-1)?.add(s);
    return s;
  }

  /** Runs a pending chain as one kernel; its buffer. */
  materialize(s: GpuStorage): GpuBuffer {
    const expr = s.expr!;
    const { code, table, leaves } = fusedKernel(expr, deviceDtype('webgpu.fused', s.dtype));
    const inputs = leaves.map((h) => h.buffer ?? h.owner.buffer);
    const buffer = this.attach(s);
    s.expr = null;
    for (const h of leaves) h.owner.readers?.delete(s.self);
    if (s.size) {
      const u = this.uniform(s.size);
      const info = this.device.createBuffer({
        size: Math.max(16, table.length * 4),
        usage: USAGE.STORAGE | USAGE.COPY_DST,
      });
      this.device.queue.writeBuffer(info, 0, Uint32Array.from(table));
      this.dispatch(code, [...inputs, buffer, u, info], s.size, [u, info]);
    }
    return buffer;
  }

  /** Whether pending chains still read `s` (then a write must not touch its buffer). */
  private hasReaders(s: GpuStorage): boolean {
    if (!s.readers) return false;
    for (const r of s.readers) if (r.deref()?.expr) return true;
    s.readers.clear();
    return false;
  }

  /** `s` as an operand of a chain: its expression if it is a pending chain short enough, else a leaf. */
  private operand(s: GpuStorage, t: DeviceDType, strided: Leaf<BufferHolder>['strided']): Expr<BufferHolder> {
    if (s.constant !== undefined && t !== 'int32')
      return { kind: 'const', value: t === 'bool' ? (s.constant ? 1 : 0) : s.constant };
    if (s.expr && !strided && countOps(s.expr) < MAX_OPS) return s.expr;
    void s.buffer; // a leaf is materialized
    return { kind: 'leaf', leaf: { storage: s.holder!, dtype: t, strided } };
  }

  /** Whether a chain reads few enough storages for one kernel (else the op runs on its own). */
  private fusable(e: Expr<BufferHolder>): boolean {
    return leavesOf(e).length <= MAX_LEAVES;
  }

  private recycle(buffer: GpuBuffer): void {
    this.counters.liveBuffers--;
    this.counters.liveBytes -= buffer.size;
    this.bytesAtCollect = Math.min(this.bytesAtCollect, this.counters.liveBytes);
    this.buffersAtCollect = Math.min(this.buffersAtCollect, this.counters.liveBuffers);
    this.buffers.give(buffer);
    this.counters.pooledBytes = this.buffers.idleBytes;
  }

  /**
   * Opens a scope: the storage made until the matching endScope is the library's own temporaries
   * (backward's, an optimizer step's) unless kept. Scopes nest.
   */
  beginScope(): void {
    this.scopes.push(new Set());
  }

  /**
   * Closes the innermost scope: its storage not in `keep` goes back to the pool now, without waiting
   * for the collector; kept storage belongs to the enclosing scope, if any.
   */
  endScope(keep: ReadonlySet<Storage>): void {
    const made = this.scopes.pop();
    if (!made) return;
    const outer = this.scopes.at(-1);
    // What is kept and still pending runs first: its operands may be among what is released.
    for (const s of made) if (keep.has(s) && s.expr) this.materialize(s);
    for (const s of made) {
      if (keep.has(s)) outer?.add(s);
      else if (!s.released) {
        s.released = true;
        if (s.expr) {
          for (const h of leavesOf(s.expr)) h.owner.readers?.delete(s.self);
          s.expr = null;
        } else if (s.holder?.buffer) {
          this.finalizer.unregister(s.holder);
          this.recycle(s.holder.buffer);
          s.holder.buffer = null;
        }
      }
    }
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
    if (values.length === 1) s.constant = this.words(d, values)[0];
    return s;
  }

  full(dtype: DType, size: number, value: number): Storage {
    const d = deviceDtype('webgpu.full', dtype);
    const s = this.alloc(dtype, size);
    if (!size) return s;
    // A pooled buffer holds its last tensor's values: zeros are cleared on the device.
    if (value === 0) this.clear(s);
    else this.device.queue.writeBuffer(s.buffer, 0, this.words(d, new Array(size).fill(value)));
    // Known on the host: a fused chain reads it from its table instead of a binding.
    s.constant = this.words(d, [value])[0];
    return s;
  }

  private clear(s: GpuStorage): void {
    const enc = this.device.createCommandEncoder();
    enc.clearBuffer(s.buffer, 0, Math.max(4, s.size * 4));
    this.device.queue.submit([enc.finish()]);
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
    const statusBytes = STATUS_WORDS * 4;
    // The status words travel in the same staging buffer, after the data: one map per read.
    const staging = this.device.createBuffer({
      size: bytes + statusBytes,
      usage: USAGE.MAP_READ | USAGE.COPY_DST,
    });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(s.buffer, 0, staging, 0, bytes);
    enc.copyBufferToBuffer(this.status, 0, staging, bytes, statusBytes);
    this.device.queue.submit([enc.finish()]);
    this.counters.readbacks++;
    this.counters.bytesRead += bytes + statusBytes;
    await staging.mapAsync(MAP_READ);
    // One getMappedRange per map: Dawn refuses a second, overlapping one.
    const mapped = staging.getMappedRange().slice(0);
    const status = new Int32Array(mapped, bytes, STATUS_WORDS);
    const checks = this.checks;
    this.checks = [];
    if (status[0]) {
      staging.unmap();
      staging.destroy();
      this.device.queue.writeBuffer(this.status, 0, new Uint32Array(STATUS_WORDS));
      const check = checks[status[0] - STATUS_CHECKS];
      if (check) throw check(status[2]!, status[1]!);
      // What the CPU backends throw at the call: on the device it surfaces at the next read.
      throw new ValueError(
        STATUS_KERNELS[status[0]] ?? 'webgpu',
        `index ${status[1]} is out of bounds for dim ${status[2]} with size ${status[3]} (found on the device, reported at the next read)`,
      );
    }
    if (this.deviceError) {
      staging.unmap();
      staging.destroy();
      throw new DescendError(
        'webgpu',
        `a kernel failed on the device, so its results are not valid: ${this.deviceError}`,
      );
    }
    const raw = mapped.slice(0, s.size * 4);
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
  private dispatch(
    code: string,
    buffers: GpuBuffer[],
    n: number,
    scratch: GpuBuffer[] = [],
    /** Workgroups: a count (laid out on a 2-D grid), or the grid itself. */
    groups: number | readonly [number, number] = Math.ceil(n / WORKGROUP),
  ): void {
    const p = this.pipeline(code);
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    const x = typeof groups === 'number' ? Math.min(groups, max) : groups[0];
    const y = typeof groups === 'number' ? Math.ceil(groups / x) : groups[1];
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
    this.exactInts(op, UNARY_I32, inT, outT);
    if (this.fusion && inT !== 'int32' && outT !== 'int32') {
      const e: Expr<BufferHolder> = { kind: 'unary', op, outT, x: this.operand(s, inT, null) };
      if (this.fusable(e)) return this.lazy(outDtype, s.size, e);
    }
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
    this.exactInts(op, BINARY_I32, aT, outT);
    this.exactInts(op, BINARY_I32, bT, outT);
    const n = sizeOf(shape);
    if (this.fusion && n && aT !== 'int32' && bT !== 'int32' && outT !== 'int32') {
      // An operand read element for element fuses; a broadcast one is a leaf read through its strides.
      const contiguous = stridesOf(shape);
      const side = (st: GpuStorage, t: DeviceDType, sh: Shape) => {
        const strides = broadcastTo(sh, shape);
        const flat = st.size === n && strides.every((v, i) => v === contiguous[i]);
        return this.operand(st, t, flat ? null : { shape, strides });
      };
      const e: Expr<BufferHolder> = {
        kind: 'binary',
        op,
        outT,
        a: side(a, aT, aShape),
        b: side(b, bT, bShape),
      };
      if (this.fusable(e)) return this.lazy(outDtype, n, e);
    }
    const out = this.alloc(outDtype, n);
    if (!n) return out;
    const meta = Uint32Array.from([
      shape.length,
      ...shape,
      ...broadcastTo(aShape, shape),
      ...broadcastTo(bShape, shape),
    ]);
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

  /** int32 results the i32 tables do not cover would round through float32 above 2^24: refused. */
  private exactInts(op: string, table: object, inT: DeviceDType, outT: DeviceDType): void {
    if (inT === 'int32' && outT === 'int32' && !(op in table))
      throw new WebGPUNotYetError(`webgpu.${op}`, `${op} of int32 is not on WebGPU yet (float32 is)`);
  }

  copyInto(dst: Storage, src: Storage): void {
    const d = dst as GpuStorage;
    const s = src as GpuStorage;
    if (d.dtype !== s.dtype)
      throw new WebGPUNotYetError('webgpu.copyInto', 'a converting copy is not on WebGPU yet');
    const from = s.buffer;
    // Chains still reading d's old value keep its buffer; d takes a new one.
    const swap = this.hasReaders(d);
    const to = swap ? this.attach(d) : d.buffer;
    if (swap) d.readers!.clear();
    d.constant = undefined;
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(from, 0, to, 0, Math.max(4, s.size * 4));
    this.device.queue.submit([enc.finish()]);
  }

  /** Runs a core kernel: inputs, the output, the element count, and the u32 index table if any. */
  private run(
    code: string,
    inputs: GpuBuffer[],
    out: GpuStorage,
    n: number,
    info?: ArrayLike<number>,
    groups?: number | readonly [number, number],
  ): GpuStorage {
    if (!n) return out;
    const u = this.uniform(n);
    const scratch = [u];
    const buffers = [...inputs, out.buffer, u];
    if (info) {
      const words = Uint32Array.from(info);
      const b = this.device.createBuffer({
        size: Math.max(16, words.byteLength),
        usage: USAGE.STORAGE | USAGE.COPY_DST,
      });
      this.device.queue.writeBuffer(b, 0, words);
      buffers.push(b);
      scratch.push(b);
    }
    this.dispatch(code, buffers, n, scratch, groups);
    return out;
  }

  /** float32 or int32 (bool arrives cast by the ops); these kernels have exact int32 versions. */
  private floatOrInt(op: string, d: DType): 'float32' | 'int32' {
    deviceDtype(`webgpu.${op}`, d);
    if (d === 'float32' || d === 'int32') return d;
    throw new WebGPUNotYetError(`webgpu.${op}`, `${d} input is not on WebGPU yet (float32 and int32 are)`);
  }

  /** Refused unless float32: these kernels compute in f32 and would round int32 above 2^24. */
  private floatOnly(op: string, ...ds: DType[]): void {
    for (const d of ds) {
      deviceDtype(`webgpu.${op}`, d);
      if (d !== 'float32')
        throw new WebGPUNotYetError(`webgpu.${op}`, `${d} input is not on WebGPU yet (float32 is)`);
    }
  }

  cast(st: Storage, to: DType): Storage {
    const s = st as GpuStorage;
    const from = deviceDtype('webgpu.cast', s.dtype);
    const t = deviceDtype('webgpu.cast', to);
    return this.run(castShader(from, t), [s.buffer], this.alloc(to, s.size), s.size);
  }

  where(
    c: Storage,
    cShape: Shape,
    a: Storage,
    aShape: Shape,
    b: Storage,
    bShape: Shape,
    shape: Shape,
  ): Storage {
    const [cs, as, bs] = [c as GpuStorage, a as GpuStorage, b as GpuStorage];
    const cT = deviceDtype('webgpu.where', cs.dtype);
    const vT = deviceDtype('webgpu.where', as.dtype);
    const n = sizeOf(shape);
    const info = [
      shape.length,
      ...shape,
      ...broadcastTo(cShape, shape),
      ...broadcastTo(aShape, shape),
      ...broadcastTo(bShape, shape),
    ];
    return this.run(whereShader(cT, vT), [cs.buffer, as.buffer, bs.buffer], this.alloc(as.dtype, n), n, info);
  }

  reduce(op: ReduceOp, st: Storage, shape: Shape, axes: readonly number[]): Storage {
    const s = st as GpuStorage;
    const t = this.floatOrInt(op, s.dtype);
    const n = sizeOf(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    const info = [
      shape.length,
      ...shape,
      ...stridesOf(shape),
      ...shape.map((_, i) => (axes.includes(i) ? 1 : 0)),
    ];
    // Long rows are split into chunks; the chunks' partials are reduced in turn.
    const chunks = Math.max(1, Math.ceil(s.size / Math.max(n, 1) / REDUCE_CHUNK));
    const partial = this.run(reduceShader(op, t), [s.buffer], this.alloc(s.dtype, n * chunks), n * chunks, [
      ...info,
      chunks,
    ]);
    return chunks === 1 ? partial : this.reduce(op, partial, [n, chunks], [1]);
  }

  argReduce(op: 'argmax' | 'argmin', st: Storage, shape: Shape, axis: number): Storage {
    const s = st as GpuStorage;
    const t = this.floatOrInt(op, s.dtype);
    const inner = sizeOf(shape.slice(axis + 1));
    const n = sizeOf(shape.slice(0, axis)) * inner;
    return this.run(argReduceShader(op, t), [s.buffer], this.alloc('int32', n), n, [shape[axis]!, inner]);
  }

  matmul(a: Storage, b: Storage, m: MatmulShape): Storage {
    const [as, bs] = [a as GpuStorage, b as GpuStorage];
    this.floatOnly('matmul', as.dtype, bs.dtype);
    const n = m.batch * m.m * m.n;
    const info = [m.m, m.k, m.n, m.transA ? 1 : 0, m.transB ? 1 : 0];
    // Chosen by shape: tiles pay where both output sides fill a tile and k is long enough to amortize
    // the barriers. Measured on SwiftShader (docs/webgpu.md): 128x784x256 took 400 ms tiled against
    // 537 untiled, 6x25x9216 took 357 against 25.
    const tiles = Math.ceil(m.m / MATMUL_TILE) * Math.ceil(m.n / MATMUL_TILE);
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    const fills = m.m >= MATMUL_TILE && m.n >= MATMUL_TILE && m.k >= 4 * MATMUL_TILE;
    if (this.tiledMatmul && fills && tiles <= max && m.batch <= max)
      return this.run(tiledMatmulShader(), [as.buffer, bs.buffer], this.alloc('float32', n), n, info, [
        tiles,
        m.batch,
      ]);
    return this.run(matmulShader(), [as.buffer, bs.buffer], this.alloc('float32', n), n, info);
  }

  strided(st: Storage, outShape: Shape, strides: readonly number[], offset: number): Storage {
    const s = st as GpuStorage;
    const t = deviceDtype('webgpu.strided', s.dtype);
    const n = sizeOf(outShape);
    const info = [outShape.length, ...outShape, ...strides, offset];
    return this.run(stridedShader(t), [s.buffer], this.alloc(s.dtype, n), n, info);
  }

  concat(parts: readonly Storage[], shapes: readonly Shape[], axis: number, outShape: Shape): Storage {
    const dtype = parts[0]!.dtype;
    const t = deviceDtype('webgpu.concat', dtype);
    const out = this.alloc(dtype, sizeOf(outShape));
    const inner = sizeOf(outShape.slice(axis + 1));
    const rowOut = outShape[axis]! * inner;
    let off = 0;
    parts.forEach((p, k) => {
      const rowIn = shapes[k]![axis]! * inner;
      if (rowIn) this.run(copyRowsShader(t), [(p as GpuStorage).buffer], out, p.size, [rowIn, rowOut, off]);
      off += rowIn;
    });
    return out;
  }

  cumsum(st: Storage, shape: Shape, axis: number, reverse: boolean): Storage {
    const s = st as GpuStorage;
    this.floatOnly('cumsum', s.dtype);
    const inner = sizeOf(shape.slice(axis + 1));
    const n = sizeOf(shape.slice(0, axis)) * inner;
    return this.run(cumsumShader(), [s.buffer], this.alloc(s.dtype, s.size), n, [
      shape[axis]!,
      inner,
      reverse ? 1 : 0,
    ]);
  }

  stridedScatterAdd(
    st: Storage,
    shape: Shape,
    baseSize: number,
    strides: readonly number[],
    offset: number,
  ): Storage {
    const s = st as GpuStorage;
    const t = this.floatOrInt('stridedScatterAdd', s.dtype);
    const out = this.alloc(s.dtype, baseSize);
    this.clear(out);
    const info = [shape.length, ...shape, ...strides, offset];
    return this.run(stridedScatterAddShader(t), [s.buffer], out, s.size, info);
  }

  checkIndices(
    s: Storage,
    size: number,
    ignore: number | undefined,
    error: (position: number, value: number) => Error,
  ): void {
    const idx = s as GpuStorage;
    if (!idx.size) return;
    // One pending check per call until the next read; a training step adds one per class loss.
    const code = STATUS_CHECKS + this.checks.push(error) - 1;
    const u = this.uniform(idx.size);
    const words = Int32Array.of(size, ignore === undefined ? 0 : 1, ignore ?? 0, code);
    const info = this.device.createBuffer({ size: 16, usage: USAGE.STORAGE | USAGE.COPY_DST });
    this.device.queue.writeBuffer(info, 0, words);
    this.dispatch(checkIndicesShader(), [idx.buffer, this.status, u, info], idx.size, [u, info]);
  }

  /** The index table of gather and scatterAdd: rank, idx shape, the source's strides, axis, length. */
  private indexInfo(shape: Shape, axis: number, idxShape: Shape): number[] {
    return [idxShape.length, ...idxShape, ...stridesOf(shape), axis, shape[axis] ?? 1];
  }

  gather(st: Storage, shape: Shape, axis: number, idx: Storage, idxShape: Shape): Storage {
    const s = st as GpuStorage;
    const t = deviceDtype('webgpu.gather', s.dtype);
    const out = this.alloc(s.dtype, sizeOf(idxShape));
    const ins = [s.buffer, (idx as GpuStorage).buffer, this.status];
    return this.run(gatherShader(t), ins, out, idx.size, this.indexInfo(shape, axis, idxShape));
  }

  scatterAdd(
    base: Storage,
    shape: Shape,
    axis: number,
    idx: Storage,
    idxShape: Shape,
    src: Storage,
  ): Storage {
    const b = base as GpuStorage;
    const t = this.floatOrInt('scatterAdd', b.dtype);
    const out = this.alloc(b.dtype, b.size);
    this.copyInto(out, b);
    const ins = [(src as GpuStorage).buffer, (idx as GpuStorage).buffer, this.status];
    return this.run(scatterAddShader(t), ins, out, idx.size, this.indexInfo(shape, axis, idxShape));
  }

  argsort(st: Storage, shape: Shape, axis: number, descending: boolean): Storage {
    const s = st as GpuStorage;
    const t = this.floatOrInt('argsort', s.dtype);
    const inner = sizeOf(shape.slice(axis + 1));
    return this.run(argsortShader(t), [s.buffer], this.alloc('int32', s.size), s.size, [
      shape[axis] ?? 1,
      inner,
      descending ? 1 : 0,
    ]);
  }
}
