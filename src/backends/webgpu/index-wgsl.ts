/**
 * WGSL for the indexing kernels: gather, scatter-add (torch.scatter_add), the adjoint of a strided view,
 * and argsort. WebGPU has no float atomics, so float additions into shared slots use a compare-and-swap
 * loop on the f32's bits (the order of the additions, and so the last bits of a sum, may vary between
 * runs, as with PyTorch's scatter_add on CUDA). An index out of bounds cannot throw inside a kernel: it
 * is recorded in the backend's status buffer, and the next read throws the error the CPU backends give.
 */
import { STRIDED_OFFSET } from './core-wgsl.js';
import { kernelHead, WGSL_ELEMENT, type DeviceDType } from './elementwise-wgsl.js';

/** Status words: [kernel code (0 = no error), the bad index, the axis, the axis' length]. */
export const STATUS_WORDS = 4;
export const STATUS_KERNELS = ['', 'gather', 'scatterAdd'] as const;

/** Adds v to a float slot held as atomic bits (no float atomics in WGSL). */
const ATOMIC_ADD_F32 = /* wgsl */ `
fn atomicAddF(p: ptr<storage, atomic<u32>, read_write>, v: f32) {
  var old = atomicLoad(p);
  loop {
    let r = atomicCompareExchangeWeak(p, old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`;

/**
 * Where index element i lands in the source: info = rank, idx shape, source strides, axis, axis length.
 * Out of bounds: records the first bad index in `status` and returns false.
 */
const INDEX_POSITION = (kernel: number) => /* wgsl */ `
  let rank = info[0];
  let axis = info[2u * rank + 1u];
  let len = info[2u * rank + 2u];
  var rest = i;
  var pos = 0u;
  var ok = true;
  for (var d = rank; d > 0u; d--) {
    let c = rest % info[d];
    rest = rest / info[d];
    if (d - 1u == axis) {
      var j = idx[i];
      if (j < -i32(len) || j >= i32(len)) {
        if (atomicCompareExchangeWeak(&status[0], 0u, ${kernel}u).exchanged) {
          atomicStore(&status[1], bitcast<u32>(j));
          atomicStore(&status[2], axis);
          atomicStore(&status[3], len);
        }
        ok = false;
      }
      if (j < 0) { j += i32(len); }
      pos += u32(j) * info[rank + d];
    } else {
      pos += c * info[rank + d];
    }
  }`;

const INDEX_BINDINGS = (first: number) => `@group(0) @binding(${first}) var<storage, read> idx: array<i32>;
@group(0) @binding(${first + 1}) var<storage, read_write> status: array<atomic<u32>, ${STATUS_WORDS}>;`;

/** Codes at or above this in status[0] are host-side checks (checkIndices), by their order. */
export const STATUS_CHECKS = 16;

/**
 * checkIndices: records an element outside [0, size) that is not `ignore` as [code, value, position].
 * Bindings: idx, status, n, info = size, has ignore, ignore, code.
 */
export function checkIndicesShader(): string {
  return `${kernelHead(`${INDEX_BINDINGS(0)}
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<i32>;`)}
  let v = idx[i];
  if ((v < 0 || v >= info[0]) && !(info[1] == 1 && v == info[2])) {
    if (atomicCompareExchangeWeak(&status[0], 0u, u32(info[3])).exchanged) {
      atomicStore(&status[1], bitcast<u32>(v));
      atomicStore(&status[2], i);
    }
  }
}`;
}

/** out[i] = xs[position of idx[i]] (torch.gather); bindings: xs, idx, status, out, n, info. */
export function gatherShader(t: DeviceDType): string {
  return `${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[t]}>;
${INDEX_BINDINGS(1)}
@group(0) @binding(3) var<storage, read_write> out: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(4) var<uniform> n: vec4u;
@group(0) @binding(5) var<storage, read> info: array<u32>;`)}
${INDEX_POSITION(1)}
  if (ok) { out[i] = xs[pos]; }
}`;
}

/** out (a copy of base) [position of idx[i]] += src[i]; bindings: src, idx, status, out, n, info. */
export function scatterAddShader(t: 'float32' | 'int32'): string {
  const slot = t === 'float32' ? 'u32' : 'i32';
  const add = t === 'float32' ? 'atomicAddF(&out[pos], src[i]);' : 'atomicAdd(&out[pos], src[i]);';
  return `${t === 'float32' ? ATOMIC_ADD_F32 : ''}
${kernelHead(`@group(0) @binding(0) var<storage, read> src: array<${WGSL_ELEMENT[t]}>;
${INDEX_BINDINGS(1)}
@group(0) @binding(3) var<storage, read_write> out: array<atomic<${slot}>>;
@group(0) @binding(4) var<uniform> n: vec4u;
@group(0) @binding(5) var<storage, read> info: array<u32>;`)}
${INDEX_POSITION(2)}
  if (ok) { ${add} }
}`;
}

/**
 * The adjoint of a strided view: out (zeros) [offset + sum c_d strides_d] += xs[i]. Views may overlap
 * (expand has stride 0), so the additions are atomic. info = rank, shape, strides, offset.
 */
export function stridedScatterAddShader(t: 'float32' | 'int32'): string {
  const slot = t === 'float32' ? 'u32' : 'i32';
  const add = t === 'float32' ? 'atomicAddF(&out[off], xs[i]);' : 'atomicAdd(&out[off], xs[i]);';
  return `${t === 'float32' ? ATOMIC_ADD_F32 : ''}
${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(1) var<storage, read_write> out: array<atomic<${slot}>>;
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<u32>;`)}
${STRIDED_OFFSET}
  ${add}
}`;
}

/**
 * argsort by rank: each element counts the lane's elements that sort before it (ties by position, so
 * the sort is stable; NaN above every number) and writes its index at that rank. O(len) per element,
 * fine for the lanes the library sorts (a bitonic sort is the step for long lanes). info = len, inner,
 * descending.
 */
export function argsortShader(t: 'float32' | 'int32'): string {
  // before(u, v): u sorts strictly before v, ascending (NaN is the largest; NaNs tie).
  const before =
    t === 'float32'
      ? 'fn before(u: f32, v: f32) -> bool { if (isNanF(u)) { return false; } if (isNanF(v)) { return true; } return u < v; }\nfn tie(u: f32, v: f32) -> bool { return (isNanF(u) && isNanF(v)) || u == v; }'
      : 'fn before(u: i32, v: i32) -> bool { return u < v; }\nfn tie(u: i32, v: i32) -> bool { return u == v; }';
  return `${before}
${kernelHead(`@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[t]}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> n: vec4u;
@group(0) @binding(3) var<storage, read> info: array<u32>;`)}
  let len = info[0];
  let inner = info[1];
  let desc = info[2] == 1u;
  let j = (i / inner) % len;
  let base = i - j * inner;
  let v = xs[i];
  var rank = 0u;
  for (var k = 0u; k < len; k++) {
    let u = xs[base + k * inner];
    let first = select(before(u, v), before(v, u), desc);
    if (first || (k < j && tie(u, v))) { rank++; }
  }
  out[base + rank * inner] = i32(j);
}`;
}
