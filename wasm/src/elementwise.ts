// Elementwise kernels on float32 (four lanes) and float64 (two lanes). Semantics follow the JS reference
// backend (src/backends/js/math.ts): everything but float32 exp/tanh/sigmoid is bit for bit the same (the
// fused backward ops are computed in float64 and rounded once, as JS does).
//
// Flat loops run whole vectors past the end: the JS side pads every buffer to 16 bytes and splits flat
// ranges between threads at multiples of 4 elements, so the overrun only ever lands in padding.
import { exp4, sigmoid4, tanh4 } from './fastmath';

// Unary op codes: the indices in src/backends/op-codes.ts (UNARY_OPS):
// 0 neg, 1 abs, 2 sqrt, 3 relu, 4 floor, 5 ceil, 6 round, 7 trunc, 8 exp, 9 tanh, 10 sigmoid (the last
// three float32 only).

@inline
function un32(op: i32, x: v128): v128 {
  if (op == 0) return f32x4.neg(x);
  if (op == 1) return f32x4.abs(x);
  if (op == 2) return f32x4.sqrt(x);
  if (op == 3) return v128.andnot(x, f32x4.le(x, f32x4.splat(0))); // x <= 0 ? 0 : x; NaN stays NaN
  if (op == 4) return f32x4.floor(x);
  if (op == 5) return f32x4.ceil(x);
  if (op == 6) return f32x4.nearest(x); // ties to even, as torch.round
  if (op == 7) return f32x4.trunc(x);
  if (op == 8) return exp4(x);
  if (op == 9) return tanh4(x);
  return sigmoid4(x);
}

@inline
function un64(op: i32, x: v128): v128 {
  if (op == 0) return f64x2.neg(x);
  if (op == 1) return f64x2.abs(x);
  if (op == 2) return f64x2.sqrt(x);
  if (op == 3) return v128.andnot(x, f64x2.le(x, f64x2.splat(0)));
  if (op == 4) return f64x2.floor(x);
  if (op == 5) return f64x2.ceil(x);
  if (op == 6) return f64x2.nearest(x);
  return f64x2.trunc(x);
}

@inline
function unLoop32(op: i32, x: usize, o: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) v128.store(o + (<usize>j << 2), un32(op, v128.load(x + (<usize>j << 2))));
}

@inline
function unLoop64(op: i32, x: usize, o: usize, n: i32): void {
  for (let j = 0; j < n; j += 2) v128.store(o + (<usize>j << 3), un64(op, v128.load(x + (<usize>j << 3))));
}

/** o[0..n) = op(x[0..n)), float32. */
export function unary32(op: i32, x: usize, o: usize, n: i32): void {
  // One specialized loop per op: each call site passes a constant that the optimizer folds.
  switch (op) {
    case 0: unLoop32(0, x, o, n); break;
    case 1: unLoop32(1, x, o, n); break;
    case 2: unLoop32(2, x, o, n); break;
    case 3: unLoop32(3, x, o, n); break;
    case 4: unLoop32(4, x, o, n); break;
    case 5: unLoop32(5, x, o, n); break;
    case 6: unLoop32(6, x, o, n); break;
    case 7: unLoop32(7, x, o, n); break;
    case 8: unLoop32(8, x, o, n); break;
    case 9: unLoop32(9, x, o, n); break;
    default: unLoop32(10, x, o, n);
  }
}

/** o[0..n) = op(x[0..n)), float64. */
export function unary64(op: i32, x: usize, o: usize, n: i32): void {
  switch (op) {
    case 0: unLoop64(0, x, o, n); break;
    case 1: unLoop64(1, x, o, n); break;
    case 2: unLoop64(2, x, o, n); break;
    case 3: unLoop64(3, x, o, n); break;
    case 4: unLoop64(4, x, o, n); break;
    case 5: unLoop64(5, x, o, n); break;
    case 6: unLoop64(6, x, o, n); break;
    default: unLoop64(7, x, o, n);
  }
}

// Binary op codes (ELEMENTWISE_BINARY_OPS in src/backends/op-codes.ts): 0 add, 1 sub, 2 mul, 3 div, 4 maximum, 5 minimum, 6 tanhBackward, 7 sigmoidBackward,
// 8 reluBackward.

// maximum/minimum as JS computes them: a > b ? a : b (so max(+0, -0) is -0), NaN if either is NaN.
@inline
function pick32(a: v128, b: v128, takeA: v128): v128 {
  const r = v128.bitselect(a, b, takeA);
  return v128.bitselect(f32x4.add(a, b), r, v128.or(f32x4.ne(a, a), f32x4.ne(b, b)));
}

@inline
function pick64(a: v128, b: v128, takeA: v128): v128 {
  const r = v128.bitselect(a, b, takeA);
  return v128.bitselect(f64x2.add(a, b), r, v128.or(f64x2.ne(a, a), f64x2.ne(b, b)));
}

@inline
function bin64(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f64x2.add(a, b);
  if (op == 1) return f64x2.sub(a, b);
  if (op == 2) return f64x2.mul(a, b);
  if (op == 3) return f64x2.div(a, b);
  if (op == 4) return pick64(a, b, f64x2.gt(a, b));
  if (op == 5) return pick64(a, b, f64x2.lt(a, b));
  const one = f64x2.splat(1);
  if (op == 6) return f64x2.mul(a, f64x2.sub(one, f64x2.mul(b, b)));
  if (op == 7) return f64x2.mul(a, f64x2.mul(b, f64x2.sub(one, b)));
  return v128.andnot(a, f64x2.le(b, f64x2.splat(0)));
}

// The backward ops in float64, rounded once: what JS's number arithmetic gives.
@inline
function backward32(op: i32, a: v128, b: v128): v128 {
  const lo = bin64(op, f64x2.promote_low_f32x4(a), f64x2.promote_low_f32x4(b));
  const hi = bin64(
    op,
    f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1)),
    f64x2.promote_low_f32x4(i32x4.shuffle(b, b, 2, 3, 0, 1)),
  );
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

@inline
function bin32(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  if (op == 3) return f32x4.div(a, b);
  if (op == 4) return pick32(a, b, f32x4.gt(a, b));
  if (op == 5) return pick32(a, b, f32x4.lt(a, b));
  if (op == 8) return v128.andnot(a, f32x4.le(b, f32x4.splat(0)));
  return backward32(op, a, b);
}

// One row: o[j] = op(a[j * ia], b[j * ib]) for j < n. Strides 1/1, 1/0 and 0/1 run in vectors; the
// tail and other strides one element at a time through a one-lane vector (same formulas).
@inline
function row32(op: i32, a: usize, ia: i32, b: usize, ib: i32, o: usize, n: i32, flat: bool): void {
  let j = 0;
  const vn = flat ? n : n & ~3;
  if (ia == 1 && ib == 1) {
    for (; j < vn; j += 4) {
      const off = <usize>j << 2;
      v128.store(o + off, bin32(op, v128.load(a + off), v128.load(b + off)));
    }
  } else if (ia == 1 && ib == 0) {
    const y = v128.load32_splat(b);
    for (; j < vn; j += 4) {
      const off = <usize>j << 2;
      v128.store(o + off, bin32(op, v128.load(a + off), y));
    }
  } else if (ia == 0 && ib == 1) {
    const x = v128.load32_splat(a);
    for (; j < vn; j += 4) {
      const off = <usize>j << 2;
      v128.store(o + off, bin32(op, x, v128.load(b + off)));
    }
  }
  for (; j < n; j++) {
    const x = v128.load32_splat(a + ((<usize>j * ia) << 2));
    const y = v128.load32_splat(b + ((<usize>j * ib) << 2));
    store<f32>(o + (<usize>j << 2), f32x4.extract_lane(bin32(op, x, y), 0));
  }
}

@inline
function row64(op: i32, a: usize, ia: i32, b: usize, ib: i32, o: usize, n: i32, flat: bool): void {
  let j = 0;
  const vn = flat ? n : n & ~1;
  if (ia == 1 && ib == 1) {
    for (; j < vn; j += 2) {
      const off = <usize>j << 3;
      v128.store(o + off, bin64(op, v128.load(a + off), v128.load(b + off)));
    }
  } else if (ia == 1 && ib == 0) {
    const y = v128.load64_splat(b);
    for (; j < vn; j += 2) {
      const off = <usize>j << 3;
      v128.store(o + off, bin64(op, v128.load(a + off), y));
    }
  } else if (ia == 0 && ib == 1) {
    const x = v128.load64_splat(a);
    for (; j < vn; j += 2) {
      const off = <usize>j << 3;
      v128.store(o + off, bin64(op, x, v128.load(b + off)));
    }
  }
  for (; j < n; j++) {
    const x = v128.load64_splat(a + ((<usize>j * ia) << 3));
    const y = v128.load64_splat(b + ((<usize>j * ib) << 3));
    store<f64>(o + (<usize>j << 3), f64x2.extract_lane(bin64(op, x, y), 0));
  }
}

/**
 * Rows [r0, r1) of a broadcast binary op, or (one row only, `flat`) its elements [e0, e1). meta holds
 * rank ints each of the output shape and a's and b's element strides (0 on broadcast dims).
 */
@inline
function binaryRows(
  f64: bool,
  op: i32,
  a: usize,
  b: usize,
  o: usize,
  rank: i32,
  meta: usize,
  r0: i32,
  r1: i32,
  e0: i32,
  e1: i32,
): void {
  const sh = <usize>rank << 2;
  const n = rank == 0 ? 1 : load<i32>(meta + sh - 4);
  const ia = rank == 0 ? 0 : load<i32>(meta + 2 * sh - 4);
  const ib = rank == 0 ? 0 : load<i32>(meta + 3 * sh - 4);
  const lg: usize = f64 ? 3 : 2;
  if (e1 > e0) {
    const pa = a + ((<usize>e0 * ia) << lg);
    const pb = b + ((<usize>e0 * ib) << lg);
    const po = o + (<usize>e0 << lg);
    if (f64) row64(op, pa, ia, pb, ib, po, e1 - e0, true);
    else row32(op, pa, ia, pb, ib, po, e1 - e0, true);
    return;
  }
  for (let r = r0; r < r1; r++) {
    let rest = r;
    let offA = 0;
    let offB = 0;
    for (let d = rank - 2; d >= 0; d--) {
      const size = load<i32>(meta + (<usize>d << 2));
      const i = rest % size;
      rest = rest / size;
      offA += i * load<i32>(meta + sh + (<usize>d << 2));
      offB += i * load<i32>(meta + 2 * sh + (<usize>d << 2));
    }
    const pa = a + (<usize>offA << lg);
    const pb = b + (<usize>offB << lg);
    const po = o + ((<usize>r * n) << lg);
    if (f64) row64(op, pa, ia, pb, ib, po, n, false);
    else row32(op, pa, ia, pb, ib, po, n, false);
  }
}

export function binary32(
  op: i32, a: usize, b: usize, o: usize, rank: i32, meta: usize, r0: i32, r1: i32, e0: i32, e1: i32,
): void {
  switch (op) {
    case 0: binaryRows(false, 0, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 1: binaryRows(false, 1, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 2: binaryRows(false, 2, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 3: binaryRows(false, 3, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 4: binaryRows(false, 4, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 5: binaryRows(false, 5, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 6: binaryRows(false, 6, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 7: binaryRows(false, 7, a, b, o, rank, meta, r0, r1, e0, e1); break;
    default: binaryRows(false, 8, a, b, o, rank, meta, r0, r1, e0, e1);
  }
}

export function binary64(
  op: i32, a: usize, b: usize, o: usize, rank: i32, meta: usize, r0: i32, r1: i32, e0: i32, e1: i32,
): void {
  switch (op) {
    case 0: binaryRows(true, 0, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 1: binaryRows(true, 1, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 2: binaryRows(true, 2, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 3: binaryRows(true, 3, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 4: binaryRows(true, 4, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 5: binaryRows(true, 5, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 6: binaryRows(true, 6, a, b, o, rank, meta, r0, r1, e0, e1); break;
    case 7: binaryRows(true, 7, a, b, o, rank, meta, r0, r1, e0, e1); break;
    default: binaryRows(true, 8, a, b, o, rank, meta, r0, r1, e0, e1);
  }
}
