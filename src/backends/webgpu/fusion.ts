/**
 * Lazy elementwise fusion. A float32/bool unary or binary op on WebGPU records an expression instead of
 * running; a chain of them compiles into one kernel when its value is first needed (a read, another
 * kernel, a write into one of its inputs, or the end of a scope that keeps it). An op fuses its operand
 * only where it reads it element for element (same size, no broadcasting); a broadcast operand is a
 * leaf, read through its strides. The kernel's source depends on the chain's structure and dtypes, not
 * on shapes (those travel in a table), so a training step reuses its pipelines.
 */
import type { BinaryOp, UnaryOp } from '../op-codes.js';
import {
  BINARY_WGSL,
  type DeviceDType,
  UNARY_WGSL,
  WGSL_ELEMENT,
  WGSL_HELPERS,
  WORKGROUP,
} from './elementwise-wgsl.js';

/** A materialized operand: its storage (held until the chain runs) and how the reader indexes it. */
export interface Leaf<S> {
  storage: S;
  dtype: DeviceDType;
  /** null: read at the reader's flat index; else the reader's shape and the operand's strides in it. */
  strided: { shape: readonly number[]; strides: readonly number[] } | null;
}

export type Expr<S> =
  | { kind: 'leaf'; leaf: Leaf<S> }
  /** A scalar known on the host (a full() of one value): read from the table, not from a binding. */
  | { kind: 'const'; value: number }
  | { kind: 'unary'; op: UnaryOp; outT: DeviceDType; x: Expr<S> }
  | { kind: 'binary'; op: BinaryOp; outT: DeviceDType; a: Expr<S>; b: Expr<S> };

/** At most this many operands per fused kernel (WebGPU guarantees 8 storage buffers per stage). */
export const MAX_LEAVES = 6;
/** At most this many ops per fused kernel (longer chains are split). */
export const MAX_OPS = 32;

export function countOps<S>(e: Expr<S>): number {
  if (e.kind === 'leaf' || e.kind === 'const') return 0;
  return 1 + (e.kind === 'unary' ? countOps(e.x) : countOps(e.a) + countOps(e.b));
}

/** The distinct storages an expression reads, in first-use order. */
export function leavesOf<S>(e: Expr<S>, out: S[] = []): S[] {
  if (e.kind === 'leaf') {
    if (!out.includes(e.leaf.storage)) out.push(e.leaf.storage);
  } else if (e.kind === 'const') return out;
  else if (e.kind === 'unary') leavesOf(e.x, out);
  else {
    leavesOf(e.a, out);
    leavesOf(e.b, out);
  }
  return out;
}

/** f32 of a stored value of dtype t (bool and int32 load as numbers). */
const load = (t: DeviceDType, e: string) => (t === 'float32' ? e : `f32(${e})`);
/** A node's value as the next node sees it: what storing it as outT and loading it back gives. */
const asValue = (t: DeviceDType, e: string) => (t === 'bool' ? `select(0.0, 1.0, truthy(${e}))` : e);
const store = (t: DeviceDType, e: string) =>
  t === 'float32' ? e : t === 'bool' ? `select(0u, 1u, truthy(${e}))` : `i32(${e})`;

/**
 * The kernel of an expression and its index table. Bindings: the leaves (in leavesOf order), the output,
 * the element count (uniform), the table. The table holds, per leaf read, its offset (0: flat index,
 * else where the reader's rank, shape and the leaf's strides are), then the constants' f32 bits. The
 * constants' values are not in the source, so a learning rate that changes every step reuses the
 * pipeline.
 */
export function fusedKernel<S>(
  root: Expr<S>,
  outT: DeviceDType,
): { code: string; table: number[]; leaves: S[] } {
  const leaves = leavesOf(root);
  const reads: Leaf<S>[] = [];
  const consts: number[] = [];
  const lines: string[] = [];
  let v = 0;
  const emit = (e: Expr<S>): string => {
    if (e.kind === 'const') {
      const name = `v${v++}`;
      // The index is known once every read is counted: a placeholder until then.
      lines.push(`let ${name} = bitcast<f32>(info[@C${consts.push(e.value) - 1}@]);`);
      return name;
    }
    if (e.kind === 'leaf') {
      const k = reads.push(e.leaf) - 1;
      const name = `v${v++}`;
      const b = leaves.indexOf(e.leaf.storage);
      lines.push(`let ${name} = ${load(e.leaf.dtype, `in${b}[leafIndex(i, ${k}u)]`)};`);
      return name;
    }
    if (e.kind === 'unary') {
      const x = emit(e.x);
      const name = `v${v++}`;
      lines.push(`var ${name}: f32;`, `{ let x = ${x}; ${name} = ${asValue(e.outT, UNARY_WGSL[e.op])}; }`);
      return name;
    }
    const a = emit(e.a);
    const b = emit(e.b);
    const name = `v${v++}`;
    lines.push(
      `var ${name}: f32;`,
      `{ let a = ${a}; let b = ${b}; ${name} = ${asValue(e.outT, BINARY_WGSL[e.op])}; }`,
    );
    return name;
  };
  const result = emit(root);
  // The table: one offset per read, the constants' bits, then each strided read's rank, shape, strides.
  const bits = new Uint32Array(Float32Array.from(consts).buffer);
  const table: number[] = [...reads.map(() => 0), ...bits];
  const body = lines.map((l) => l.replace(/@C(\d+)@/, (_, j: string) => `${reads.length + Number(j)}u`));
  reads.forEach((r, k) => {
    if (!r.strided) return;
    table[k] = table.length;
    table.push(r.strided.shape.length, ...r.strided.shape, ...r.strided.strides);
  });
  const bindings = leaves
    .map((s, b) => {
      const t = reads.find((r) => r.storage === s)!.dtype;
      return `@group(0) @binding(${b}) var<storage, read> in${b}: array<${WGSL_ELEMENT[t]}>;`;
    })
    .join('\n');
  const L = leaves.length;
  const code = `${WGSL_HELPERS}
${bindings}
@group(0) @binding(${L}) var<storage, read_write> out: array<${WGSL_ELEMENT[outT]}>;
@group(0) @binding(${L + 1}) var<uniform> n: vec4u;
@group(0) @binding(${L + 2}) var<storage, read> info: array<u32>;
fn leafIndex(i: u32, k: u32) -> u32 {
  let off = info[k];
  if (off == 0u) { return i; }
  let rank = info[off];
  var rest = i;
  var idx = 0u;
  for (var d = rank; d > 0u; d--) {
    let size = info[off + d];
    let c = rest % size;
    rest = rest / size;
    idx += c * info[off + rank + d];
  }
  return idx;
}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${WORKGROUP}u;
  if (i >= n.x) { return; }
  ${body.join('\n  ')}
  out[i] = ${store(outT, result)};
}`;
  return { code, table: table.length ? table : [0], leaves };
}
