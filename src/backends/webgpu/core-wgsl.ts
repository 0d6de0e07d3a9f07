/**
 * WGSL for the core kernels beyond elementwise: cast, where, reductions, argmax/argmin, matmul, strided
 * views, concatenation and cumsum. One thread per output element, with the index arithmetic in a u32
 * table (`info`) the backend writes per call; correctness first (tiled GEMM is the next step, see
 * docs/webgpu.md). Every shader shares the element index `i` over a 2-D grid of workgroups.
 */
import { kernelHead, WGSL_ELEMENT, type DeviceDType } from './elementwise-wgsl.js';

const load = (t: DeviceDType, e: string) => (t === 'float32' ? e : `f32(${e})`);

/** f32 `e` stored as dtype `t` (int32: truncated toward zero; bool: nonzero, NaN included). */
const storeAs = (t: DeviceDType, e: string) =>
  t === 'float32' ? e : t === 'bool' ? `select(0u, 1u, truthy(${e}))` : `i32(trunc(${e}))`;

export function castShader(from: DeviceDType, to: DeviceDType): string {
  // int32 -> int32 and bool -> bool are copies; int32 -> float32 rounds as Float32Array.from does.
  const body =
    from === 'int32' && to === 'int32'
      ? 'out[i] = xs[i];'
      : from === 'bool' && to === 'bool'
        ? 'out[i] = xs[i];'
        : from === 'int32' && to === 'bool'
          ? 'out[i] = select(0u, 1u, xs[i] != 0);'
          : `out[i] = ${storeAs(to, load(from, 'xs[i]'))};`;
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[from]}>;
@group(0) @binding(1) var<storage, read_write> out: array<${WGSL_ELEMENT[to]}>;
@group(0) @binding(2) var<uniform> n: vec4u;`)}
  ${body}
}`;
}

/** where(c, a, b) with broadcasting: info = rank, out shape, then c's, a's and b's strides. */
export function whereShader(cT: DeviceDType, vT: DeviceDType): string {
  const cond = cT === 'float32' ? 'truthy(cs[ic])' : `cs[ic] != ${cT === 'bool' ? '0u' : '0'}`;
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> cs: array<${WGSL_ELEMENT[cT]}>;
@group(0) @binding(1) var<storage, read> as_: array<${WGSL_ELEMENT[vT]}>;
@group(0) @binding(2) var<storage, read> bs: array<${WGSL_ELEMENT[vT]}>;
@group(0) @binding(3) var<storage, read_write> out: array<${WGSL_ELEMENT[vT]}>;
@group(0) @binding(4) var<uniform> n: vec4u;
@group(0) @binding(5) var<storage, read> info: array<u32>;`)}
  let rank = info[0];
  var rest = i;
  var ic = 0u;
  var ia = 0u;
  var ib = 0u;
  for (var d = rank; d > 0u; d--) {
    let c = rest % info[d];
    rest = rest / info[d];
    ic += c * info[rank + d];
    ia += c * info[2u * rank + d];
    ib += c * info[3u * rank + d];
  }
  out[i] = select(bs[ib], as_[ia], ${cond});
}`;
}

/**
 * A reduction over some axes, one thread per (output element, chunk): info = rank, then the input's
 * shape, its strides, 1 for each reduced axis (0 otherwise), and the number of chunks. The output keeps reduced axes as size 1. Sums use
 * Kahan compensation (float32 accumulation would drift over long rows).
 */
/** Reduced elements per thread in a reduction; longer rows are split and their partials reduced again. */
export const REDUCE_CHUNK = 1024;

export function reduceShader(op: 'sum' | 'prod' | 'max' | 'min', t: 'float32' | 'int32' = 'float32'): string {
  const f = t === 'float32';
  const init = f
    ? { sum: '0.0', prod: '1.0', max: '-infF()', min: 'infF()' }[op]
    : { sum: '0', prod: '1', max: '-2147483647 - 1', min: '2147483647' }[op];
  // int32 wraps as Int32Array stores do; float32 sums are compensated.
  const step = f
    ? {
        sum: 'let y = v - comp; let t = acc + y; comp = (t - acc) - y; acc = t;',
        prod: 'acc = acc * v;',
        max: 'if (isNanF(v) || v > acc) { acc = v; }',
        min: 'if (isNanF(v) || v < acc) { acc = v; }',
      }[op]
    : { sum: 'acc = acc + v;', prod: 'acc = acc * v;', max: 'acc = max(acc, v);', min: 'acc = min(acc, v);' }[
        op
      ];
  // max/min: once NaN, stays NaN (comparisons with NaN are false), as the JS backend.
  const keep = f && (op === 'max' || op === 'min') ? 'if (isNanF(acc)) { break; }' : '';
  const el = WGSL_ELEMENT[t];
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${el}>;
@group(0) @binding(1) var<storage, read_write> out: array<${el}>;
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<u32>;`)}
  let rank = info[0];
  // Thread i reduces chunk i % chunks of output element i / chunks (long rows are split, and the
  // partials reduced again: no thread loops over more than REDUCE_CHUNK elements).
  let chunks = info[3u * rank + 1u];
  let first = (i % chunks) * ${REDUCE_CHUNK}u;
  var rest = i / chunks;
  var base = 0u;
  var count = 1u;
  for (var d = rank; d > 0u; d--) {
    if (info[2u * rank + d] == 1u) { count *= info[d]; continue; }
    let c = rest % info[d];
    rest = rest / info[d];
    base += c * info[rank + d];
  }
  var acc = ${init};
  var comp = 0.0;
  for (var r = first; r < min(count, first + ${REDUCE_CHUNK}u); r++) {
    var q = r;
    var off = base;
    for (var d = rank; d > 0u; d--) {
      if (info[2u * rank + d] == 0u) { continue; }
      let c = q % info[d];
      q = q / info[d];
      off += c * info[rank + d];
    }
    let v = xs[off];
    ${step}
    ${keep}
  }
  out[i] = acc;
}`;
}

/** argmax/argmin along one axis: info = len, inner. The first NaN wins, as in PyTorch. */
export function argReduceShader(op: 'argmax' | 'argmin', t: 'float32' | 'int32' = 'float32'): string {
  const better = op === 'argmax' ? 'v > best' : 'v < best';
  // int32 has no NaN: isNanF of its bits would misread large ints.
  const nan = (e: string) => (t === 'float32' ? `isNanF(${e})` : 'false');
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<u32>;`)}
  let len = info[0];
  let inner = info[1];
  let base = (i / inner) * len * inner + i % inner;
  var best = xs[base];
  var bi = 0u;
  if (!${nan('best')}) {
    for (var j = 1u; j < len; j++) {
      let v = xs[base + j * inner];
      if (${nan('v')}) { bi = j; break; }
      if (${better}) { best = v; bi = j; }
    }
  }
  out[i] = i32(bi);
}`;
}

/**
 * Batched matmul, one thread per output element: info = m, k, n, transA, transB. a is [batch, m, k]
 * ([batch, k, m] when transA), b is [batch, k, n] ([batch, n, k] when transB). Kahan-summed dot products.
 */
export function matmulShader(): string {
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> as_: array<f32>;
@group(0) @binding(1) var<storage, read> bs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4u;
@group(0) @binding(4) var<storage, read> info: array<u32>;`)}
  let M = info[0];
  let K = info[1];
  let N = info[2];
  let t = i / (M * N);
  let row = (i / N) % M;
  let col = i % N;
  let ao = t * M * K;
  let bo = t * K * N;
  var acc = 0.0;
  var comp = 0.0;
  for (var p = 0u; p < K; p++) {
    let x = select(as_[ao + row * K + p], as_[ao + p * M + row], info[3] == 1u);
    let w = select(bs[bo + p * N + col], bs[bo + col * K + p], info[4] == 1u);
    let y = x * w - comp;
    let s = acc + y;
    comp = (s - acc) - y;
    acc = s;
  }
  out[i] = acc;
}`;
}

/** The side of a tiled matmul's output tile (and of its workgroup, one thread per output). */
export const MATMUL_TILE = 16;

/**
 * Batched matmul in tiles of MATMUL_TILE^2 outputs: each workgroup stages a tile of a and of b in
 * workgroup memory per step along k, so each operand element is loaded from memory once per tile
 * instead of once per output. Workgroups: x = the output tile, y = the batch. info as matmulShader's.
 */
export function tiledMatmulShader(): string {
  const T = MATMUL_TILE;
  return `@group(0) @binding(0) var<storage, read> as_: array<f32>;
@group(0) @binding(1) var<storage, read> bs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4u;
@group(0) @binding(4) var<storage, read> info: array<u32>;
var<workgroup> tA: array<array<f32, ${T}>, ${T}>;
var<workgroup> tB: array<array<f32, ${T}>, ${T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = info[0];
  let K = info[1];
  let N = info[2];
  let ta = info[3] == 1u;
  let tb = info[4] == 1u;
  let tilesN = (N + ${T - 1}u) / ${T}u;
  let t = wg.y;
  let row = (wg.x / tilesN) * ${T}u + lid.y;
  let col = (wg.x % tilesN) * ${T}u + lid.x;
  let ao = t * M * K;
  let bo = t * K * N;
  var acc = 0.0;
  var comp = 0.0;
  for (var k0 = 0u; k0 < K; k0 += ${T}u) {
    let ka = k0 + lid.x;
    var av = 0.0;
    if (row < M && ka < K) { av = select(as_[ao + row * K + ka], as_[ao + ka * M + row], ta); }
    tA[lid.y][lid.x] = av;
    let kb = k0 + lid.y;
    var bv = 0.0;
    if (kb < K && col < N) { bv = select(bs[bo + kb * N + col], bs[bo + col * K + kb], tb); }
    tB[lid.y][lid.x] = bv;
    workgroupBarrier();
    for (var kk = 0u; kk < ${T}u; kk++) {
      // Compensated, as the untiled kernel: a float32 sum over long k would drift.
      let y = tA[lid.y][kk] * tB[kk][lid.x] - comp;
      let s = acc + y;
      comp = (s - acc) - y;
      acc = s;
    }
    workgroupBarrier();
  }
  let o = t * M * N + row * N + col;
  if (row < M && col < N && o < n.x) { out[o] = acc; }
}`;
}

/** WGSL: `off`, where element i of a strided view lies (info = rank, shape, strides, offset). */
export const STRIDED_OFFSET = `  let rank = info[0];
  var rest = i;
  var off = info[2u * rank + 1u];
  for (var d = rank; d > 0u; d--) {
    let c = rest % info[d];
    rest = rest / info[d];
    off += c * info[rank + d];
  }`;

/** A strided view made contiguous: info = rank, out shape, strides, offset. */
export function stridedShader(t: DeviceDType): string {
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(1) var<storage, read_write> out: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<u32>;`)}
${STRIDED_OFFSET}
  out[i] = xs[off];
}`;
}

/** One part of a concatenation: rows of rowIn elements into rows of rowOut, at column off (info). */
export function copyRowsShader(t: DeviceDType): string {
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(1) var<storage, read_write> out: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<u32>;`)}
  let rowIn = info[0];
  let rowOut = info[1];
  let off = info[2];
  out[(i / rowIn) * rowOut + off + i % rowIn] = xs[i];
}`;
}

/** cumsum along an axis, one thread per (outer, inner) line: info = len, inner, reverse. */
export function cumsumShader(): string {
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<u32>;`)}
  let len = info[0];
  let inner = info[1];
  let base = (i / inner) * len * inner + i % inner;
  var acc = 0.0;
  var comp = 0.0;
  for (var j = 0u; j < len; j++) {
    let jj = select(j, len - 1u - j, info[2] == 1u);
    let p = base + jj * inner;
    let y = xs[p] - comp;
    let s = acc + y;
    comp = (s - acc) - y;
    acc = s;
    out[p] = acc;
  }
}`;
}
