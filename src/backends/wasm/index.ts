import type { MatmulShape, OptimKernels, ReduceOp, Storage, UnaryOp, Window2d } from '../backend.js';
import type { ElementwiseBinaryOp } from '../op-codes.js';
import { type DType, isFloat } from '../../tensor/dtype.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import { JsBackend } from '../js/index.js';
import { broadcastStrides } from '../js/iterate.js';
import type { JsStorage } from '../js/storage.js';
import { outOfRange } from '../index-errors.js';
import { coalesceReduce } from '../reduce-dims.js';
import { windowFields } from '../window.js';
import type { WasmKernels } from './kernels.js';
import { BINARY_CODE, JOB, REDUCE_CODE, UNARY_CODE_F32, UNARY_CODE_F64 } from './ops.js';

type FloatArray = Float32Array | Float64Array;

export interface WasmBackendOptions {
  /**
   * Below this many elements an op runs the inherited JS loop instead. Default 0: even for tiny tensors
   * staging operands in wasm memory measured cheaper than the JS loops (the tiny-MLP bench).
   */
  minSize?: number;
  /** Work (multiply-adds, or elements) from which a job is split across threads. */
  parallelGemm?: number;
  parallelElementwise?: number;
}

/**
 * The WebAssembly backend: the JS backend's storage (typed arrays, so tensors move between backends for
 * free) with its hot kernels (GEMM, elementwise, reductions, im2col/col2im, argmax/argmin, gather,
 * scatterAdd, the fused Adam and SGD steps) run by 128-bit SIMD WebAssembly, split across a worker pool
 * over shared memory where there is one. Operands are copied into wasm memory for each call and the
 * result copied out (`kernels.bytesIn/bytesOut` count it), except what optimizers update in place, which
 * is pinned there. What the kernels do not cover runs the inherited JS loops.
 */
export class WasmBackend extends JsBackend {
  override readonly name: string = 'wasm';
  /** See WasmBackendOptions; tunable at any time. */
  minSize: number;
  parallelGemm: number;
  parallelElementwise: number;

  private made: WasmKernels | null = null;

  /** `kernels` is made on first use: a backend that is never used starts no workers. */
  constructor(
    private readonly makeKernels: () => WasmKernels,
    options: WasmBackendOptions = {},
  ) {
    super();
    this.minSize = options.minSize ?? 0;
    this.parallelGemm = options.parallelGemm ?? 1 << 20;
    this.parallelElementwise = options.parallelElementwise ?? 1 << 16;
  }

  /** The instantiated kernels: memory, arena, worker pool and copy counters. */
  get kernels(): WasmKernels {
    return (this.made ??= this.makeKernels());
  }

  /** A one-line summary that starts nothing: memory kind and threads, once the kernels exist. */
  describe(): string {
    const k = this.made;
    if (!k) return 'compiled, not used yet';
    return `${k.shared ? 'shared memory' : 'one thread, no shared memory'}, ${k.threads} thread(s) now`;
  }

  /** Threads the kernels use now (1 + started workers). */
  get threads(): number {
    return this.kernels.threads;
  }

  private words(...w: number[]): void {
    this.kernels.i32.set(w, this.kernels.job >> 2);
  }

  private arr(s: Storage): FloatArray {
    return this.data(s) as FloatArray;
  }

  /**
   * Moves the elements of storages an optimizer updates in place (parameters, moments, momentum
   * buffers) into wasm memory for good, so later steps and the matmuls that read the parameters stage
   * nothing. Only with shared memory (see WasmKernels.pin).
   */
  private pinAll(...storages: (Storage | null)[]): void {
    const k = this.kernels;
    for (const s of storages) {
      if (!s || k.owns(this.arr(s))) continue;
      const moved = k.pin(this.arr(s));
      if (moved) (s as JsStorage).data = moved;
    }
  }

  override unary(op: UnaryOp, s: Storage, outDtype: DType): Storage {
    const f64 = s.dtype === 'float64';
    const code = (f64 ? UNARY_CODE_F64 : UNARY_CODE_F32).get(op);
    if (code === undefined || !isFloat(s.dtype) || outDtype !== s.dtype || s.size < this.minSize)
      return super.unary(op, s, outDtype);
    const k = this.kernels;
    const n = s.size;
    k.reset();
    const x = k.put(this.arr(s));
    const o = k.allocFloats(n, f64);
    this.words(JOB.unary + (f64 ? 1 : 0), code, x, o, n);
    k.run(n >= this.parallelElementwise ? k.threads : 1);
    return this.make(s.dtype, k.take(o, f64, n));
  }

  override binary(
    op: ElementwiseBinaryOp,
    a: Storage,
    aShape: Shape,
    b: Storage,
    bShape: Shape,
    outShape: Shape,
    outDtype: DType,
  ): Storage {
    const code = BINARY_CODE.get(op);
    const n = sizeOf(outShape);
    const rank = outShape.length;
    if (
      code === undefined ||
      !isFloat(a.dtype) ||
      a.dtype !== b.dtype ||
      outDtype !== a.dtype ||
      n < this.minSize ||
      rank * 12 > 4096
    )
      return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
    const k = this.kernels;
    const f64 = a.dtype === 'float64';
    k.reset();
    const pa = k.put(this.arr(a));
    const pb = k.put(this.arr(b));
    const o = k.allocFloats(n, f64);
    // Same-shape operands are one flat row, whatever their rank.
    const flat = a.size === n && b.size === n;
    const meta = k.meta >> 2;
    if (flat) k.i32.set([n, 1, 1], meta);
    else {
      k.i32.set(outShape, meta);
      k.i32.set(broadcastStrides(aShape, outShape), meta + rank);
      k.i32.set(broadcastStrides(bShape, outShape), meta + 2 * rank);
    }
    this.words(JOB.binary + (f64 ? 1 : 0), code, pa, pb, o, flat ? 1 : rank, k.meta);
    k.run(n >= this.parallelElementwise ? k.threads : 1);
    return this.make(a.dtype, k.take(o, f64, n));
  }

  override reduce(op: ReduceOp, s: Storage, fullShape: Shape, fullAxes: readonly number[]): Storage {
    const code = REDUCE_CODE.get(op);
    const { shape, axes } = coalesceReduce(fullShape, fullAxes);
    const rank = shape.length;
    if (code === undefined || !isFloat(s.dtype) || s.size < this.minSize || rank * 12 > 4096)
      return super.reduce(op, s, fullShape, fullAxes);
    const k = this.kernels;
    const f64 = s.dtype === 'float64';
    const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const nOut = sizeOf(outShape);
    k.reset();
    const x = k.put(this.arr(s));
    const o = k.allocFloats(nOut, f64);
    const acc = k.alloc(nOut * 8);
    const meta = k.meta >> 2;
    k.i32.set(shape, meta);
    k.i32.set(stridesOf(shape), meta + rank);
    k.i32.set(broadcastStrides(outShape, shape), meta + 2 * rank);
    this.words(JOB.reduce + (f64 ? 1 : 0), code, x, o, acc, nOut, rank, k.meta);
    k.run(1);
    return this.make(s.dtype, k.take(o, f64, nOut));
  }

  override matmul(a: Storage, b: Storage, s: MatmulShape): Storage {
    const { batch, m, k: kk, n, transA = false, transB = false } = s;
    if (!isFloat(a.dtype) || a.dtype !== b.dtype || batch * m * n * kk < this.minSize)
      return super.matmul(a, b, s);
    const k = this.kernels;
    const f64 = a.dtype === 'float64';
    k.reset();
    const pa = k.put(this.arr(a));
    const pb = k.put(this.arr(b));
    const size = batch * m * n;
    const o = k.allocFloats(size, f64);
    this.words(JOB.gemm, 0, pa, pb, o, batch, m, kk, n, +transA, +transB, k.work, +f64);
    k.run(batch * m * n * kk >= this.parallelGemm ? k.threads : 1);
    return this.make(a.dtype, k.take(o, f64, size));
  }

  readonly optim: OptimKernels = {
    adamStep: (p, g, m, v, maxV, a, inPlace = false) => {
      const k = this.kernels;
      const n = p.size;
      const f64 = p.dtype === 'float64';
      if (inPlace) this.pinAll(p, m, v, maxV);
      k.reset();
      const [pp, pg, pm, pv] = [p, g, m, v].map((s) => k.put(this.arr(s)));
      const pmax = maxV ? k.put(this.arr(maxV)) : 0;
      // Results overwrite the staged operands: each lane reads its inputs before it writes.
      const flags = (a.decoupled ? 1 : 0) | (a.maximize ? 2 : 0) | (maxV ? 4 : 0);
      this.words(JOB.adam + (f64 ? 1 : 0), flags, pp, pg, pm, pv, pmax, pp, pm, pv, pmax, 0, n);
      k.f64.set([a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.stepSize, a.bc2Sqrt], (k.job + 64) >> 3);
      k.run(n >= this.parallelElementwise ? k.threads : 1);
      const out = (s: Storage, at: number): Storage => {
        if (inPlace) {
          k.takeInto(at, this.arr(s));
          return s;
        }
        return this.make(s.dtype, k.take(at, f64, n));
      };
      return { p: out(p, pp), m: out(m, pm), v: out(v, pv), maxV: maxV ? out(maxV, pmax) : null };
    },
    sgdStep: (p, g, buf, a, inPlace = false) => {
      const k = this.kernels;
      const n = p.size;
      const f64 = p.dtype === 'float64';
      if (inPlace) this.pinAll(p, buf);
      k.reset();
      const pp = k.put(this.arr(p));
      const pg = k.put(this.arr(g));
      const pbuf = buf ? k.put(this.arr(buf)) : 0;
      const hasMomentum = a.momentum !== 0;
      const pbo = hasMomentum ? (buf ? pbuf : k.allocFloats(n, f64)) : 0;
      const flags = (a.maximize ? 1 : 0) | (a.nesterov ? 2 : 0) | (buf ? 4 : 0);
      this.words(JOB.sgd + (f64 ? 1 : 0), flags, pp, pg, pbuf, pp, pbo, 0, n);
      k.f64.set([a.lr, a.momentum, a.dampening, a.weightDecay], (k.job + 64) >> 3);
      k.run(n >= this.parallelElementwise ? k.threads : 1);
      let pOut: Storage = p;
      if (inPlace) k.takeInto(pp, this.arr(p));
      else pOut = this.make(p.dtype, k.take(pp, f64, n));
      if (!hasMomentum) return { p: pOut, buf: null };
      if (buf && inPlace) {
        k.takeInto(pbo, this.arr(buf));
        return { p: pOut, buf };
      }
      return { p: pOut, buf: this.make(p.dtype, k.take(pbo, f64, n)) };
    },
  };

  private geometry(g: Window2d): void {
    const k = this.kernels;
    k.i32.set(windowFields(g), k.meta >> 2);
  }

  protected override unfold(s: Storage, g: Window2d, padValue: number): Storage {
    if (!isFloat(s.dtype)) return super.unfold(s, g, padValue);
    const k = this.kernels;
    const f64 = s.dtype === 'float64';
    const n = g.n * g.c * g.kh * g.kw * g.oh * g.ow;
    k.reset();
    const x = k.put(this.arr(s));
    const o = k.allocFloats(n, f64);
    this.geometry(g);
    this.words(JOB.im2col + (f64 ? 1 : 0), 0, x, o, k.meta);
    k.f64[(k.job + 64) >> 3] = padValue;
    k.run(n >= this.parallelElementwise ? k.threads : 1);
    return this.make(s.dtype, k.take(o, f64, n));
  }

  protected override fold(s: Storage, g: Window2d): Storage {
    if (!isFloat(s.dtype)) return super.fold(s, g);
    const k = this.kernels;
    const f64 = s.dtype === 'float64';
    const n = g.n * g.c * g.h * g.w;
    k.reset();
    const x = k.put(this.arr(s));
    const o = k.allocFloats(n, f64);
    this.geometry(g);
    this.words(JOB.col2im + (f64 ? 1 : 0), 0, x, o, k.meta);
    k.run(s.size >= this.parallelElementwise ? k.threads : 1);
    return this.make(s.dtype, k.take(o, f64, n));
  }

  override argReduce(op: 'argmax' | 'argmin', s: Storage, shape: Shape, axis: number): Storage {
    if (!isFloat(s.dtype)) return super.argReduce(op, s, shape, axis);
    const k = this.kernels;
    const f64 = s.dtype === 'float64';
    const len = shape[axis];
    const inner = sizeOf(shape.slice(axis + 1));
    const outer = sizeOf(shape.slice(0, axis));
    k.reset();
    const x = k.put(this.arr(s));
    const o = k.alloc(outer * inner * 4);
    this.words(JOB.argReduce + (f64 ? 1 : 0), op === 'argmax' ? 1 : 0, x, o, outer, len, inner);
    k.run(s.size >= this.parallelElementwise ? k.threads : 1);
    return this.make('int32', k.takeInt32(o, outer * inner));
  }

  /** gather, or scatterAdd into a copy of `into`: the kernel walks idx once and reports a bad index. */
  private indexed(
    op: 'gather' | 'scatterAdd',
    s: Storage,
    shape: Shape,
    axis: number,
    idx: Storage,
    idxShape: Shape,
    src: Storage | null,
  ): Storage {
    const k = this.kernels;
    const f64 = s.dtype === 'float64';
    const n = sizeOf(idxShape);
    const rank = idxShape.length;
    k.reset();
    // scatterAdd adds into its staged copy of the base: never into a pinned original.
    const x = k.put(this.arr(s), op === 'scatterAdd');
    const ixs = this.data(idx) as Int32Array;
    const ix = k.put(ixs);
    const o = src ? k.put(this.arr(src)) : k.allocFloats(n, f64);
    k.i32.set(idxShape, k.meta >> 2);
    k.i32.set(shape, (k.meta >> 2) + rank);
    const kind = (op === 'gather' ? JOB.gather : JOB.scatterAdd) + (f64 ? 1 : 0);
    this.words(kind, 0, x, ix, o, n, rank, k.meta, axis);
    k.run(1);
    const bad = k.i32[(k.job + 60) >> 2];
    if (bad >= 0) outOfRange(op, ixs[bad], axis, shape);
    return this.make(s.dtype, op === 'gather' ? k.take(o, f64, n) : k.take(x, f64, s.size));
  }

  override gather(s: Storage, shape: Shape, axis: number, idx: Storage, idxShape: Shape): Storage {
    if (!isFloat(s.dtype) || idxShape.length * 12 > 4096) return super.gather(s, shape, axis, idx, idxShape);
    return this.indexed('gather', s, shape, axis, idx, idxShape, null);
  }

  override scatterAdd(
    base: Storage,
    shape: Shape,
    axis: number,
    idx: Storage,
    idxShape: Shape,
    src: Storage,
  ): Storage {
    if (!isFloat(base.dtype) || base.dtype !== src.dtype || idxShape.length * 12 > 4096)
      return super.scatterAdd(base, shape, axis, idx, idxShape, src);
    return this.indexed('scatterAdd', base, shape, axis, idx, idxShape, src);
  }

  protected override poolChoices(s: Storage, g: Window2d): Storage {
    if (!isFloat(s.dtype)) return super.poolChoices(s, g);
    const k = this.kernels;
    const f64 = s.dtype === 'float64';
    const n = g.n * g.c * g.oh * g.ow;
    k.reset();
    const x = k.put(this.arr(s));
    const o = k.alloc(n * 4);
    this.geometry(g);
    this.words(JOB.poolArgmax + (f64 ? 1 : 0), 0, x, o, k.meta);
    k.run(s.size >= this.parallelElementwise ? k.threads : 1);
    return this.make('int32', k.takeInt32(o, n));
  }
}
