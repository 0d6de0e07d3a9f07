// exp, tanh and sigmoid on four float32 lanes: the same polynomials as the native backend's fastmath.h
// (Cephes' expf after a round-to-nearest range reduction), within 2 ulp; separate multiplies and adds,
// as that file compiles them (-ffp-contract=off).

@inline
function sp(x: f32): v128 {
  return f32x4.splat(x);
}

@inline
export function expCore(x: v128): v128 {
  const shifter = sp(12582912.0); // 1.5 * 2^23: leaves 2^22 + n in the low mantissa bits
  const t = f32x4.add(f32x4.mul(x, sp(1.44269504088896341)), shifter);
  const n = f32x4.sub(t, shifter);
  let r = f32x4.sub(x, f32x4.mul(n, sp(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, sp(-2.1219444e-4)));
  let p = sp(1.98756915e-4);
  p = f32x4.add(f32x4.mul(p, r), sp(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), sp(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), sp(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), sp(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), sp(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), sp(1.0));
  const ni = i32x4.sub(t, i32x4.splat(0x4b400000));
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  // 2^n as two halves, so that results down in the subnormals come out right.
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

@inline
function isNan(x: v128): v128 {
  return f32x4.ne(x, x);
}

@inline
export function exp4(x: v128): v128 {
  const c = f32x4.min(f32x4.max(x, sp(-104.0)), sp(89.0));
  let y = expCore(c);
  y = v128.bitselect(sp(Infinity), y, f32x4.gt(x, sp(88.72283)));
  y = v128.bitselect(sp(0), y, f32x4.lt(x, sp(-103.97208)));
  return v128.bitselect(x, y, isNan(x));
}

@inline
export function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  // Away from 0: 1 - 2 / (e^{2a} + 1). Near 0: the odd Taylor series to x^17.
  const c = f32x4.min(a, sp(10.0));
  const far = f32x4.sub(sp(1.0), f32x4.div(sp(2.0), f32x4.add(expCore(f32x4.add(c, c)), sp(1.0))));
  const z = f32x4.mul(a, a);
  let q = sp(<f32>6404582.0 / <f32>10854718875.0);
  q = f32x4.add(f32x4.mul(q, z), sp(<f32>-929569.0 / <f32>638512875.0));
  q = f32x4.add(f32x4.mul(q, z), sp(<f32>21844.0 / <f32>6081075.0));
  q = f32x4.add(f32x4.mul(q, z), sp(<f32>-1382.0 / <f32>155925.0));
  q = f32x4.add(f32x4.mul(q, z), sp(<f32>62.0 / <f32>2835.0));
  q = f32x4.add(f32x4.mul(q, z), sp(<f32>-17.0 / <f32>315.0));
  q = f32x4.add(f32x4.mul(q, z), sp(<f32>2.0 / <f32>15.0));
  q = f32x4.add(f32x4.mul(q, z), sp(<f32>-1.0 / <f32>3.0));
  const near = f32x4.add(a, f32x4.mul(a, f32x4.mul(z, q)));
  let t = v128.bitselect(near, far, f32x4.lt(a, sp(0.55)));
  t = v128.bitselect(f32x4.neg(t), t, f32x4.lt(x, sp(0)));
  return v128.bitselect(x, t, isNan(x));
}

@inline
export function sigmoid4(x: v128): v128 {
  const a = f32x4.abs(x);
  const e = expCore(f32x4.neg(f32x4.min(a, sp(104.0))));
  const d = f32x4.add(sp(1.0), e);
  const s = v128.bitselect(f32x4.div(sp(1.0), d), f32x4.div(e, d), f32x4.ge(x, sp(0)));
  return v128.bitselect(x, s, isNan(x));
}
