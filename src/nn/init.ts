/**
 * Initializers (PyTorch's torch.nn.init, camelCased), filling tensors in place from the seedable
 * generator: PyTorch's default Linear/Conv init, Xavier/Glorot, He/Kaiming, orthogonal, constants.
 */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import { fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { normal, uniform } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { div, mul, sub } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { reshape } from '../ops/primitives/shape.js';
import { stack } from '../ops/composite/shape.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import { sign } from '../ops/primitives/elementwise.js';

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu'
  | 'identity';

/**
 * The recommended gain for a nonlinearity (PyTorch's calculate_gain): relu sqrt(2), tanh 5/3,
 * leaky_relu sqrt(2 / (1 + slope^2)), selu 3/4, linear/sigmoid/conv 1.
 * @example calculateGain('relu') // 1.4142...
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
    case 'identity':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ValueError('calculateGain', `unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/** fan_in and fan_out of a weight: [out, in, ...kernel] as PyTorch computes them. */
export function calculateFans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.shape.length < 2) {
    throw new ValueError(
      'calculateFans',
      `fan in and fan out need a tensor with at least 2 dims, got shape ${fmtShape(t.shape)}`,
    );
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

export interface InitOptions {
  generator?: Generator;
}

function fill(t: Tensor, values: Tensor): Tensor {
  return noGrad(() => t.copy_(values));
}

/** U(low, high), in place. @example uniform_(w, -0.1, 0.1) */
export function uniform_(t: Tensor, low = 0, high = 1, o: InitOptions = {}): Tensor {
  return fill(
    t,
    uniform([...t.shape], low, high, {
      dtype: t.dtype as 'float32',
      generator: o.generator ?? defaultGenerator,
    }),
  );
}
/** N(mean, std^2), in place. @example normal_(w, 0, 0.01) */
export function normal_(t: Tensor, mean = 0, std = 1, o: InitOptions = {}): Tensor {
  return fill(
    t,
    normal([...t.shape], mean, std, {
      dtype: t.dtype as 'float32',
      generator: o.generator ?? defaultGenerator,
    }),
  );
}
/** Fills with a constant. @example constant_(b, 0.1) */
export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}
/** Zeros. @example zeros_(b) */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}
/** Ones. @example ones_(gamma) */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Xavier/Glorot uniform: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)). @example xavierUniform_(w) */
export function xavierUniform_(t: Tensor, gain = 1, o: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, o);
}
/** Xavier/Glorot normal: N(0, gain^2 2 / (fan_in + fan_out)). @example xavierNormal_(w) */
export function xavierNormal_(t: Tensor, gain = 1, o: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), o);
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu), default 0. */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFans(t);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return gain / Math.sqrt(fan);
}
/** He/Kaiming uniform: U(-b, b), b = gain sqrt(3 / fan). @example kaimingUniform_(w, { nonlinearity: 'relu' }) */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(t, o);
  return uniform_(t, -b, b, o);
}
/** He/Kaiming normal: N(0, gain^2 / fan). @example kaimingNormal_(w, { nonlinearity: 'relu' }) */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, o), o);
}

/**
 * A (semi-)orthogonal matrix times gain, from a normal matrix by Gram-Schmidt (the Q of its QR with
 * positive diagonal, as PyTorch's orthogonal_). Trailing dims are flattened.
 * @example orthogonal_(w)
 */
export function orthogonal_(t: Tensor, gain = 1, o: InitOptions = {}): Tensor {
  if (t.shape.length < 2)
    throw new ValueError('orthogonal_', `needs at least 2 dims, got shape ${fmtShape(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.size / rows;
  const tall = rows >= cols;
  const [n, m] = tall ? [rows, cols] : [cols, rows];
  return noGrad(() => {
    const a = normal([n, m], 0, 1, { dtype: 'float64', generator: o.generator ?? defaultGenerator });
    const qs: Tensor[] = [];
    for (let j = 0; j < m; j++) {
      let v = a.index(':', j);
      const r = v;
      for (const q of qs) v = sub(v, mul(q, sum(mul(q, v))));
      for (const q of qs) v = sub(v, mul(q, sum(mul(q, v)))); // second pass for accuracy
      let q = div(v, vectorNorm(v));
      // Sign so that R's diagonal is positive, as PyTorch's d.sign() fix.
      q = mul(q, sign(sum(mul(q, r))));
      qs.push(q);
    }
    let Q = stack(qs, 1); // [n, m]
    if (!tall) Q = Q.t();
    return t.copy_(reshape(mul(Q, gain), t.shape).to(t.dtype));
  });
}

/**
 * PyTorch's default init of Linear and Conv layers: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in))
 * (kaiming_uniform with a = sqrt(5) gives exactly that bound for the weight).
 * @example defaultInit_(layer.weight, layer.bias)
 */
export function defaultInit_(weight: Tensor, bias: Tensor | null, o: InitOptions = {}): void {
  const { fanIn } = calculateFans(weight);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniform_(weight, -bound, bound, o);
  if (bias) uniform_(bias, -bound, bound, o);
}
