/**
 * Elementwise primitives: each forward and its VJP together. Binary ops broadcast; their VJPs sum the
 * gradient back to each input's shape (`sumTo`).
 */
import type { BinaryOp, UnaryOp } from '../../backends/backend.js';
import {
  type ActivationGradOp,
  type ElementwiseBinaryOp,
  isActivationGrad,
} from '../../backends/op-codes.js';
import { kernelsOf } from '../../backends/kernels.js';
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { alignForBroadcast } from '../batching.js';
import { type DType, getDefaultDtype, isFloat } from '../../tensor/dtype.js';
import { broadcastShapes, shapesEqual } from '../../tensor/shape.js';
import { expand } from './shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  asFloat,
  binaryOperands,
  checkBoolTensor,
  checkTensor,
  fromStorage,
  scalarOf,
  type TensorLike,
} from '../core.js';
import { sumTo } from './reduce.js';
import { zerosLike } from '../../tensor/creation.js';

// ---------------------------------------------------------------------------------------------------
// Unary

type UnaryVjp = (g: Tensor, x: Tensor, out: Tensor) => Tensor;

function unaryPrimitive(op: UnaryOp, vjp: UnaryVjp, saves: { input?: boolean; output?: boolean }) {
  const prim: Primitive<undefined> = definePrimitive<undefined>({
    name: op,
    forward: ([x]) => fromStorage(x.backend.unary(op, x._storage, x.dtype), x.shape),
    vjp: (g, { inputs, out }) => [vjp(g, inputs[0], out)],
    // Elementwise: the Jacobian is diagonal, so J t is the VJP applied to t.
    jvp: ([t], { inputs, out }) => (t ? vjp(t, inputs[0], out) : null),
    // Elementwise: the batch dim stays where it is.
    batch: ([x], [b]) => [prim([x], undefined), b],
    saves: { inputs: saves.input ? [0] : [], output: saves.output ?? false },
  });
  return prim;
}

const SQRT_2_OVER_PI = 2 / Math.sqrt(Math.PI);

const UNARY = {
  neg: unaryPrimitive('neg', (g) => neg(g), {}),
  exp: unaryPrimitive('exp', (g, _x, out) => mul(g, out), { output: true }),
  log: unaryPrimitive('log', (g, x) => div(g, x), { input: true }),
  sqrt: unaryPrimitive('sqrt', (g, _x, out) => div(g, mul(out, 2)), { output: true }),
  rsqrt: unaryPrimitive('rsqrt', (g, _x, out) => mul(g, mul(powScalar(out, 3), -0.5)), { output: true }),
  sin: unaryPrimitive('sin', (g, x) => mul(g, cos(x)), { input: true }),
  cos: unaryPrimitive('cos', (g, x) => neg(mul(g, sin(x))), { input: true }),
  tan: unaryPrimitive('tan', (g, _x, out) => mul(g, add(mul(out, out), 1)), { output: true }),
  // One fused pass each, as PyTorch's tanh_backward / sigmoid_backward (differentiable themselves).
  tanh: unaryPrimitive('tanh', (g, _x, out) => tanhBackward(g, out), { output: true }),
  sigmoid: unaryPrimitive('sigmoid', (g, _x, out) => sigmoidBackward(g, out), { output: true }),
  // relu'(0) = 0 (PyTorch's convention); one pass forward and one backward.
  relu: unaryPrimitive('relu', (g, _x, out) => reluBackward(g, out), { output: true }),
  atan: unaryPrimitive('atan', (g, x) => div(g, add(mul(x, x), 1)), { input: true }),
  asin: unaryPrimitive('asin', (g, x) => div(g, sqrt(sub(1, mul(x, x)))), { input: true }),
  acos: unaryPrimitive('acos', (g, x) => neg(div(g, sqrt(sub(1, mul(x, x))))), { input: true }),
  sinh: unaryPrimitive('sinh', (g, x) => mul(g, cosh(x)), { input: true }),
  cosh: unaryPrimitive('cosh', (g, x) => mul(g, sinh(x)), { input: true }),
  erf: unaryPrimitive('erf', (g, x) => mul(g, mul(exp(neg(mul(x, x))), SQRT_2_OVER_PI)), { input: true }),
  // sign(0) = 0 gives abs'(0) = 0, PyTorch's convention.
  abs: unaryPrimitive('abs', (g, x) => mul(g, sign(x)), { input: true }),
  log1p: unaryPrimitive('log1p', (g, x) => div(g, add(x, 1)), { input: true }),
  expm1: unaryPrimitive('expm1', (g, _x, out) => mul(g, add(out, 1)), { output: true }),
  // Piecewise-constant functions: gradient zero everywhere (PyTorch returns zeros, not None).
  sign: unaryPrimitive('sign', (g) => zerosLike(g), {}),
  floor: unaryPrimitive('floor', (g) => zerosLike(g), {}),
  ceil: unaryPrimitive('ceil', (g) => zerosLike(g), {}),
  round: unaryPrimitive('round', (g) => zerosLike(g), {}),
  trunc: unaryPrimitive('trunc', (g) => zerosLike(g), {}),
};

function floatUnary(name: keyof typeof UNARY) {
  return (x: Tensor): Tensor => UNARY[name]([asFloat(checkTensor(name, 'x', x))], undefined);
}
function keepDtypeUnary(name: keyof typeof UNARY) {
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    return UNARY[name]([x.dtype === 'bool' ? x.to('int32') : x], undefined);
  };
}
function integerIdentity(name: keyof typeof UNARY) {
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    return isFloat(x.dtype) ? UNARY[name]([x], undefined) : x.clone();
  };
}

/** -x. @example neg(tensor([1, -2])) // tensor([-1., 2.]) */
export const neg = keepDtypeUnary('neg');
/** e^x. @example exp(tensor([0, 1])) // tensor([1.0000, 2.7183]) */
export const exp = floatUnary('exp');
/** Natural log. @example log(tensor([1, Math.E])) // tensor([0.0000, 1.0000]) */
export const log = floatUnary('log');
/** Square root. @example sqrt(tensor([4, 9])) // tensor([2., 3.]) */
export const sqrt = floatUnary('sqrt');
/** 1/sqrt(x). @example rsqrt(tensor([4])) // tensor([0.5000]) */
export const rsqrt = floatUnary('rsqrt');
/** Sine. @example sin(tensor([0])) // tensor([0.]) */
export const sin = floatUnary('sin');
/** Cosine. @example cos(tensor([0])) // tensor([1.]) */
export const cos = floatUnary('cos');
/** Tangent. @example tan(tensor([0])) // tensor([0.]) */
export const tan = floatUnary('tan');
/** Hyperbolic tangent. @example tanh(tensor([0, 1])) // tensor([0.0000, 0.7616]) */
export const tanh = floatUnary('tanh');
/** Logistic sigmoid 1/(1+e^-x), overflow-safe. @example sigmoid(tensor([0])) // tensor([0.5000]) */
export const sigmoid = floatUnary('sigmoid');
/** Arctangent. @example atan(tensor([1])) // tensor([0.7854]) */
export const atan = floatUnary('atan');
/** Arcsine. @example asin(tensor([1])) // tensor([1.5708]) */
export const asin = floatUnary('asin');
/** Arccosine. @example acos(tensor([1])) // tensor([0.]) */
export const acos = floatUnary('acos');
/** Hyperbolic sine. @example sinh(tensor([0])) // tensor([0.]) */
export const sinh = floatUnary('sinh');
/** Hyperbolic cosine. @example cosh(tensor([0])) // tensor([1.]) */
export const cosh = floatUnary('cosh');
/** Gauss error function, to full double precision. @example erf(tensor([0.5])) // tensor([0.5205]) */
export const erf = floatUnary('erf');
/** |x|, with abs'(0) = 0. @example abs(tensor([-2, 3])) // tensor([2., 3.]) */
export const abs = keepDtypeUnary('abs');
/** log(1 + x), accurate near 0. @example log1p(tensor([1e-10])) */
export const log1p = floatUnary('log1p');
/** e^x - 1, accurate near 0. @example expm1(tensor([1e-10])) */
export const expm1 = floatUnary('expm1');
/** -1, 0 or 1 (NaN stays NaN). @example sign(tensor([-3, 0, 2])) // tensor([-1., 0., 1.]) */
export const sign = keepDtypeUnary('sign');
/** Round down. @example floor(tensor([1.5, -1.5])) // tensor([ 1., -2.]) */
export const floor = integerIdentity('floor');
/** Round up. @example ceil(tensor([1.5])) // tensor([2.]) */
export const ceil = integerIdentity('ceil');
/** Round half to even, like torch.round. @example round(tensor([0.5, 1.5])) // tensor([0., 2.]) */
export const round = integerIdentity('round');
/** Round toward zero. @example trunc(tensor([-1.7])) // tensor([-1.]) */
export const trunc = integerIdentity('trunc');

// ---------------------------------------------------------------------------------------------------
// Binary arithmetic

function binaryForward(op: BinaryOp, a: Tensor, b: Tensor, outDtype: DType): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  return fromStorage(a.backend.binary(op, a._storage, a.shape, b._storage, b.shape, shape, outDtype), shape);
}

/** Activations' VJPs are a capability: fused where the backend has them, composed where not. */
function activationGradForward(op: ActivationGradOp, g: Tensor, y: Tensor): Tensor {
  const shape = broadcastShapes(op, g.shape, y.shape);
  const k = kernelsOf(g.backend).activations;
  return fromStorage(k.activationGrad(op, g._storage, g.shape, y._storage, y.shape, shape, g.dtype), shape);
}

/** A binary VJP: (g, a, b, out, need) -> [ga, gb]; `need` says which of the two are wanted (skip the rest). */
type BinaryVjp = (
  g: Tensor,
  a: Tensor,
  b: Tensor,
  out: Tensor,
  need: readonly boolean[],
) => [Tensor | null, Tensor | null];

function binaryPrimitive(op: ElementwiseBinaryOp, vjp: BinaryVjp, saves: readonly number[], output = false) {
  const prim: Primitive<undefined> = definePrimitive<undefined>({
    name: op,
    // Decided once per primitive, not per call.
    forward: isActivationGrad(op)
      ? ([g, y]) => activationGradForward(op, g, y)
      : ([a, b]) => binaryForward(op as BinaryOp, a, b, a.dtype),
    vjp: (g, { inputs: [a, b], out, needsGrad }) => {
      const [ga, gb] = vjp(g, a, b, out, needsGrad);
      return [ga && needsGrad[0] ? sumTo(ga, a.shape) : null, gb && needsGrad[1] ? sumTo(gb, b.shape) : null];
    },
    // The partials are diagonal (before broadcasting), so each input's share is its VJP term applied to
    // its tangent, broadcast to the output: d out = ∂a ⊙ ta + ∂b ⊙ tb.
    jvp: ([ta, tb], { inputs: [a, b], out }) => {
      const da = ta ? vjp(ta, a, b, out, [true, false])[0] : null;
      const db = tb ? vjp(tb, a, b, out, [false, true])[1] : null;
      return sumTangents(out, [da, db]);
    },
    batch: (xs, bdims) => [prim(alignForBroadcast(xs, bdims), undefined), 0],
    saves: { inputs: saves, output },
  });
  return prim;
}

/** The sum of tangent terms (null for none), broadcast to the output's shape; null when all are null. */
export function sumTangents(out: Tensor, terms: readonly (Tensor | null)[]): Tensor | null {
  let total: Tensor | null = null;
  for (const t of terms) if (t) total = total ? add(total, t) : t;
  if (!total) return null;
  return shapesEqual(total.shape, out.shape) ? total : expand(total, out.shape);
}

const BINARY = {
  add: binaryPrimitive('add', (g) => [g, g], []),
  sub: binaryPrimitive('sub', (g, _a, _b, _o, [, nb]) => [g, nb ? neg(g) : null], []),
  mul: binaryPrimitive(
    'mul',
    (g, a, b, _o, [na, nb]) => [na ? mul(g, b) : null, nb ? mul(g, a) : null],
    [0, 1],
  ),
  // PyTorch's formula for the divisor: -g * a / (b * b).
  div: binaryPrimitive(
    'div',
    (g, a, b, _o, [na, nb]) => [na ? div(g, b) : null, nb ? neg(div(mul(g, a), mul(b, b))) : null],
    [0, 1],
  ),
  pow: binaryPrimitive(
    'pow',
    (g, a, b, out) => {
      // d/da: b * a^(b-1), zero where b == 0; d/db: out * log(a), zero where a == 0 and b >= 0.
      const ga = where(eq(b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1)))));
      const gb = where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(g, mul(out, log(a))));
      return [ga, gb];
    },
    [0, 1],
    true,
  ),
  // Ties split the gradient evenly, as torch.maximum/minimum do.
  maximum: binaryPrimitive(
    'maximum',
    (g, a, b) => {
      const half = mul(g, 0.5);
      return [where(eq(a, b), half, where(gt(a, b), g, 0)), where(eq(a, b), half, where(gt(b, a), g, 0))];
    },
    [0, 1],
  ),
  minimum: binaryPrimitive(
    'minimum',
    (g, a, b) => {
      const half = mul(g, 0.5);
      return [where(eq(a, b), half, where(lt(a, b), g, 0)), where(eq(a, b), half, where(lt(b, a), g, 0))];
    },
    [0, 1],
  ),
  // g * (1 - y²): d/dg = 1 - y², d/dy = -2 y g.
  tanhBackward: binaryPrimitive(
    'tanhBackward',
    (gg, g, y) => [tanhBackward(gg, y), mul(gg, mul(mul(g, y), -2))],
    [0, 1],
  ),
  // g * y (1 - y): d/dg = y (1 - y), d/dy = g (1 - 2 y).
  sigmoidBackward: binaryPrimitive(
    'sigmoidBackward',
    (gg, g, y) => [sigmoidBackward(gg, y), mul(gg, mul(g, sub(1, mul(y, 2))))],
    [0, 1],
  ),
  // y <= 0 ? 0 : g: d/dg is the same mask, d/dy is zero (piecewise constant in y).
  reluBackward: binaryPrimitive(
    'reluBackward',
    (gg, _g, y, _o, [na, nb]) => [na ? reluBackward(gg, y) : null, nb ? zerosLike(y) : null],
    [1],
  ),
  atan2: binaryPrimitive(
    'atan2',
    (g, a, b) => {
      const r = add(mul(a, a), mul(b, b));
      return [div(mul(g, b), r), neg(div(mul(g, a), r))];
    },
    [0, 1],
  ),
};

function arith(name: keyof typeof BINARY) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [ta, tb] = binaryOperands(name, a, b);
    return BINARY[name]([ta, tb], undefined);
  };
}
function floatArith(name: keyof typeof BINARY) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    let [ta, tb] = binaryOperands(name, a, b);
    if (!isFloat(ta.dtype)) {
      ta = asFloat(ta);
      tb = asFloat(tb);
    }
    return BINARY[name]([ta, tb], undefined);
  };
}

/** a + b with broadcasting. @example add(tensor([1, 2]), 10) // tensor([11., 12.]) */
export const add = arith('add');
/** a - b with broadcasting. @example sub(tensor([3]), tensor([1, 2])) // tensor([2., 1.]) */
export const sub = arith('sub');
/** a * b with broadcasting. @example mul(tensor([[1], [2]]), tensor([3, 4])) // [[3, 4], [6, 8]] */
export const mul = arith('mul');
/** True division a / b (ints give floats, as in PyTorch). @example div(tensor([1]), 4) // tensor([0.2500]) */
export const div = floatArith('div');
/** Elementwise maximum; ties split the gradient 0.5/0.5. @example maximum(tensor([1, 5]), tensor([3, 2])) */
export const maximum = arith('maximum');
/** Elementwise minimum; ties split the gradient 0.5/0.5. @example minimum(tensor([1, 5]), 2) */
export const minimum = arith('minimum');
/** atan2(a, b), the angle of (b, a). @example atan2(tensor([1]), tensor([1])) // tensor([0.7854]) */
export const atan2 = floatArith('atan2');
/** @internal tanh's VJP g * (1 - y²) from the output y, one pass (PyTorch's tanh_backward). */
export const tanhBackward = floatArith('tanhBackward');
/** @internal sigmoid's VJP g * y (1 - y) from the output y, one pass (PyTorch's sigmoid_backward). */
export const sigmoidBackward = floatArith('sigmoidBackward');
/** @internal relu's VJP y <= 0 ? 0 : g from the output y, one pass (PyTorch's threshold_backward). */
export const reluBackward = floatArith('reluBackward');
/** @internal max(x, 0) in one pass; the public `relu` (ops/composite/math.ts) checks and calls it. */
export const reluPrimitive = floatUnary('relu');

const powScalarPrim: Primitive<{ exponent: number }> = definePrimitive<{ exponent: number }>({
  name: 'pow',
  forward: ([x], { exponent }) =>
    fromStorage(
      x.backend.binary(
        'pow',
        x._storage,
        x.shape,
        x.backend.full(x.dtype, 1, exponent),
        [],
        x.shape,
        x.dtype,
      ),
      x.shape,
    ),
  vjp: (g, { inputs: [x], attrs: { exponent } }) => [
    exponent === 0 ? zerosLike(x) : mul(g, mul(powScalar(x, exponent - 1), exponent)),
  ],
  jvp: ([t], { inputs: [x], attrs: { exponent } }) =>
    t && exponent !== 0 ? mul(t, mul(powScalar(x, exponent - 1), exponent)) : null,
  batch: ([x], [b], attrs) => [powScalarPrim([x], attrs), b],
  saves: { inputs: [0] },
});

/** x ** e for a number e: x^e with gradient e x^(e-1) (zero for e = 0). */
export function powScalar(x: Tensor, exponent: number): Tensor {
  checkTensor('pow', 'x', x);
  const t = Number.isInteger(exponent) || isFloat(x.dtype) ? x : asFloat(x);
  return powScalarPrim([t.dtype === 'bool' ? t.to('int32') : t], { exponent });
}

/**
 * a ** b. A number exponent uses the scalar rule; a tensor exponent gives gradients to both.
 * @example pow(tensor([2, 3]), 2) // tensor([4., 9.])
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') return powScalar(a, b);
  const [ta, tb] = binaryOperands('pow', a, b);
  return BINARY.pow([ta, tb], undefined);
}

// ---------------------------------------------------------------------------------------------------
// Comparisons and logic: bool results, no gradient.

/**
 * An elementwise kernel without a gradient (so not a primitive) on possibly batched operands: inside
 * vmap it runs on the physical values, broadcast as the batching rule of an elementwise primitive does.
 */
function noGradElementwise(xs: readonly Tensor[], kernel: (ys: readonly Tensor[]) => Tensor): Tensor {
  let level = 0;
  for (const x of xs) if (x._batchLevel > level) level = x._batchLevel;
  if (level === 0) return kernel(xs);
  const phys = xs.map((x) => (x._batchLevel === level ? x._physical! : x));
  const bdims = xs.map((x) => (x._batchLevel === level ? x._bdim : null));
  return noGradElementwise(alignForBroadcast(phys, bdims), kernel)._asBatched(0, level);
}

function compare(op: BinaryOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [ta, tb] = binaryOperands(op, a, b, { arithmetic: false });
    return noGradElementwise([ta, tb], ([x, y]) => binaryForward(op, x, y, 'bool'));
  };
}
/** a == b (bool). @example eq(tensor([1, 2]), 2) // tensor([false, true]) */
export const eq = compare('eq');
/** a != b (bool). @example ne(tensor([1, 2]), 2) // tensor([ true, false]) */
export const ne = compare('ne');
/** a < b (bool). @example lt(tensor([1, 2]), 2) // tensor([ true, false]) */
export const lt = compare('lt');
/** a <= b (bool). @example le(tensor([1, 2]), 2) // tensor([true, true]) */
export const le = compare('le');
/** a > b (bool). @example gt(tensor([1, 2]), 1) // tensor([false, true]) */
export const gt = compare('gt');
/** a >= b (bool). @example ge(tensor([1, 2]), 2) // tensor([false, true]) */
export const ge = compare('ge');

function logical(op: 'logicalAnd' | 'logicalOr' | 'logicalXor') {
  return (a: Tensor, b: Tensor): Tensor => {
    const [ta, tb] = binaryOperands(op, a, b, { arithmetic: false });
    return noGradElementwise([ta, tb], ([x, y]) => binaryForward(op, x, y, 'bool'));
  };
}
/** Elementwise AND of truthiness (bool). @example logicalAnd(gt(x, 0), lt(x, 1)) */
export const logicalAnd = logical('logicalAnd');
/** Elementwise OR (bool). @example logicalOr(isnan(x), isinf(x)) */
export const logicalOr = logical('logicalOr');
/** Elementwise XOR (bool). @example logicalXor(tensor([true, false]), tensor([true, true])) */
export const logicalXor = logical('logicalXor');

function predicate(op: 'isnan' | 'isinf' | 'isfinite' | 'logicalNot') {
  return (x: Tensor): Tensor => {
    checkTensor(op, 'x', x);
    return noGradElementwise([x], ([y]) => fromStorage(y.backend.unary(op, y._storage, 'bool'), y.shape));
  };
}
/** NaN test (bool). @example isnan(tensor([NaN, 1])) // tensor([ true, false]) */
export const isnan = predicate('isnan');
/** +-Inf test (bool). @example isinf(tensor([Infinity, 1])) // tensor([ true, false]) */
export const isinf = predicate('isinf');
/** Neither NaN nor Inf (bool). @example isfinite(tensor([NaN, 1])) // tensor([false, true]) */
export const isfinite = predicate('isfinite');
/** Elementwise NOT of truthiness (bool). @example logicalNot(tensor([true, false])) */
export const logicalNot = predicate('logicalNot');

// ---------------------------------------------------------------------------------------------------
// where and dtype casts

const wherePrim: Primitive<undefined> = definePrimitive<undefined>({
  name: 'where',
  forward: ([c, a, b]) => {
    const shape = broadcastShapes(
      'where',
      broadcastShapes('where', c.shape, a.shape, 'condition', 'input'),
      b.shape,
      'input',
      'other',
    );
    return fromStorage(
      a.backend.where(c._storage, c.shape, a._storage, a.shape, b._storage, b.shape, shape),
      shape,
    );
  },
  vjp: (g, { inputs: [c, a, b], needsGrad: [, na, nb] }) => [
    null,
    na ? sumTo(where(c, g, 0), a.shape) : null,
    nb ? sumTo(where(c, 0, g), b.shape) : null,
  ],
  jvp: ([, ta, tb], { inputs: [c], out }) =>
    ta || tb ? sumTangents(out, [where(c, ta ?? 0, tb ?? 0)]) : null,
  batch: (xs, bdims) => [wherePrim(alignForBroadcast(xs, bdims), undefined), 0],
  saves: { inputs: [0] },
});

/**
 * cond ? a : b elementwise, with broadcasting; gradients flow only to the chosen side.
 * @example where(gt(x, 0), x, mul(x, 0.01)) // a leaky ReLU
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkBoolTensor('where', 'condition', cond);
  if (typeof a === 'number' && typeof b === 'number') {
    // Two numbers: int32 when both are integers (PyTorch gives int64), else the default float dtype.
    const dtype = Number.isInteger(a) && Number.isInteger(b) ? 'int32' : getDefaultDtype();
    a = scalarOf(a, dtype, cond.backend);
  }
  const [ta, tb] = binaryOperands('where', a, b, { arithmetic: false, aName: 'input', bName: 'other' });
  return wherePrim([cond, ta, tb], undefined);
}

const castPrim: Primitive<{ dtype: DType }> = definePrimitive<{ dtype: DType }>({
  name: 'to',
  forward: ([x], { dtype }) => fromStorage(x.backend.cast(x._storage, dtype), x.shape),
  vjp: (g, { inputs: [x] }) => [isFloat(x.dtype) ? castTo(g, x.dtype) : null],
  jvp: ([t], { attrs: { dtype } }) => (t && isFloat(dtype) ? castTo(t, dtype) : null),
  batch: ([x], [b], attrs) => [castPrim([x], attrs), b],
});

/** A copy converted to `dtype` (differentiable between float dtypes). */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return castPrim([x], { dtype });
}

const aliasPrim: Primitive<undefined> = definePrimitive<undefined>({
  name: 'alias',
  forward: ([x]) => x._alias(),
  vjp: (g) => [g],
  jvp: ([t]) => t,
  batch: ([x], [b]) => [aliasPrim([x], undefined), b],
});

/** The same values under a new graph node: where functional transforms start tracing. */
export function alias(x: Tensor): Tensor {
  return aliasPrim([x], undefined);
}
