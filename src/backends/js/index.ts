import type {
  ActivationKernels,
  Backend,
  LinalgKernels,
  MatmulShape,
  PoolKernels,
  ReduceOp,
  Storage,
  UnaryOp,
  Window2d,
  WindowKernels,
} from '../backend.js';
import type { ElementwiseBinaryOp } from '../op-codes.js';
import { col2imLoop, im2colLoop, poolArgmaxLoop } from './window.js';
import { luSolve } from './linalg.js';
import { matmulLoop } from './matmul.js';
import { argsortLoop, cumsumLoop } from './scan.js';
import { allocArray, type DType, type TypedArray } from '../../tensor/dtype.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import { ValueError } from '../../errors.js';
import { JsStorage } from './storage.js';
import { broadcastStrides, forEachRow } from './iterate.js';
import { BINARY, UNARY } from './math.js';
import { symmetricEigen, symmetricEigenvalues } from './eigh.js';

/**
 * The plain TypeScript reference backend: simple loops over typed arrays. It is the living definition
 * that faster backends are tested against, so clarity comes before speed here.
 */
export class JsBackend implements Backend {
  readonly name: string = 'js';

  protected make(dtype: DType, data: TypedArray): JsStorage {
    return new JsStorage(this, dtype, data);
  }

  protected data(s: Storage): TypedArray {
    return (s as JsStorage).data;
  }

  fromArray(dtype: DType, values: ArrayLike<number>): Storage {
    const out = allocArray(dtype, values.length);
    if (dtype === 'bool') for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
    else out.set(values as ArrayLike<number>);
    return this.make(dtype, out);
  }

  full(dtype: DType, size: number, value: number): Storage {
    const out = allocArray(dtype, size);
    if (value !== 0) out.fill(dtype === 'bool' ? (value ? 1 : 0) : value);
    return this.make(dtype, out);
  }

  read(s: Storage): TypedArray {
    return this.data(s).slice();
  }

  readOne(s: Storage, index: number): number {
    return this.data(s)[index];
  }

  copyInto(dst: Storage, src: Storage): void {
    const d = this.data(dst);
    const v = this.data(src);
    if (dst.dtype === 'bool') for (let i = 0; i < d.length; i++) d[i] = v[i] ? 1 : 0;
    else d.set(v);
  }

  cast(s: Storage, to: DType): Storage {
    const src = this.data(s);
    const out = allocArray(to, src.length);
    if (to === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
    else if (to === 'int32') for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]);
    else out.set(src);
    return this.make(to, out);
  }

  unary(op: UnaryOp, s: Storage, outDtype: DType): Storage {
    const x = this.data(s);
    const out = allocArray(outDtype, x.length);
    const f = UNARY[op];
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
    return this.make(outDtype, out);
  }

  /**
   * The binary loops, over the whole elementwise code table: Backend.binary's ops, and the activation VJPs
   * that the `activations` capability runs on the same loops.
   */
  binary(
    op: ElementwiseBinaryOp,
    a: Storage,
    aShape: Shape,
    b: Storage,
    bShape: Shape,
    outShape: Shape,
    outDtype: DType,
  ): Storage {
    const x = this.data(a);
    const y = this.data(b);
    const n = sizeOf(outShape);
    const out = allocArray(outDtype, n);
    const f = BINARY[op];
    if (x.length === n && y.length === n) {
      if (op === 'add') for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
      else if (op === 'mul') for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
      else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
      else if (op === 'div') for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
      else for (let i = 0; i < n; i++) out[i] = f(x[i], y[i]);
    } else if (y.length === 1 && x.length === n) {
      const v = y[0];
      if (op === 'mul') for (let i = 0; i < n; i++) out[i] = x[i] * v;
      else if (op === 'add') for (let i = 0; i < n; i++) out[i] = x[i] + v;
      else if (op === 'sub') for (let i = 0; i < n; i++) out[i] = x[i] - v;
      else if (op === 'div') for (let i = 0; i < n; i++) out[i] = x[i] / v;
      else for (let i = 0; i < n; i++) out[i] = f(x[i], v);
    } else if (x.length === 1 && y.length === n) {
      const v = x[0];
      if (op === 'sub') for (let i = 0; i < n; i++) out[i] = v - y[i];
      else if (op === 'div') for (let i = 0; i < n; i++) out[i] = v / y[i];
      else for (let i = 0; i < n; i++) out[i] = f(v, y[i]);
    } else {
      const sa = broadcastStrides(aShape, outShape);
      const sb = broadcastStrides(bShape, outShape);
      const ia = sa[sa.length - 1];
      const ib = sb[sb.length - 1];
      forEachRow(outShape, [sa, sb], (o, st, len) => {
        let pa = st[0];
        let pb = st[1];
        for (let j = 0; j < len; j++, pa += ia, pb += ib) out[o + j] = f(x[pa], y[pb]);
      });
    }
    return this.make(outDtype, out);
  }

  where(
    c: Storage,
    cShape: Shape,
    a: Storage,
    aShape: Shape,
    b: Storage,
    bShape: Shape,
    outShape: Shape,
  ): Storage {
    const cond = this.data(c);
    const x = this.data(a);
    const y = this.data(b);
    const out = allocArray(a.dtype, sizeOf(outShape));
    const sc = broadcastStrides(cShape, outShape);
    const sa = broadcastStrides(aShape, outShape);
    const sb = broadcastStrides(bShape, outShape);
    const last = outShape.length - 1;
    const ic = last >= 0 ? sc[last] : 0;
    const ia = last >= 0 ? sa[last] : 0;
    const ib = last >= 0 ? sb[last] : 0;
    forEachRow(outShape, [sc, sa, sb], (o, st, len) => {
      let pc = st[0];
      let pa = st[1];
      let pb = st[2];
      for (let j = 0; j < len; j++, pc += ic, pa += ia, pb += ib) out[o + j] = cond[pc] ? x[pa] : y[pb];
    });
    return this.make(a.dtype, out);
  }

  reduce(op: ReduceOp, s: Storage, shape: Shape, axes: readonly number[]): Storage {
    const x = this.data(s);
    const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const n = sizeOf(outShape);
    const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
    // Accumulate in float64 whatever the dtype, then round once.
    const acc = new Float64Array(n).fill(init);
    const so = broadcastStrides(outShape, shape);
    const si = stridesOf(shape);
    const last = shape.length - 1;
    const io = last >= 0 ? so[last] : 0;
    const ii = last >= 0 ? si[last] : 0;
    forEachRow(shape, [si, so], (_o, st, len) => {
      let pi = st[0];
      let po = st[1];
      if (op === 'sum') for (let j = 0; j < len; j++, pi += ii, po += io) acc[po] += x[pi];
      else if (op === 'prod') for (let j = 0; j < len; j++, pi += ii, po += io) acc[po] *= x[pi];
      else if (op === 'max')
        for (let j = 0; j < len; j++, pi += ii, po += io) {
          const v = x[pi];
          if (v > acc[po] || v !== v) acc[po] = v;
        }
      else
        for (let j = 0; j < len; j++, pi += ii, po += io) {
          const v = x[pi];
          if (v < acc[po] || v !== v) acc[po] = v;
        }
    });
    const dtype = s.dtype === 'bool' && (op === 'sum' || op === 'prod') ? 'int32' : s.dtype;
    const out = allocArray(dtype, n);
    out.set(acc);
    return this.make(dtype, out);
  }

  argReduce(op: 'argmax' | 'argmin', s: Storage, shape: Shape, axis: number): Storage {
    const x = this.data(s);
    const len = shape[axis];
    const inner = sizeOf(shape.slice(axis + 1));
    const outer = sizeOf(shape.slice(0, axis));
    const out = new Int32Array(outer * inner);
    const better = op === 'argmax' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let best = x[base];
        let bi = 0;
        if (best === best) {
          for (let j = 1; j < len; j++) {
            const v = x[base + j * inner];
            if (v !== v) {
              bi = j;
              break;
            }
            if (better(v, best)) {
              best = v;
              bi = j;
            }
          }
        }
        out[o * inner + i] = bi;
      }
    }
    return this.make('int32', out);
  }

  matmul(a: Storage, b: Storage, s: MatmulShape): Storage {
    const out = allocArray(a.dtype, s.batch * s.m * s.n);
    matmulLoop(this.data(a), this.data(b), out, s);
    return this.make(a.dtype, out);
  }

  strided(s: Storage, outShape: Shape, strides: readonly number[], offset: number): Storage {
    const x = this.data(s);
    const out = allocArray(s.dtype, sizeOf(outShape));
    const r = outShape.length;
    // Transposing the last two dims (matmul's VJPs): blocked for cache locality.
    if (r >= 2 && offset === 0 && strides[r - 1] === outShape[r - 2] && strides[r - 2] === 1) {
      const rows = outShape[r - 2];
      const cols = outShape[r - 1];
      const mats = sizeOf(outShape.slice(0, -2));
      const batchStride = mats > 1 ? strides[r - 3] : 0;
      if (mats === 1 || batchStride === rows * cols) {
        const B = 32;
        for (let t = 0; t < mats; t++) {
          const base = t * rows * cols;
          for (let i0 = 0; i0 < rows; i0 += B) {
            for (let j0 = 0; j0 < cols; j0 += B) {
              const i1 = Math.min(i0 + B, rows);
              const j1 = Math.min(j0 + B, cols);
              for (let i = i0; i < i1; i++)
                for (let j = j0; j < j1; j++) out[base + i * cols + j] = x[base + j * rows + i];
            }
          }
        }
        return this.make(s.dtype, out);
      }
    }
    const last = outShape.length - 1;
    const inner = last >= 0 ? strides[last] : 0;
    forEachRow(outShape, [strides], (o, st, len) => {
      let p = st[0] + offset;
      for (let j = 0; j < len; j++, p += inner) out[o + j] = x[p];
    });
    return this.make(s.dtype, out);
  }

  stridedScatterAdd(
    s: Storage,
    shape: Shape,
    baseSize: number,
    strides: readonly number[],
    offset: number,
  ): Storage {
    const x = this.data(s);
    const out = allocArray(s.dtype, baseSize);
    const last = shape.length - 1;
    const inner = last >= 0 ? strides[last] : 0;
    forEachRow(shape, [strides], (o, st, len) => {
      let p = st[0] + offset;
      for (let j = 0; j < len; j++, p += inner) out[p] += x[o + j];
    });
    return this.make(s.dtype, out);
  }

  concat(parts: readonly Storage[], shapes: readonly Shape[], axis: number, outShape: Shape): Storage {
    const dtype = parts[0].dtype;
    const out = allocArray(dtype, sizeOf(outShape));
    const outer = sizeOf(outShape.slice(0, axis));
    const inner = sizeOf(outShape.slice(axis + 1));
    const rowOut = outShape[axis] * inner;
    let off = 0;
    parts.forEach((p, pi) => {
      const x = this.data(p);
      const rowIn = shapes[pi][axis] * inner;
      for (let o = 0; o < outer; o++) out.set(x.subarray(o * rowIn, (o + 1) * rowIn), o * rowOut + off);
      off += rowIn;
    });
    return this.make(dtype, out);
  }

  private indexWalk(
    op: string,
    shape: Shape,
    axis: number,
    idx: Int32Array,
    idxShape: Shape,
    body: (idxPos: number, srcPos: number) => void,
  ): void {
    const rank = idxShape.length;
    const srcStrides = stridesOf(shape);
    const counter = new Array<number>(rank).fill(0);
    const dimLen = shape[axis] ?? 1;
    for (let i = 0; i < idx.length; i++) {
      let j = idx[i];
      if (j < -dimLen || j >= dimLen) {
        throw new ValueError(op, `index ${j} is out of bounds for dim ${axis} with size ${dimLen}`);
      }
      if (j < 0) j += dimLen;
      let pos = 0;
      for (let d = 0; d < rank; d++) pos += (d === axis ? j : counter[d]) * srcStrides[d];
      body(i, pos);
      for (let d = rank - 1; d >= 0; d--) {
        if (++counter[d] < idxShape[d]) break;
        counter[d] = 0;
      }
    }
  }

  gather(s: Storage, shape: Shape, axis: number, idx: Storage, idxShape: Shape): Storage {
    const x = this.data(s);
    const out = allocArray(s.dtype, sizeOf(idxShape));
    this.indexWalk('gather', shape, axis, this.data(idx) as Int32Array, idxShape, (i, p) => {
      out[i] = x[p];
    });
    return this.make(s.dtype, out);
  }

  scatterAdd(
    base: Storage,
    shape: Shape,
    axis: number,
    idx: Storage,
    idxShape: Shape,
    src: Storage,
  ): Storage {
    const out = this.data(base).slice();
    const v = this.data(src);
    this.indexWalk('scatterAdd', shape, axis, this.data(idx) as Int32Array, idxShape, (i, p) => {
      out[p] += v[i];
    });
    return this.make(base.dtype, out);
  }

  argsort(s: Storage, shape: Shape, axis: number, descending: boolean): Storage {
    return this.make('int32', argsortLoop(this.data(s), shape, axis, descending));
  }

  cumsum(s: Storage, shape: Shape, axis: number, reverse: boolean): Storage {
    const out = allocArray(s.dtype, s.size);
    cumsumLoop(this.data(s), shape, axis, reverse, out);
    return this.make(s.dtype, out);
  }

  // Capabilities: the reference loops for windows, pooling, linear algebra and activation VJPs. Convolution
  // is left to the composed unfold + matmul, which is the reference.
  readonly window: WindowKernels = {
    im2col: (s, g, padValue) => this.unfold(s, g, padValue),
    col2im: (s, g) => this.fold(s, g),
  };

  readonly pool: PoolKernels = { poolArgmax: (s, g) => this.poolChoices(s, g) };

  /** The reference unfold (subclasses fall back to it for dtypes their kernels lack). */
  protected unfold(s: Storage, g: Window2d, padValue: number): Storage {
    const out = allocArray(s.dtype, g.n * g.c * g.kh * g.kw * g.oh * g.ow);
    im2colLoop(this.data(s), g, padValue, out);
    return this.make(s.dtype, out);
  }

  protected fold(s: Storage, g: Window2d): Storage {
    const out = allocArray(s.dtype, g.n * g.c * g.h * g.w);
    col2imLoop(this.data(s), g, out);
    return this.make(s.dtype, out);
  }

  protected poolChoices(s: Storage, g: Window2d): Storage {
    return this.make('int32', poolArgmaxLoop(this.data(s), g));
  }

  readonly linalg: LinalgKernels = {
    solve: (a, b, n, k) => {
      const x = luSolve(Float64Array.from(this.data(a)), Float64Array.from(this.data(b)), n, k);
      return this.fromArray(a.dtype, x);
    },
    eigh: (a, n) => {
      const { d, V } = symmetricEigen(Float64Array.from(this.data(a)), n);
      return { values: this.fromArray(a.dtype, d), vectors: this.fromArray(a.dtype, V) };
    },
    eigvalsh: (a, n) => this.fromArray(a.dtype, symmetricEigenvalues(Float64Array.from(this.data(a)), n)),
  };

  readonly activations: ActivationKernels = {
    activationGrad: (op, g, gShape, y, yShape, out, dtype) =>
      this.binary(op, g, gShape, y, yShape, out, dtype),
  };
}
/** The reference backend instance. */
export const jsBackend: JsBackend = new JsBackend();
