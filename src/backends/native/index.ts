import type {
  ConvKernels,
  MatmulShape,
  OptimKernels,
  PoolKernels,
  ReduceOp,
  SoftmaxKernels,
  Storage,
  UnaryOp,
  Window2d,
  WindowKernels,
} from '../backend.js';
import type { ElementwiseBinaryOp } from '../op-codes.js';
import { composedConv } from '../composed/conv.js';
import { allocArray, type DType, isFloat, type TypedArray } from '../../tensor/dtype.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import { JsBackend } from '../js/index.js';
import { uninit } from '../alloc.js';
import { coalesceReduce } from '../reduce-dims.js';
import { windowFields } from '../window.js';
import { outOfRange } from '../index-errors.js';
import { broadcastStrides } from '../js/iterate.js';
import type { NativeAddon, NativeBlasInfo } from './addon.js';

type FloatArray = Float32Array | Float64Array;
const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3 };

/**
 * The native CPU backend: the JS backend's storage (typed arrays, so tensors move between the two for
 * free) with its hot kernels (GEMM through OpenBLAS, elementwise, reductions, layout, im2col) run by the
 * C++ addon on those arrays in place. What the addon does not cover (integer and bool math, gather,
 * eigh, solve, ...) runs the inherited JS loops, so results agree with the reference by construction.
 */
export class NativeBackend extends JsBackend {
  override readonly name: string = 'native';
  private readonly unaryCode = new Map<string, number>();
  private readonly binaryCode = new Map<string, number>();
  // Shapes and strides travel in one reused Int32Array: no allocation per call.
  private readonly meta = new Int32Array(64);
  private readonly geometry = new Int32Array(14);

  constructor(readonly addon: NativeAddon) {
    super();
    addon.unaryOps.forEach((op, i) => this.unaryCode.set(op, i));
    addon.binaryOps.forEach((op, i) => this.binaryCode.set(op, i));
  }

  /**
   * Threads for GEMMs from 2^20 multiply-adds (split by rows or columns of the result) and convolutions
   * (split by images); the elementwise kernels run on the calling thread. Default: what OpenBLAS would
   * use (OPENBLAS_NUM_THREADS, else one per core). OpenBLAS itself runs one thread in each share.
   */
  setNumThreads(n: number): void {
    this.addon.setThreads(n);
  }

  getNumThreads(): number {
    return this.addon.getThreads();
  }

  /**
   * What OpenBLAS reports of itself (build config, the core type it chose, threads), the CPU's features,
   * and the GEMM autotune's decisions so far (descend's own kernels against OpenBLAS, per shape class).
   */
  blasInfo(): NativeBlasInfo {
    return this.addon.blasInfo();
  }

  /** Forces the GEMM path ('own' kernels or 'blas') where both apply, or back to 'auto'; clears decisions. */
  setGemmTune(mode: 'auto' | 'own' | 'blas'): void {
    this.addon.setGemmTune(mode);
  }

  /**
   * Forces stride-1 float32 convolutions onto im2col + GEMM ('im2col'), or back to 'auto' (the implicit
   * GEMM where the build has AVX2+FMA; see native/src/conv_implicit.h). DESCEND_CONV=im2col does the same.
   */
  setConvPath(path: 'auto' | 'im2col'): void {
    this.addon.setConvPath(path);
  }

  /** The path stride-1 float32 convolutions take now: 'implicit' or 'im2col'. */
  convPath(): 'implicit' | 'im2col' {
    return this.addon.convPath();
  }

  private writeMeta(rank: number, ...parts: readonly (readonly number[])[]): boolean {
    if (rank * parts.length > this.meta.length) return false;
    parts.forEach((p, j) => this.meta.set(p, j * rank));
    return true;
  }

  override unary(op: UnaryOp, s: Storage, outDtype: DType): Storage {
    const code = this.unaryCode.get(op);
    if (code === undefined || !isFloat(s.dtype) || outDtype !== s.dtype) return super.unary(op, s, outDtype);
    const out = uninit(outDtype, s.size) as FloatArray;
    this.addon.unary(code, this.data(s) as FloatArray, out);
    return this.make(outDtype, out);
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
    const code = this.binaryCode.get(op);
    const fits = outDtype === a.dtype || outDtype === 'bool';
    if (code === undefined || !isFloat(a.dtype) || a.dtype !== b.dtype || !fits)
      return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
    const n = sizeOf(outShape);
    const out = uninit(outDtype, n);
    if (a.size === n && b.size === n) {
      this.meta[0] = n;
      this.meta[1] = 1;
      this.meta[2] = 1;
      this.addon.binary(code, this.data(a), this.data(b), out, 1, this.meta);
    } else {
      const rank = outShape.length;
      if (
        !this.writeMeta(
          rank,
          outShape,
          broadcastStrides(aShape, outShape),
          broadcastStrides(bShape, outShape),
        )
      )
        return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
      this.addon.binary(code, this.data(a), this.data(b), out, rank, this.meta);
    }
    return this.make(outDtype, out);
  }

  override where(
    c: Storage,
    cShape: Shape,
    a: Storage,
    aShape: Shape,
    b: Storage,
    bShape: Shape,
    outShape: Shape,
  ): Storage {
    const rank = outShape.length;
    if (
      !isFloat(a.dtype) ||
      a.dtype !== b.dtype ||
      c.dtype !== 'bool' ||
      !this.writeMeta(
        rank,
        outShape,
        broadcastStrides(cShape, outShape),
        broadcastStrides(aShape, outShape),
        broadcastStrides(bShape, outShape),
      )
    )
      return super.where(c, cShape, a, aShape, b, bShape, outShape);
    const out = uninit(a.dtype, sizeOf(outShape));
    this.addon.where(this.data(c) as Uint8Array, this.data(a), this.data(b), out, rank, this.meta);
    return this.make(a.dtype, out);
  }

  override reduce(op: ReduceOp, s: Storage, fullShape: Shape, fullAxes: readonly number[]): Storage {
    if (!isFloat(s.dtype)) return super.reduce(op, s, fullShape, fullAxes);
    const { shape, axes } = coalesceReduce(fullShape, fullAxes);
    const rank = shape.length;
    const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    if (!this.writeMeta(rank, shape, stridesOf(shape), broadcastStrides(outShape, shape)))
      return super.reduce(op, s, fullShape, fullAxes);
    const out = uninit(s.dtype, sizeOf(outShape));
    this.addon.reduce(REDUCE_CODE[op], this.data(s), out, rank, this.meta);
    return this.make(s.dtype, out);
  }

  override matmul(a: Storage, b: Storage, s: MatmulShape): Storage {
    if (!isFloat(a.dtype) || a.dtype !== b.dtype) return super.matmul(a, b, s);
    const { batch, m, k, n, transA = false, transB = false } = s;
    const out = uninit(a.dtype, batch * m * n) as FloatArray; // the addon writes zeros when k = 0
    const x = this.data(a) as FloatArray;
    const y = this.data(b) as FloatArray;
    this.addon.gemm(x, y, out, batch, m, k, n, transA, transB, m * k, k * n);
    return this.make(a.dtype, out);
  }

  override strided(s: Storage, outShape: Shape, strides: readonly number[], offset: number): Storage {
    const rank = outShape.length;
    if (!this.writeMeta(rank, outShape, strides)) return super.strided(s, outShape, strides, offset);
    const out = uninit(s.dtype, sizeOf(outShape));
    this.addon.strided(this.data(s), out, rank, this.meta, offset);
    return this.make(s.dtype, out);
  }

  override stridedScatterAdd(
    s: Storage,
    shape: Shape,
    baseSize: number,
    strides: readonly number[],
    offset: number,
  ): Storage {
    const rank = shape.length;
    if (s.dtype === 'bool' || !this.writeMeta(rank, shape, strides))
      return super.stridedScatterAdd(s, shape, baseSize, strides, offset);
    const out = allocArray(s.dtype, baseSize);
    this.addon.stridedScatterAdd(this.data(s), out, rank, this.meta, offset);
    return this.make(s.dtype, out);
  }

  private readonly adamScalars = new Float64Array(7);

  override argReduce(op: 'argmax' | 'argmin', s: Storage, shape: Shape, axis: number): Storage {
    if (!isFloat(s.dtype)) return super.argReduce(op, s, shape, axis);
    const len = shape[axis];
    const inner = sizeOf(shape.slice(axis + 1));
    const outer = sizeOf(shape.slice(0, axis));
    const out = new Int32Array(outer * inner);
    this.addon.argReduce(op === 'argmax', this.data(s) as FloatArray, out, outer, len, inner);
    return this.make('int32', out);
  }

  override gather(s: Storage, shape: Shape, axis: number, idx: Storage, idxShape: Shape): Storage {
    const rank = idxShape.length;
    if (!isFloat(s.dtype) || !this.writeMeta(rank, idxShape, shape))
      return super.gather(s, shape, axis, idx, idxShape);
    const out = uninit(s.dtype, sizeOf(idxShape)) as FloatArray;
    const ix = this.data(idx) as Int32Array;
    const bad = this.addon.gather(this.data(s) as FloatArray, ix, out, rank, this.meta, axis);
    if (bad >= 0) outOfRange('gather', ix[bad], axis, shape);
    return this.make(s.dtype, out);
  }

  override scatterAdd(
    base: Storage,
    shape: Shape,
    axis: number,
    idx: Storage,
    idxShape: Shape,
    src: Storage,
  ): Storage {
    const rank = idxShape.length;
    if (!isFloat(base.dtype) || base.dtype !== src.dtype || !this.writeMeta(rank, idxShape, shape))
      return super.scatterAdd(base, shape, axis, idx, idxShape, src);
    const out = (this.data(base) as FloatArray).slice();
    const ix = this.data(idx) as Int32Array;
    const bad = this.addon.scatterAdd(out, ix, this.data(src) as FloatArray, rank, this.meta, axis);
    if (bad >= 0) outOfRange('scatterAdd', ix[bad], axis, shape);
    return this.make(base.dtype, out);
  }

  private readonly sgdScalars = new Float64Array(4);

  private writeGeometry(g: Window2d): Int32Array {
    this.geometry.set(windowFields(g));
    return this.geometry;
  }

  // Capabilities: the addon's fused kernels; other dtypes take the JS loops or the composed path.
  override readonly window: WindowKernels = {
    im2col: (s, g, padValue) => {
      if (!isFloat(s.dtype)) return this.unfold(s, g, padValue);
      const out = uninit(s.dtype, g.n * g.c * g.kh * g.kw * g.oh * g.ow);
      this.addon.im2col(this.data(s), out, this.writeGeometry(g), padValue);
      return this.make(s.dtype, out);
    },
    col2im: (s, g) => {
      if (!isFloat(s.dtype)) return this.fold(s, g);
      const out = allocArray(s.dtype, g.n * g.c * g.h * g.w);
      this.addon.col2im(this.data(s), out, this.writeGeometry(g));
      return this.make(s.dtype, out);
    },
  };

  readonly conv: ConvKernels = {
    conv2d: (x, w, g, o) => {
      if (!isFloat(x.dtype) || w.dtype !== x.dtype) return this.composedConv.conv2d(x, w, g, o);
      return this.runConv(0, x, w, g, o, uninit(x.dtype, g.n * o * g.oh * g.ow));
    },
    conv2dWeightGrad: (x, gy, g, o) => {
      if (!isFloat(x.dtype) || gy.dtype !== x.dtype) return this.composedConv.conv2dWeightGrad(x, gy, g, o);
      return this.runConv(1, x, gy, g, o, uninit(x.dtype, o * g.c * g.kh * g.kw));
    },
    conv2dInputGrad: (gy, w, g, o) => {
      if (!isFloat(gy.dtype) || w.dtype !== gy.dtype) return this.composedConv.conv2dInputGrad(gy, w, g, o);
      // col2im adds into its output: it starts as zeros.
      return this.runConv(2, gy, w, g, o, allocArray(gy.dtype, g.n * g.c * g.h * g.w));
    },
  };

  private readonly composedConv: ConvKernels = composedConv(this, this.window);

  private runConv(kind: 0 | 1 | 2, a: Storage, b: Storage, g: Window2d, o: number, out: TypedArray): Storage {
    const f = (s: Storage) => this.data(s) as FloatArray;
    this.addon.conv(kind, f(a), f(b), out as FloatArray, this.writeGeometry(g), o);
    return this.make(a.dtype, out);
  }

  override readonly pool: PoolKernels = {
    poolArgmax: (s, g) => {
      if (!isFloat(s.dtype)) return this.poolChoices(s, g);
      const out = uninit('int32', g.n * g.c * g.oh * g.ow) as Int32Array;
      this.addon.poolArgmax(this.data(s), out, this.writeGeometry(g));
      return this.make('int32', out);
    },
  };

  readonly softmax: SoftmaxKernels = {
    logSoftmax: (s, rows, cols) => {
      const out = uninit(s.dtype, s.size) as FloatArray;
      this.addon.logSoftmax(this.data(s) as FloatArray, out, rows, cols);
      return this.make(s.dtype, out);
    },
    logSoftmaxBackward: (g, y, rows, cols) => {
      const out = uninit(g.dtype, g.size) as FloatArray;
      this.addon.logSoftmaxBackward(this.data(g) as FloatArray, this.data(y) as FloatArray, out, rows, cols);
      return this.make(g.dtype, out);
    },
  };

  readonly optim: OptimKernels = {
    adamStep: (p, g, m, v, maxV, a, inPlace = false) => {
      const n = p.size;
      const d = p.dtype;
      const out = (s: Storage) => (inPlace ? (this.data(s) as FloatArray) : (uninit(d, n) as FloatArray));
      const [po, mo, vo] = [out(p), out(m), out(v)];
      const maxOut = maxV ? out(maxV) : null;
      this.adamScalars.set([a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.stepSize, a.bc2Sqrt]);
      const arr = (s: Storage) => this.data(s) as FloatArray;
      this.addon.adam(
        arr(p),
        arr(g),
        arr(m),
        arr(v),
        maxV ? arr(maxV) : null,
        po,
        mo,
        vo,
        maxOut,
        this.adamScalars,
        a.decoupled,
        a.maximize,
      );
      if (inPlace) return { p, m, v, maxV };
      return {
        p: this.make(d, po),
        m: this.make(d, mo),
        v: this.make(d, vo),
        maxV: maxOut ? this.make(d, maxOut) : null,
      };
    },
    sgdStep: (p, g, buf, a, inPlace = false) => {
      const n = p.size;
      const d = p.dtype;
      const arr = (s: Storage) => this.data(s) as FloatArray;
      const po = inPlace ? arr(p) : (uninit(d, n) as FloatArray);
      // The first momentum step makes a buffer; later ones update it (in place, or into a new one).
      const bo = a.momentum === 0 ? null : buf && inPlace ? arr(buf) : (uninit(d, n) as FloatArray);
      this.sgdScalars.set([a.lr, a.momentum, a.dampening, a.weightDecay]);
      this.addon.sgd(arr(p), arr(g), buf ? arr(buf) : null, po, bo, this.sgdScalars, a.maximize, a.nesterov);
      return {
        p: inPlace ? p : this.make(d, po),
        buf: bo === null ? null : buf && inPlace ? buf : this.make(d, bo),
      };
    },
  };
}
