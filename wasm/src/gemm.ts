// Packed, register-blocked GEMM (the BLIS loop order): C = op(A) op(B) for one matrix of a batch, over a
// block of C's rows [i0, i1) and columns [j0, j1) so that threads can split one product. Operands are
// row-major; a transposed operand is read through its strides while packing, never copied whole.

// float32: 4x8 micro-tile (8 f32x4 accumulators); float64: 4x4 (8 f64x2 accumulators). Both leave room
// in the 16 SIMD registers for the B loads and the A broadcast, so nothing spills.
const MR = 4;
const NR32 = 8;
const NR64 = 4;
export const KC = 256;
export const MC = 64;
export const NC = 512;
/** Bytes of scratch one thread needs: packed A, packed B and an edge tile (float64 sizes). */
export const WORK_BYTES: i32 = (MC * KC + KC * NC) * 8 + 256;

// ---------------------------------------------------------------- float32

function packA32(a: usize, m: i32, k: i32, ta: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const i = i0 + ir;
    if (rows == MR && ta) {
      // A^T is stored [k, m]: the 4 rows of a panel are contiguous at each p.
      let src = a + ((<usize>p0 * m + i) << 2);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        src += <usize>m << 2;
        dst += 16;
      }
    } else if (rows == MR) {
      let r0 = a + ((<usize>i * k + p0) << 2);
      const ld = <usize>k << 2;
      for (let p = 0; p < kc; p++) {
        store<f32>(dst, load<f32>(r0));
        store<f32>(dst, load<f32>(r0 + ld), 4);
        store<f32>(dst, load<f32>(r0 + 2 * ld), 8);
        store<f32>(dst, load<f32>(r0 + 3 * ld), 12);
        r0 += 4;
        dst += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f32 = 0;
          if (r < rows) {
            const pp = p0 + p;
            const ii = i + r;
            v = load<f32>(a + ((ta ? <usize>pp * m + ii : <usize>ii * k + pp) << 2));
          }
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

function packB32(b: usize, k: i32, n: i32, tb: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR32) {
    const cols = min(NR32, nc - jr);
    const j = j0 + jr;
    if (cols == NR32 && !tb) {
      let src = b + ((<usize>p0 * n + j) << 2);
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += <usize>n << 2;
        dst += 32;
      }
    } else if (cols == NR32) {
      // B^T is stored [n, k]: column j of B is contiguous.
      const ld = <usize>k << 2;
      let src = b + ((<usize>j * k + p0) << 2);
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR32; c++) store<f32>(dst + (c << 2), load<f32>(src + <usize>c * ld));
        src += 4;
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR32; c++) {
          let v: f32 = 0;
          if (c < cols) {
            const pp = p0 + p;
            const jj = j + c;
            v = load<f32>(b + ((tb ? <usize>jj * k + pp : <usize>pp * n + jj) << 2));
          }
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

// One 4x8 tile: C[0..4, 0..8] (+)= Apanel . Bpanel over kc. `ldc` in bytes.
@inline
function micro32(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16;
    bp += 32;
  }
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(c + ldc));
    c11 = f32x4.add(c11, v128.load(c + ldc, 16));
    c20 = f32x4.add(c20, v128.load(c + 2 * ldc));
    c21 = f32x4.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f32x4.add(c30, v128.load(c + 3 * ldc));
    c31 = f32x4.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

export function gemm32(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  ta: bool,
  tb: bool,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  work: usize,
): void {
  const packA = work;
  const packB = work + <usize>MC * KC * 8;
  const edge = packB + <usize>KC * NC * 8;
  const ldc = <usize>n << 2;
  if (k == 0) {
    for (let i = i0; i < i1; i++) memory.fill(c + ((<usize>i * n + j0) << 2), 0, <usize>(j1 - j0) << 2);
    return;
  }
  // Equal depth blocks: 784 = 4 x 196, not 3 x 256 + 16 (a whole pass over C for 16 steps).
  const kBlocks = (k + KC - 1) / KC;
  const kStep = (k + kBlocks - 1) / kBlocks;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += kStep) {
      const kc = min(kStep, k - pc);
      const acc = pc > 0;
      packB32(b, k, n, tb, pc, kc, jc, nc, packB);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA32(a, m, k, ta, ic, mc, pc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR32) {
          const cols = min(NR32, nc - jr);
          const bp = packB + (<usize>jr * kc << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = packA + (<usize>ir * kc << 2);
            const cp = c + ((<usize>(ic + ir) * n + jc + jr) << 2);
            if (rows == MR && cols == NR32) {
              micro32(kc, ap, bp, cp, ldc, acc);
            } else {
              micro32(kc, ap, bp, edge, NR32 << 2, false);
              for (let r = 0; r < rows; r++)
                for (let q = 0; q < cols; q++) {
                  const dst = cp + <usize>r * ldc + (q << 2);
                  const v = load<f32>(edge + ((r * NR32 + q) << 2));
                  store<f32>(dst, acc ? load<f32>(dst) + v : v);
                }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- float64

function packA64(a: usize, m: i32, k: i32, ta: bool, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const i = i0 + ir;
    for (let p = 0; p < kc; p++) {
      for (let r = 0; r < MR; r++) {
        let v: f64 = 0;
        if (r < rows) {
          const pp = p0 + p;
          const ii = i + r;
          v = load<f64>(a + ((ta ? <usize>pp * m + ii : <usize>ii * k + pp) << 3));
        }
        store<f64>(dst, v);
        dst += 8;
      }
    }
  }
}

function packB64(b: usize, k: i32, n: i32, tb: bool, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR64) {
    const cols = min(NR64, nc - jr);
    const j = j0 + jr;
    for (let p = 0; p < kc; p++) {
      for (let q = 0; q < NR64; q++) {
        let v: f64 = 0;
        if (q < cols) {
          const pp = p0 + p;
          const jj = j + q;
          v = load<f64>(b + ((tb ? <usize>jj * k + pp : <usize>pp * n + jj) << 3));
        }
        store<f64>(dst, v);
        dst += 8;
      }
    }
  }
}

@inline
function micro64(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0));
    c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0));
    c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0));
    c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0));
    c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += 32;
    bp += 32;
  }
  if (accumulate) {
    c00 = f64x2.add(c00, v128.load(c));
    c01 = f64x2.add(c01, v128.load(c, 16));
    c10 = f64x2.add(c10, v128.load(c + ldc));
    c11 = f64x2.add(c11, v128.load(c + ldc, 16));
    c20 = f64x2.add(c20, v128.load(c + 2 * ldc));
    c21 = f64x2.add(c21, v128.load(c + 2 * ldc, 16));
    c30 = f64x2.add(c30, v128.load(c + 3 * ldc));
    c31 = f64x2.add(c31, v128.load(c + 3 * ldc, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

export function gemm64(
  a: usize,
  b: usize,
  c: usize,
  m: i32,
  k: i32,
  n: i32,
  ta: bool,
  tb: bool,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  work: usize,
): void {
  const packA = work;
  const packB = work + <usize>MC * KC * 8;
  const edge = packB + <usize>KC * NC * 8;
  const ldc = <usize>n << 3;
  if (k == 0) {
    for (let i = i0; i < i1; i++) memory.fill(c + ((<usize>i * n + j0) << 3), 0, <usize>(j1 - j0) << 3);
    return;
  }
  // Equal depth blocks: 784 = 4 x 196, not 3 x 256 + 16 (a whole pass over C for 16 steps).
  const kBlocks = (k + KC - 1) / KC;
  const kStep = (k + kBlocks - 1) / kBlocks;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += kStep) {
      const kc = min(kStep, k - pc);
      const acc = pc > 0;
      packB64(b, k, n, tb, pc, kc, jc, nc, packB);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA64(a, m, k, ta, ic, mc, pc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR64) {
          const cols = min(NR64, nc - jr);
          const bp = packB + (<usize>jr * kc << 3);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = packA + (<usize>ir * kc << 3);
            const cp = c + ((<usize>(ic + ir) * n + jc + jr) << 3);
            if (rows == MR && cols == NR64) {
              micro64(kc, ap, bp, cp, ldc, acc);
            } else {
              micro64(kc, ap, bp, edge, NR64 << 3, false);
              for (let r = 0; r < rows; r++)
                for (let q = 0; q < cols; q++) {
                  const dst = cp + <usize>r * ldc + (q << 3);
                  const v = load<f64>(edge + ((r * NR64 + q) << 3));
                  store<f64>(dst, acc ? load<f64>(dst) + v : v);
                }
            }
          }
        }
      }
    }
  }
}
