// Reductions, as the JS reference backend computes them: accumulate in float64 in the same order, round
// once at the end; so sums, maxima and minima are bit for bit the JS backend's.

// Op codes: 0 sum, 1 prod, 2 max, 3 min (REDUCE_OPS in src/backends/op-codes.ts).

/**
 * x has `rank` dims; meta holds rank ints each of x's shape, x's strides and the output's strides over
 * x's shape (0 on reduced dims). acc is float64 scratch for the nOut outputs.
 */
export function reduce(f64: bool, op: i32, x: usize, out: usize, acc: usize, nOut: i32, rank: i32, meta: usize): void {
  const init: f64 = op == 0 ? 0 : op == 1 ? 1 : op == 2 ? -Infinity : Infinity;
  for (let i = 0; i < nOut; i++) store<f64>(acc + (<usize>i << 3), init);
  const sh = <usize>rank << 2;
  const n = rank == 0 ? 1 : load<i32>(meta + sh - 4);
  const ii = rank == 0 ? 0 : load<i32>(meta + 2 * sh - 4);
  const io = rank == 0 ? 0 : load<i32>(meta + 3 * sh - 4);
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= load<i32>(meta + (<usize>d << 2));
  if (n == 0) rows = 0;
  const lg: usize = f64 ? 3 : 2;
  for (let r = 0; r < rows; r++) {
    let rest = r;
    let pi = 0;
    let po = 0;
    for (let d = rank - 2; d >= 0; d--) {
      const size = load<i32>(meta + (<usize>d << 2));
      const k = rest % size;
      rest = rest / size;
      pi += k * load<i32>(meta + sh + (<usize>d << 2));
      po += k * load<i32>(meta + 2 * sh + (<usize>d << 2));
    }
    const px = x + (<usize>pi << lg);
    const pa = acc + (<usize>po << 3);
    if (op == 0 && io == 0) {
      let s = load<f64>(pa);
      if (f64) for (let j = 0; j < n; j++) s += load<f64>(px + ((<usize>j * ii) << 3));
      else for (let j = 0; j < n; j++) s += <f64>load<f32>(px + ((<usize>j * ii) << 2));
      store<f64>(pa, s);
    } else if (op == 0 && io == 1 && ii == 1) {
      let j = 0;
      if (f64)
        for (; j + 2 <= n; j += 2) {
          const q = pa + (<usize>j << 3);
          v128.store(q, f64x2.add(v128.load(q), v128.load(px + (<usize>j << 3))));
        }
      else
        for (; j + 2 <= n; j += 2) {
          const q = pa + (<usize>j << 3);
          v128.store(q, f64x2.add(v128.load(q), f64x2.promote_low_f32x4(v128.load64_zero(px + (<usize>j << 2)))));
        }
      for (; j < n; j++) {
        const v: f64 = f64 ? load<f64>(px + (<usize>j << 3)) : <f64>load<f32>(px + (<usize>j << 2));
        store<f64>(pa + (<usize>j << 3), load<f64>(pa + (<usize>j << 3)) + v);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const v: f64 = f64 ? load<f64>(px + ((<usize>j * ii) << 3)) : <f64>load<f32>(px + ((<usize>j * ii) << 2));
        const q = pa + ((<usize>j * io) << 3);
        const a = load<f64>(q);
        if (op == 0) store<f64>(q, a + v);
        else if (op == 1) store<f64>(q, a * v);
        else if (op == 2) {
          if (v > a || v != v) store<f64>(q, v);
        } else if (v < a || v != v) store<f64>(q, v);
      }
    }
  }
  if (f64) memory.copy(out, acc, <usize>nOut << 3);
  else for (let i = 0; i < nOut; i++) store<f32>(out + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
}
