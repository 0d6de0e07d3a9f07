/**
 * The elementwise ops in WGSL (float32), one expression per op code of op-codes.ts, with the edge cases
 * the JS backend has (NaN propagation, log of 0 and of negatives, pow of negative bases, round half to
 * even) written out: WGSL leaves many of them indeterminate, so nothing is left to the driver.
 */
import type { ElementwiseBinaryOp, UnaryOp } from '../op-codes.js';

/** Helpers every elementwise shader includes. */
export const WGSL_HELPERS = /* wgsl */ `
// Read at run time: a NaN or an infinity is not a value WGSL's constant evaluation may produce.
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nanF() -> f32 { return bitcast<f32>(NAN_BITS); }
fn infF() -> f32 { return bitcast<f32>(INF_BITS); }
fn isNanF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isInfF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn logF(x: f32) -> f32 {
  if (isNanF(x) || x < 0.0) { return nanF(); }
  if (x == 0.0) { return -infF(); }
  if (isInfF(x)) { return x; }
  return log(x);
}
fn sqrtF(x: f32) -> f32 {
  if (isNanF(x) || x < 0.0) { return nanF(); }
  if (isInfF(x)) { return x; }
  return sqrt(x);
}
fn expF(x: f32) -> f32 {
  // Cephes expf (WGSL's exp may be off by 3 + 2|x| ulps): x = n ln2 + r, exp(r) by a polynomial.
  if (isNanF(x)) { return x; }
  if (x > 88.72284) { return infF(); }
  if (x < -103.972) { return 0.0; }
  let n = floor(x * 1.44269504088896341 + 0.5);
  let r = (x - n * 0.693359375) + n * 2.12194440e-4;
  let p = (((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1) * r * r + r + 1.0;
  // Two steps, so that 2^n never overflows on its own near the ends of the range.
  let h = i32(n) / 2;
  return ldexp(ldexp(p, h), i32(n) - h);
}
fn trigF(x: f32, wantCos: bool) -> f32 {
  // Cephes sinf/cosf: reduce to [-pi/4, pi/4] in three parts of pi/4, then a minimax polynomial (WGSL
  // only promises 2^-11 absolute error for sin and cos).
  if (isNanF(x) || isInfF(x)) { return nanF(); }
  var sgn = 1.0;
  var xa = abs(x);
  if (!wantCos && x < 0.0) { sgn = -1.0; }
  var j = u32(xa * 1.27323954473516);
  var y = f32(j);
  if ((j & 1u) == 1u) { j += 1u; y += 1.0; }
  j = j & 7u;
  if (j > 3u) { j -= 4u; sgn = -sgn; }
  if (wantCos && j > 1u) { sgn = -sgn; }
  let z = ((xa - y * 0.78515625) - y * 2.4187564849853515625e-4) - y * 3.77489497744594108e-8;
  let zz = z * z;
  let sp = ((-1.9515295891e-4 * zz + 8.3321608736e-3) * zz - 1.6666654611e-1) * zz * z + z;
  let cp = ((2.443315711809948e-5 * zz - 1.388731625493765e-3) * zz + 4.166664568298827e-2) * zz * zz - 0.5 * zz + 1.0;
  let swap = j == 1u || j == 2u;
  return sgn * select(select(sp, cp, swap), select(cp, sp, swap), wantCos);
}
fn sigmoidF(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + expF(-x)); }
  let e = expF(x);
  return e / (1.0 + e);
}
fn tanhF(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  if (abs(x) > 10.0) { return sign(x); }
  return tanh(x);
}
fn erfF(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), odd in x.
  if (isNanF(x)) { return x; }
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * expF(-x * x);
  return select(y, -y, x < 0.0);
}
fn log1pF(x: f32) -> f32 {
  if (isNanF(x) || x < -1.0) { return nanF(); }
  if (x == -1.0) { return -infF(); }
  if (isInfF(x)) { return x; }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
fn expm1F(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  if (x > 88.72284) { return infF(); }
  let u = expF(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  return um1 * x / log(u);
}
fn signF(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0);
}
fn powF(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isNanF(a) || isNanF(b)) { return nanF(); }
  if (a == 0.0) { return select(infF(), 0.0, b > 0.0); }
  let r = exp2(b * log2(abs(a)));
  if (a > 0.0) { return r; }
  // A negative base: an integer exponent gives a signed result, any other NaN (as Math.pow).
  if (trunc(b) != b) { return nanF(); }
  let odd = abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
  return select(r, -r, odd);
}
fn maxF(a: f32, b: f32) -> f32 {
  if (isNanF(a) || isNanF(b)) { return nanF(); }
  return max(a, b);
}
fn minF(a: f32, b: f32) -> f32 {
  if (isNanF(a) || isNanF(b)) { return nanF(); }
  return min(a, b);
}
fn asinPoly(x: f32) -> f32 {
  let z = x * x;
  return ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z + 7.4953002686e-2) * z
    + 1.6666752422e-1) * z * x + x;
}
// Cephes asinf/acosf/atanf: WGSL's inverse trigonometry is too loose (SwiftShader's acos(0) is off by 7e-5).
fn asinF(x: f32) -> f32 {
  if (isNanF(x) || abs(x) > 1.0) { return nanF(); }
  let a = abs(x);
  var r: f32;
  if (a > 0.5) { r = 1.5707963267948966 - 2.0 * asinPoly(sqrt(0.5 * (1.0 - a))); } else { r = asinPoly(a); }
  return select(r, -r, x < 0.0);
}
fn acosF(x: f32) -> f32 {
  if (isNanF(x) || abs(x) > 1.0) { return nanF(); }
  if (x < -0.5) { return 3.141592653589793 - 2.0 * asinPoly(sqrt(0.5 * (1.0 + x))); }
  if (x > 0.5) { return 2.0 * asinPoly(sqrt(0.5 * (1.0 - x))); }
  return 1.5707963267948966 - asinPoly(x);
}
fn atanF(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  let a = abs(x);
  var y = 0.0;
  var t = a;
  if (a > 2.414213562373095) { y = 1.5707963267948966; t = -1.0 / a; }
  else if (a > 0.4142135623730950) { y = 0.7853981633974483; t = (a - 1.0) / (a + 1.0); }
  let z = t * t;
  let r = y + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * t + t);
  return select(r, -r, x < 0.0);
}
fn atan2F(a: f32, b: f32) -> f32 {
  if (isNanF(a) || isNanF(b)) { return nanF(); }
  if (b == 0.0) {
    if (a == 0.0) { return select(0.0, 3.141592653589793, bitcast<u32>(b) != 0u) * select(1.0, -1.0, bitcast<u32>(a) != 0u); }
    return select(1.5707963267948966, -1.5707963267948966, a < 0.0);
  }
  let r = atanF(a / b);
  if (b > 0.0) { return r; }
  return select(r - 3.141592653589793, r + 3.141592653589793, a >= 0.0);
}
fn b2f(c: bool) -> f32 { return select(0.0, 1.0, c); }
// NaN is true (nonzero), as in PyTorch; tested by bits, since a driver may assume no NaN in comparisons.
fn truthy(x: f32) -> bool { return isNanF(x) || x != 0.0; }
fn ordered(a: f32, b: f32) -> bool { return !isNanF(a) && !isNanF(b); }
`;

/** Each unary op as an expression in `x` (f32). */
export const UNARY_WGSL: Record<UnaryOp, string> = {
  neg: '-x',
  abs: 'abs(x)',
  sqrt: 'sqrtF(x)',
  relu: 'select(x, 0.0, x <= 0.0)',
  floor: 'floor(x)',
  ceil: 'ceil(x)',
  round: 'round(x)',
  trunc: 'trunc(x)',
  exp: 'expF(x)',
  tanh: 'tanhF(x)',
  sigmoid: 'sigmoidF(x)',
  log: 'logF(x)',
  rsqrt: '1.0 / sqrtF(x)',
  sin: 'trigF(x, false)',
  cos: 'trigF(x, true)',
  tan: 'trigF(x, false) / trigF(x, true)',
  atan: 'atanF(x)',
  asin: 'asinF(x)',
  acos: 'acosF(x)',
  sinh: '(expF(x) - expF(-x)) * 0.5',
  cosh: '(expF(x) + expF(-x)) * 0.5',
  erf: 'erfF(x)',
  sign: 'signF(x)',
  log1p: 'log1pF(x)',
  expm1: 'expm1F(x)',
  isnan: 'b2f(isNanF(x))',
  isinf: 'b2f(isInfF(x))',
  isfinite: 'b2f(!isNanF(x) && !isInfF(x))',
  logicalNot: 'b2f(!truthy(x))',
};

/** Each binary op as an expression in `a` and `b` (f32). */
export const BINARY_WGSL: Record<ElementwiseBinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  maximum: 'maxF(a, b)',
  minimum: 'minF(a, b)',
  tanhBackward: 'a * (1.0 - b * b)',
  sigmoidBackward: 'a * (b * (1.0 - b))',
  reluBackward: 'select(a, 0.0, b <= 0.0)',
  pow: 'powF(a, b)',
  atan2: 'atan2F(a, b)',
  eq: 'b2f(ordered(a, b) && a == b)',
  ne: 'b2f(!ordered(a, b) || a != b)',
  lt: 'b2f(ordered(a, b) && a < b)',
  le: 'b2f(ordered(a, b) && a <= b)',
  gt: 'b2f(ordered(a, b) && a > b)',
  ge: 'b2f(ordered(a, b) && a >= b)',
  logicalAnd: 'b2f(truthy(a) && truthy(b))',
  logicalOr: 'b2f(truthy(a) || truthy(b))',
  logicalXor: 'b2f(truthy(a) != truthy(b))',
};

/**
 * The ops that int32 operands compute exactly, in i32 (wrapping as Int32Array stores do): `v` is an i32
 * result, `c` a condition (a bool result). Others on int32 are refused (float32 rounding above 2^24
 * would be silently wrong); division always gives floats, as in PyTorch.
 */
export const BINARY_I32: Partial<Record<ElementwiseBinaryOp, { v: string } | { c: string }>> = {
  add: { v: 'a + b' },
  sub: { v: 'a - b' },
  mul: { v: 'a * b' },
  maximum: { v: 'max(a, b)' },
  minimum: { v: 'min(a, b)' },
  pow: { v: 'powI(a, b)' },
  eq: { c: 'a == b' },
  ne: { c: 'a != b' },
  lt: { c: 'a < b' },
  le: { c: 'a <= b' },
  gt: { c: 'a > b' },
  ge: { c: 'a >= b' },
  logicalAnd: { c: 'a != 0 && b != 0' },
  logicalOr: { c: 'a != 0 || b != 0' },
  logicalXor: { c: '(a != 0) != (b != 0)' },
};
export const UNARY_I32: Partial<Record<UnaryOp, { v: string } | { c: string }>> = {
  neg: { v: '-x' },
  abs: { v: 'abs(x)' },
  sign: { v: 'sign(x)' },
  relu: { v: 'max(x, 0)' },
  floor: { v: 'x' },
  ceil: { v: 'x' },
  round: { v: 'x' },
  trunc: { v: 'x' },
  isnan: { c: 'false' },
  isinf: { c: 'false' },
  isfinite: { c: 'true' },
  logicalNot: { c: 'x == 0' },
};
const I32_HELPERS = /* wgsl */ `
fn powI(a: i32, b: i32) -> i32 {
  // As JavaScript's a ** b stored in an Int32Array: a negative exponent leaves 1, -1 or 0 (truncated).
  if (b < 0) { if (a == 1) { return 1; } if (a == -1) { return select(1, -1, (b & 1) == 1); } return 0; }
  var r = 1;
  var base = a;
  var e = b;
  loop { if (e == 0) { break; } if ((e & 1) == 1) { r = r * base; } base = base * base; e = e >> 1; }
  return r;
}`;

/** The i32 expression of `op` stored as `outT` (null when int32 inputs are not computed exactly). */
function intExpr(t: { v: string } | { c: string } | undefined, outT: DeviceDType): string | null {
  if (!t) return null;
  if ('c' in t)
    return outT === 'bool'
      ? `select(0u, 1u, ${t.c})`
      : outT === 'int32'
        ? `select(0, 1, ${t.c})`
        : `select(0.0, 1.0, ${t.c})`;
  return outT === 'int32' ? t.v : outT === 'bool' ? `select(0u, 1u, (${t.v}) != 0)` : `f32(${t.v})`;
}

/** How a dtype lives in a device buffer: 32-bit words, loaded as f32 for arithmetic. */
export const WGSL_ELEMENT = { float32: 'f32', int32: 'i32', bool: 'u32' } as const;
export type DeviceDType = keyof typeof WGSL_ELEMENT;

const load = (t: DeviceDType, e: string) => (t === 'float32' ? e : `f32(${e})`);
const store = (t: DeviceDType, e: string) =>
  t === 'float32' ? e : t === 'bool' ? `select(0u, 1u, truthy(${e}))` : `i32(${e})`;

export const WORKGROUP = 256;

/**
 * A one-thread-per-element kernel's start: the helpers, `bindings` (which declare the uniform `n`), and
 * `main` with the element index `i` over a 2-D grid of workgroups, out-of-range threads returned.
 */
export const kernelHead = (bindings: string): string => `${WGSL_HELPERS}
${bindings}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${WORKGROUP}u;
  if (i >= n.x) { return; }`;

/** A unary kernel: out[i] = op(x[i]) over n elements (a 2-D grid of workgroups for large n). */
export function unaryShader(op: UnaryOp, inT: DeviceDType, outT: DeviceDType): string {
  const int = inT === 'int32' ? intExpr(UNARY_I32[op], outT) : null;
  const body = int
    ? `let x = xs[i];\n  out[i] = ${int};`
    : `let x = ${load(inT, 'xs[i]')};\n  out[i] = ${store(outT, UNARY_WGSL[op])};`;
  return `${WGSL_HELPERS}${int ? I32_HELPERS : ''}
@group(0) @binding(0) var<storage, read> xs: array<${WGSL_ELEMENT[inT]}>;
@group(0) @binding(1) var<storage, read_write> out: array<${WGSL_ELEMENT[outT]}>;
@group(0) @binding(2) var<uniform> n: vec4u;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${WORKGROUP}u;
  if (i >= n.x) { return; }
  ${body}
}`;
}

/**
 * A broadcasting binary kernel. `shapeInfo` holds rank, then the output's shape, then a's and b's strides
 * (0 along broadcast axes), as u32s.
 */
export function binaryShader(
  op: ElementwiseBinaryOp,
  aT: DeviceDType,
  bT: DeviceDType,
  outT: DeviceDType,
): string {
  const int = aT === 'int32' && bT === 'int32' ? intExpr(BINARY_I32[op], outT) : null;
  const body = int
    ? `let a = as_[ia];\n  let b = bs[ib];\n  out[i] = ${int};`
    : `let a = ${load(aT, 'as_[ia]')};\n  let b = ${load(bT, 'bs[ib]')};\n  out[i] = ${store(outT, BINARY_WGSL[op])};`;
  return `${WGSL_HELPERS}${int ? I32_HELPERS : ''}
@group(0) @binding(0) var<storage, read> as_: array<${WGSL_ELEMENT[aT]}>;
@group(0) @binding(1) var<storage, read> bs: array<${WGSL_ELEMENT[bT]}>;
@group(0) @binding(2) var<storage, read_write> out: array<${WGSL_ELEMENT[outT]}>;
@group(0) @binding(3) var<uniform> n: vec4u;
@group(0) @binding(4) var<storage, read> shapeInfo: array<u32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${WORKGROUP}u;
  if (i >= n.x) { return; }
  let rank = shapeInfo[0];
  var rest = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = rank; d > 0u; d--) {
    let size = shapeInfo[d];
    let c = rest % size;
    rest = rest / size;
    ia += c * shapeInfo[rank + d];
    ib += c * shapeInfo[2u * rank + d];
  }
  ${body}
}`;
}
