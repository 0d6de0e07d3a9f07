/** Neural-network functions (torch.nn.functional): normalization, embedding, convolution, pooling, dropout. */
import { kernelsOf } from '../../backends/kernels.js';
import type { Window2d } from '../../backends/backend.js';
import { noGrad } from '../../autograd/mode.js';
import { moveDim } from '../batching.js';
import { ShapeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { bernoulli } from '../../tensor/creation.js';
import type { Generator } from '../../tensor/random.js';
import {
  asFloat,
  checkIndexRange,
  checkIndexTensor,
  checkSameFloatDtype,
  checkTensor,
  fromStorage,
} from '../core.js';
import { gatherTrusted, indexSelectTrusted } from '../primitives/indexing.js';
import { add, div, mul, rsqrt, sub } from '../primitives/elementwise.js';
import { reshape } from '../primitives/shape.js';
import { conv2dPrim, im2col } from '../primitives/window.js';
import { mean, variance } from './reduce.js';
import { fullLike } from '../../tensor/creation.js';

/**
 * Layer normalization over the trailing `normalizedShape` dims, with optional elementwise affine.
 * @example layerNorm(x, [5], ones([5], { dtype: 'float64' }), zeros([5], { dtype: 'float64' }))
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  checkTensor('layerNorm', 'x', x);
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.shape.length - k);
  if (k > x.shape.length || tail.some((d, i) => d !== normalizedShape[i])) {
    throw new ShapeError(
      'layerNorm',
      `normalizedShape ${fmtShape(normalizedShape)} does not match the trailing dims of input shape ${fmtShape(x.shape)}`,
    );
  }
  checkSameFloatDtype('layerNorm', { x, weight, bias });
  const axes = Array.from({ length: k }, (_, i) => x.shape.length - k + i);
  const mu = mean(x, axes, true);
  const v = variance(x, axes, { correction: 0, keepdim: true });
  let y = mul(sub(x, mu), rsqrt(add(v, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

export interface BatchNormOptions {
  /** Use batch statistics (and update running ones) rather than the running statistics. */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (default 0.1). */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization over every dim but 1 (channels). In training it normalizes with the biased batch
 * variance and updates `runningMean`/`runningVar` in place with the unbiased one; in eval it uses them.
 * @example
 * const [runningMean, runningVar] = [zeros([4], { dtype: 'float64' }), ones([4], { dtype: 'float64' })];
 * batchNorm(x, runningMean, runningVar, null, null, { training: true });
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: BatchNormOptions = {},
): Tensor {
  checkTensor('batchNorm', 'x', x);
  if (x.shape.length < 2)
    throw new ShapeError(
      'batchNorm',
      `input must be at least 2-D [N, C, ...], got shape ${fmtShape(x.shape)}`,
    );
  const C = x.shape[1];
  const training = opts.training ?? true;
  const eps = opts.eps ?? 1e-5;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
  for (const [name, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t && (t.shape.length !== 1 || t.shape[0] !== C)) {
      throw new ShapeError(
        'batchNorm',
        `${name} has shape ${fmtShape(t.shape)}, expected [${C}] for input of shape ${fmtShape(x.shape)}`,
      );
    }
  }
  checkSameFloatDtype('batchNorm', { x, runningMean, runningVar, weight, bias });
  let mu: Tensor;
  let v: Tensor;
  if (training) {
    const n = x.size / C;
    if (n <= 1)
      throw new ValueError(
        'batchNorm',
        `expected more than 1 value per channel when training, got input of shape ${fmtShape(x.shape)}`,
      );
    mu = mean(x, axes, true);
    v = variance(x, axes, { correction: 0, keepdim: true });
    const m = opts.momentum ?? 0.1;
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - m).add_(reshape(mu, [C]).mul(m));
      if (runningVar) runningVar.mul_(1 - m).add_(reshape(v, [C]).mul((m * n) / (n - 1)));
    });
  } else {
    if (!runningMean || !runningVar)
      throw new ValueError('batchNorm', 'eval mode needs runningMean and runningVar');
    mu = reshape(runningMean, bshape);
    v = reshape(runningVar, bshape);
  }
  let y = mul(sub(x, mu), rsqrt(add(v, eps)));
  if (weight) y = mul(y, reshape(weight, bshape));
  if (bias) y = add(y, reshape(bias, bshape));
  return y;
}

/**
 * Looks up rows of `weight` [V, D] for int32 indices of any shape: result [...idx.shape, D].
 * @example embedding(tensor([[1, 3]], { dtype: 'int32' }), table)
 */
export function embedding(input: Tensor, weight: Tensor): Tensor {
  checkIndexTensor('embedding', 'input', input);
  checkTensor('embedding', 'weight', weight);
  if (weight.shape.length !== 2)
    throw new ShapeError(
      'embedding',
      `weight must be 2-D [numEmbeddings, dim], got shape ${fmtShape(weight.shape)}`,
    );
  checkIndexRange('embedding', 'input', input, weight.shape[0], `indices into ${weight.shape[0]} embeddings`);
  const rows = indexSelectTrusted(weight, 0, reshape(input, [-1])); // checked just above
  return reshape(rows, [...input.shape, weight.shape[1]]);
}

/** A size for both spatial dims, or [height, width]. */
export type IntPair = number | readonly [number, number];
function pair(op: string, name: string, v: IntPair): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= 0))
    throw new ValueError(op, `${name} must be non-negative integers, got ${String(v)}`);
  return p;
}

function window(
  op: string,
  x: Tensor,
  k: [number, number],
  s: [number, number],
  p: [number, number],
  d: [number, number],
): Window2d {
  if (x.shape.length !== 4)
    throw new ShapeError(op, `input must be 4-D [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  if (s[0] === 0 || s[1] === 0) throw new ValueError(op, `stride must be positive, got [${s.join(', ')}]`);
  const [n, c, h, w] = x.shape;
  const oh = Math.floor((h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((w + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(
      op,
      `kernel [${k.join(', ')}] (dilation [${d.join(', ')}]) is larger than the padded input of shape ${fmtShape(x.shape)}`,
    );
  }
  return {
    n,
    c,
    h,
    w,
    kh: k[0],
    kw: k[1],
    sh: s[0],
    sw: s[1],
    ph: p[0],
    pw: p[1],
    dh: d[0],
    dw: d[1],
    oh,
    ow,
  };
}

export interface Conv2dOptions {
  stride?: IntPair;
  padding?: IntPair;
  dilation?: IntPair;
}

/**
 * 2-D convolution (cross-correlation, as PyTorch): x [N, C, H, W], weight [O, C, kh, kw], bias [O].
 * One primitive whose gradients are primitives too (see primitives/window.ts): gradients of every order.
 * @example conv2d(randn([1, 3, 8, 8]), randn([6, 3, 3, 3]), zeros([6]), { padding: 1 }).shape // [1, 6, 8, 8]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', 'x', x);
  checkTensor('conv2d', 'weight', weight);
  if (weight.shape.length !== 4)
    throw new ShapeError(
      'conv2d',
      `weight must be 4-D [out, in, kh, kw], got shape ${fmtShape(weight.shape)}`,
    );
  if (x.shape.length !== 4 || x.shape[1] !== weight.shape[1]) {
    throw new ShapeError(
      'conv2d',
      `input of shape ${fmtShape(x.shape)} does not fit weight of shape ${fmtShape(weight.shape)} (input channels must be ${weight.shape[1]})`,
    );
  }
  checkSameFloatDtype('conv2d', { x, weight, bias });
  const [O, , kh, kw] = weight.shape;
  const g = window(
    'conv2d',
    x,
    [kh, kw],
    pair('conv2d', 'stride', opts.stride ?? 1),
    pair('conv2d', 'padding', opts.padding ?? 0),
    pair('conv2d', 'dilation', opts.dilation ?? 1),
  );
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== O))
    throw new ShapeError('conv2d', `bias has shape ${fmtShape(bias.shape)}, expected [${O}]`);
  const y = conv2dPrim([x, weight], { g, o: O });
  return bias ? add(y, reshape(bias, [O, 1, 1])) : y;
}

export interface Pool2dOptions {
  /** Default: the kernel size. */
  stride?: IntPair;
  padding?: IntPair;
}

function poolWindows(
  op: string,
  x: Tensor,
  kernelSize: IntPair,
  opts: Pool2dOptions & { dilation?: IntPair },
): Window2d {
  checkTensor(op, 'x', x);
  const k = pair(op, 'kernelSize', kernelSize);
  const p = pair(op, 'padding', opts.padding ?? 0);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2)
    throw new ValueError(
      op,
      `padding [${p.join(', ')}] should be at most half of kernel size [${k.join(', ')}]`,
    );
  return window(op, x, k, pair(op, 'stride', opts.stride ?? k), p, pair(op, 'dilation', opts.dilation ?? 1));
}

/**
 * Each window's argmax as flat h*w indices [n, c, oh*ow] (no gradient). Inside vmap the backend kernel
 * runs on the physical images (the vmap batch joins n) and the indices come back batched, so the
 * gather that follows is recorded per example.
 */
function poolIndices(xf: Tensor, g: Window2d): Tensor {
  if (xf._batchLevel > 0) {
    return noGrad(() => {
      const f = moveDim(xf._physical!, xf._bdim, 0);
      const B = f.shape[0];
      const idx = poolIndices(reshape(f, [B * g.n, g.c, g.h, g.w]), { ...g, n: B * g.n });
      return reshape(idx, [B, g.n, g.c, g.oh * g.ow])._asBatched(0, xf._batchLevel);
    });
  }
  return fromStorage(kernelsOf(xf.backend).pool.poolArgmax(xf._storage, g), [g.n, g.c, g.oh * g.ow]);
}

/**
 * Max pooling; padding never wins; the gradient goes to the first maximum of each window (a NaN wins at
 * once), as in torch.
 * @example maxPool2d(randn([1, 3, 8, 8]), 2).shape // [1, 3, 4, 4]
 */
export function maxPool2d(
  x: Tensor,
  kernelSize: IntPair,
  opts: Pool2dOptions & { dilation?: IntPair } = {},
): Tensor {
  const g = poolWindows('maxPool2d', x, kernelSize, opts);
  const xf = asFloat(x);
  // The backend picks each window's maximum (no unfolded copy of the input); gathering it is what
  // differentiates, to any order: its VJP scatters the gradient back to the chosen elements.
  const idx = poolIndices(xf, g);
  const values = gatherTrusted(reshape(xf, [g.n, g.c, g.h * g.w]), 2, idx);
  return reshape(values, [g.n, g.c, g.oh, g.ow]);
}

/**
 * Average pooling; with `countIncludePad` (default true) zero padding counts in the divisor.
 * @example avgPool2d(tensor([[[[1, 2], [3, 4]]]]), 2) // tensor([[[[2.5000]]]])
 */
export function avgPool2d(
  x: Tensor,
  kernelSize: IntPair,
  opts: Pool2dOptions & { countIncludePad?: boolean } = {},
): Tensor {
  const g = poolWindows('avgPool2d', x, kernelSize, opts);
  const cols = reshape(im2col(asFloat(x), g, 0), [g.n, g.c, g.kh * g.kw, g.oh * g.ow]);
  const total = cols.sum(2);
  if (opts.countIncludePad === false && (g.ph > 0 || g.pw > 0)) {
    const ones = fullLike(reshape(x.index(0, 0), [1, 1, g.h, g.w]), 1);
    const counts = reshape(im2col(ones, { ...g, n: 1, c: 1 }, 0).sum(1), [1, 1, g.oh, g.ow]);
    return div(reshape(total, [g.n, g.c, g.oh, g.ow]), counts);
  }
  return reshape(div(total, g.kh * g.kw), [g.n, g.c, g.oh, g.ow]);
}

/**
 * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p) in training;
 * the identity otherwise.
 * @example dropout(h, 0.5, model.training)
 */
export function dropout(x: Tensor, p = 0.5, training = true, opts: { generator?: Generator } = {}): Tensor {
  checkTensor('dropout', 'x', x);
  if (!(p >= 0 && p <= 1)) throw new ValueError('dropout', `p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  // The mask is drawn on the host (the same numbers on every backend) without reading x.
  const keep = bernoulli(1 - p, x.shape, {
    generator: opts.generator,
    dtype: asFloat(x).dtype,
    backend: x.backend,
  });
  return mul(x, div(keep, 1 - p));
}
