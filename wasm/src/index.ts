// The module's one entry point for work: run(job, t, nt) does thread t's share (of nt) of the job
// described at `job`. The main thread and every worker call it with the same job; src/backends/wasm/jobs.ts
// writes the descriptors (i32 words; float64 scalars from byte 64).
import { gemm32, gemm64, WORK_BYTES } from './gemm';
import { unary32, unary64, binary32, binary64 } from './elementwise';
import { reduce } from './reduce';
import { adam32, adam64, sgd32, sgd64 } from './optim';
import { col2im, im2col, poolArgmax } from './layout';
import { argReduce, indexWalk } from './indexing';

export { WORK_BYTES };

/** Where free memory starts: JS places its buffers from here on. */
export function heapBase(): usize {
  return __heap_base;
}

@inline
function word(job: usize, i: i32): i32 {
  return load<i32>(job + (<usize>i << 2));
}

// [start, end) of thread t's share of n items, shares aligned to `align` items.
@inline
function share(n: i32, t: i32, nt: i32, align: i32): i64 {
  let chunk = (n + nt - 1) / nt;
  chunk = ((chunk + align - 1) / align) * align;
  const s = min(n, t * chunk);
  const e = min(n, s + chunk);
  return (<i64>s << 32) | <i64>e;
}

@inline
function lo(x: i64): i32 {
  return <i32>(x & 0xffffffff);
}

@inline
function hi(x: i64): i32 {
  return <i32>(x >> 32);
}

function gemmJob(job: usize, t: i32, nt: i32): void {
  const a = <usize>word(job, 2), b = <usize>word(job, 3), c = <usize>word(job, 4);
  const batch = word(job, 5), m = word(job, 6), k = word(job, 7), n = word(job, 8);
  const ta = word(job, 9) != 0, tb = word(job, 10) != 0;
  const work = <usize>word(job, 11) + <usize>t * WORK_BYTES;
  const f64 = word(job, 12) != 0;
  const lg: usize = f64 ? 3 : 2;
  const sa = (<usize>m * k) << lg, sb = (<usize>k * n) << lg, sc = (<usize>m * n) << lg;
  let b0 = 0, b1 = batch, i0 = 0, i1 = m, j0 = 0, j1 = n;
  if (nt > 1 && batch >= nt) {
    const r = share(batch, t, nt, 1);
    b0 = hi(r);
    b1 = lo(r);
  } else if (nt > 1 && m >= n) {
    const r = share(m, t, nt, 4);
    i0 = hi(r);
    i1 = lo(r);
  } else if (nt > 1) {
    const r = share(n, t, nt, 8);
    j0 = hi(r);
    j1 = lo(r);
  }
  if (i0 >= i1 || j0 >= j1) return;
  for (let q = b0; q < b1; q++) {
    const qa = a + <usize>q * sa, qb = b + <usize>q * sb, qc = c + <usize>q * sc;
    if (f64) gemm64(qa, qb, qc, m, k, n, ta, tb, i0, i1, j0, j1, work);
    else gemm32(qa, qb, qc, m, k, n, ta, tb, i0, i1, j0, j1, work);
  }
}

function binaryJob(job: usize, t: i32, nt: i32, f64: bool): void {
  const op = word(job, 1), a = <usize>word(job, 2), b = <usize>word(job, 3), o = <usize>word(job, 4);
  const rank = word(job, 5), meta = <usize>word(job, 6);
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= load<i32>(meta + (<usize>d << 2));
  const n = rank == 0 ? 1 : load<i32>(meta + ((<usize>rank - 1) << 2));
  if (rows == 1) {
    // One long row: threads split its elements (at multiples of 4, see elementwise.ts).
    const r = share(n, t, nt, 4);
    if (hi(r) >= lo(r)) return;
    if (f64) binary64(op, a, b, o, rank, meta, 0, 0, hi(r), lo(r));
    else binary32(op, a, b, o, rank, meta, 0, 0, hi(r), lo(r));
    return;
  }
  const r = share(rows, t, nt, 1);
  if (hi(r) >= lo(r)) return;
  if (f64) binary64(op, a, b, o, rank, meta, hi(r), lo(r), 0, 0);
  else binary32(op, a, b, o, rank, meta, hi(r), lo(r), 0, 0);
}

export function run(job: usize, t: i32, nt: i32): void {
  const kind = word(job, 0);
  if (kind == 1) {
    gemmJob(job, t, nt);
  } else if (kind == 2 || kind == 3) {
    const r = share(word(job, 4), t, nt, 4);
    if (hi(r) >= lo(r)) return;
    const lg: usize = kind == 3 ? 3 : 2;
    const x = <usize>word(job, 2) + (<usize>hi(r) << lg), o = <usize>word(job, 3) + (<usize>hi(r) << lg);
    if (kind == 3) unary64(word(job, 1), x, o, lo(r) - hi(r));
    else unary32(word(job, 1), x, o, lo(r) - hi(r));
  } else if (kind == 4 || kind == 5) {
    binaryJob(job, t, nt, kind == 5);
  } else if (kind == 6 || kind == 7) {
    // Reductions run on one thread: they are cheap next to the products that feed them.
    if (t != 0) return;
    reduce(kind == 7, word(job, 1), word(job, 2), word(job, 3), word(job, 4), word(job, 5), word(job, 6), word(job, 7));
  } else if (kind == 8 || kind == 9) {
    const r = share(word(job, 12), t, nt, 4);
    if (hi(r) >= lo(r)) return;
    const p = word(job, 2), g = word(job, 3), m = word(job, 4), v = word(job, 5), mx = word(job, 6);
    const po = word(job, 7), mo = word(job, 8), vo = word(job, 9), mxo = word(job, 10), flags = word(job, 1);
    if (kind == 9) adam64(p, g, m, v, mx, po, mo, vo, mxo, job + 64, flags, hi(r), lo(r));
    else adam32(p, g, m, v, mx, po, mo, vo, mxo, job + 64, flags, hi(r), lo(r));
  } else if (kind >= 12 && kind <= 15) {
    // im2col (12, 13) and col2im (14, 15): threads take whole images. Geometry at word 4's address.
    const g = <usize>word(job, 4);
    const r = share(load<i32>(g), t, nt, 1);
    if (hi(r) >= lo(r)) return;
    const x = <usize>word(job, 2), o = <usize>word(job, 3);
    if (kind == 12) im2col<f32>(x, o, g, <f32>load<f64>(job + 64), hi(r), lo(r));
    else if (kind == 13) im2col<f64>(x, o, g, load<f64>(job + 64), hi(r), lo(r));
    else if (kind == 14) col2im<f32>(x, o, g, hi(r), lo(r));
    else col2im<f64>(x, o, g, hi(r), lo(r));
  } else if (kind == 22 || kind == 23) {
    // Max pooling's choices: threads split the n * c planes. Geometry at word 4's address.
    const g = <usize>word(job, 4);
    const r = share(load<i32>(g) * load<i32>(g, 4), t, nt, 1);
    if (hi(r) >= lo(r)) return;
    const x = <usize>word(job, 2), o = <usize>word(job, 3);
    if (kind == 22) poolArgmax<f32>(x, o, g, hi(r), lo(r));
    else poolArgmax<f64>(x, o, g, hi(r), lo(r));
  } else if (kind == 16 || kind == 17) {
    // argmax/argmin: threads split the outer dims. Words: 1 isMax, 2 x, 3 out, 4 outer, 5 len, 6 inner.
    const r = share(word(job, 4), t, nt, 1);
    if (hi(r) >= lo(r)) return;
    const x = <usize>word(job, 2), o = <usize>word(job, 3), isMax = word(job, 1) != 0;
    if (kind == 16) argReduce<f32>(isMax, x, o, word(job, 5), word(job, 6), hi(r), lo(r));
    else argReduce<f64>(isMax, x, o, word(job, 5), word(job, 6), hi(r), lo(r));
  } else if (kind >= 18 && kind <= 21) {
    // gather (18, 19) and scatterAdd (20, 21), one thread: scatterAdd's writes may collide. Words: 2 x,
    // 3 idx, 4 out/src, 5 n, 6 rank, 7 meta, 8 axis; the first bad index's position goes to word 15.
    if (t != 0) return;
    const x = <usize>word(job, 2), ix = <usize>word(job, 3), o = <usize>word(job, 4);
    const n = word(job, 5), rank = word(job, 6), meta = <usize>word(job, 7), axis = word(job, 8);
    let bad = -1;
    if (kind == 18) bad = indexWalk<f32>(false, x, ix, o, n, rank, meta, axis);
    else if (kind == 19) bad = indexWalk<f64>(false, x, ix, o, n, rank, meta, axis);
    else if (kind == 20) bad = indexWalk<f32>(true, x, ix, o, n, rank, meta, axis);
    else bad = indexWalk<f64>(true, x, ix, o, n, rank, meta, axis);
    store<i32>(job + 60, bad);
  } else if (kind == 10 || kind == 11) {
    const r = share(word(job, 8), t, nt, 4);
    if (hi(r) >= lo(r)) return;
    const p = word(job, 2), g = word(job, 3), buf = word(job, 4), po = word(job, 5), bo = word(job, 6);
    if (kind == 11) sgd64(p, g, buf, po, bo, job + 64, word(job, 1), hi(r), lo(r));
    else sgd32(p, g, buf, po, bo, job + 64, word(job, 1), hi(r), lo(r));
  }
}
