// argmax/argmin along an axis, gather and scatterAdd, as the JS reference backend computes them.

/** out[o, i] = index of the first max (or min) of x[o, :, i]; a NaN wins at once, as in torch. */
export function argReduce<T>(isMax: bool, x: usize, out: usize, len: i32, inner: i32, o0: i32, o1: i32): void {
  const sz = <usize>sizeof<T>();
  for (let o = o0; o < o1; o++)
    for (let i = 0; i < inner; i++) {
      const base = x + <usize>(o * len * inner + i) * sz;
      let best = load<T>(base);
      let bi = 0;
      if (best == best) {
        for (let j = 1; j < len; j++) {
          const v = load<T>(base + <usize>(j * inner) * sz);
          if (v != v) {
            bi = j;
            break;
          }
          if (isMax ? v > best : v < best) {
            best = v;
            bi = j;
          }
        }
      }
      store<i32>(out + (<usize>(o * inner + i) << 2), bi);
    }
}

/**
 * Walks idx (int32, shape meta[0..rank)) over a source of shape meta[rank..2 rank): for element i of idx,
 * the source position with idx[i] on `axis` and i's own coordinates elsewhere. gather (scatter false):
 * out[i] = x[pos]; scatterAdd: x[pos] += out[i]. Returns the position in idx of the first index out of
 * range, or -1. Counters live at meta + 8 rank.
 */
export function indexWalk<T>(scatter: bool, x: usize, idx: usize, out: usize, n: i32, rank: i32, meta: usize, axis: i32): i32 {
  const sz = <usize>sizeof<T>();
  const shape = meta + (<usize>rank << 2);
  const counter = meta + (<usize>rank << 3);
  for (let d = 0; d < rank; d++) store<i32>(counter + (<usize>d << 2), 0);
  const dimLen = rank == 0 ? 1 : load<i32>(shape + (<usize>axis << 2));
  for (let i = 0; i < n; i++) {
    let j = load<i32>(idx + (<usize>i << 2));
    if (j < -dimLen || j >= dimLen) return i;
    if (j < 0) j += dimLen;
    let pos = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      pos += (d == axis ? j : load<i32>(counter + (<usize>d << 2))) * stride;
      stride *= load<i32>(shape + (<usize>d << 2));
    }
    const p = x + <usize>pos * sz;
    const q = out + <usize>i * sz;
    if (scatter) store<T>(p, load<T>(p) + load<T>(q));
    else store<T>(q, load<T>(p));
    for (let d = rank - 1; d >= 0; d--) {
      const c = counter + (<usize>d << 2);
      const v = load<i32>(c) + 1;
      if (v < load<i32>(meta + (<usize>d << 2))) {
        store<i32>(c, v);
        break;
      }
      store<i32>(c, 0);
    }
  }
  return -1;
}
