/**
 * Every differentiable op with sample inputs, for gradcheck/gradgradcheck. Inputs are float64 and
 * avoid kinks (|x| bounded away from 0 for abs, positive for log, distinct values for max, ...).
 */
import * as d from '../src/index.js';
import { Generator, type Tensor } from '../src/index.js';
import { bmmPrim } from '../src/ops/primitives/linalg.js';
import { reluBackward, sigmoidBackward, tanhBackward } from '../src/ops/primitives/elementwise.js';

export interface OpCase {
  name: string;
  fn: (...xs: Tensor[]) => Tensor;
  /** Several samples; each is the inputs that require grad (plus constants closed over in fn). */
  samples: (g: Generator) => Tensor[][];
  /** Skip gradgradcheck (with the reason) where the op is not twice differentiable. */
  noSecondOrder?: string;
}

const opt = { dtype: 'float64' as const };
export const rn = (g: Generator, shape: number[]) => d.randn(shape, { ...opt, generator: g });
/** Normal samples pushed away from 0 (|x| >= 0.2). */
export const away = (g: Generator, shape: number[]) => {
  const x = rn(g, shape);
  return x.add(d.sign(x).mul(0.2));
};
export const pos = (g: Generator, shape: number[]) => d.abs(rn(g, shape)).add(0.5);
const unit = (g: Generator, shape: number[]) => d.tanh(rn(g, shape)).mul(0.9);
/** Values in (k + 0.2, k + 0.8): away from integer jumps. */
const offInt = (g: Generator, shape: number[]) =>
  d.floor(rn(g, shape).mul(3)).add(
    d
      .rand(shape, { ...opt, generator: g })
      .mul(0.6)
      .add(0.2),
  );

export const BROADCAST_PAIRS: number[][][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [[], [3, 4]],
  [[3, 4], []],
  [
    [1, 4],
    [3, 1],
  ],
  [[], []],
  [[2, 3, 4], [4]],
];

const unary = (name: string, fn: (x: Tensor) => Tensor, make = rn, note?: string): OpCase => ({
  name,
  fn,
  samples: (g) => [[make(g, [3, 4])], [make(g, [])], [make(g, [2, 1, 3])]],
  noSecondOrder: note,
});

const binary = (name: string, fn: (a: Tensor, b: Tensor) => Tensor, ma = rn, mb = rn): OpCase => ({
  name,
  fn,
  samples: (g) => BROADCAST_PAIRS.map(([sa, sb]) => [ma(g, sa), mb(g, sb)]),
});

const int = (v: number[]) => d.tensor(v, { dtype: 'int32' });

export const OPS: OpCase[] = [
  unary('neg', d.neg),
  unary('exp', d.exp),
  unary('log', d.log, pos),
  unary('sqrt', d.sqrt, pos),
  unary('rsqrt', d.rsqrt, pos),
  unary('sin', d.sin),
  unary('cos', d.cos),
  unary('tan', d.tan, unit),
  unary('tanh', d.tanh),
  unary('sigmoid', d.sigmoid),
  unary('atan', d.atan),
  unary('asin', d.asin, unit),
  unary('acos', d.acos, unit),
  unary('sinh', d.sinh),
  unary('cosh', d.cosh),
  unary('erf', d.erf),
  unary('abs', d.abs, away),
  unary('log1p', d.log1p, pos),
  unary('expm1', d.expm1),
  unary('sign', d.sign, away),
  unary('floor', d.floor, offInt),
  unary('ceil', d.ceil, offInt),
  unary('round', d.round, offInt),
  unary('trunc', d.trunc, offInt),
  unary('square', d.square),
  unary('reciprocal', d.reciprocal, pos),
  unary('relu', d.relu, away),
  unary('leakyRelu', (x) => d.leakyRelu(x, 0.1), away),
  unary('elu', (x) => d.elu(x, 1.3), away),
  unary('selu', d.selu, away),
  unary('softplus', (x) => d.softplus(x)),
  unary('softplus beta/threshold', (x) => d.softplus(x.mul(8), 2, 5)),
  unary('logSigmoid', d.logSigmoid),
  unary('gelu', (x) => d.gelu(x)),
  unary('gelu tanh', (x) => d.gelu(x, 'tanh')),
  unary('silu', d.silu),
  unary('mish', d.mish),
  unary('softsign', d.softsign, away),
  unary('hardtanh', (x) => d.hardtanh(x.mul(0.7)), away),
  unary(
    'clamp',
    (x) => d.clamp(x, -0.5, 0.7),
    (g, s) =>
      rn(g, s)
        .mul(0.25)
        .add(d.sign(rn(g, s)).mul(0.8)),
  ),
  unary('pow int', (x) => x.pow(3)),
  unary('pow frac', (x) => x.pow(2.5), pos),
  unary('pow negative', (x) => x.pow(-1.5), pos),
  unary('identity', d.identity),
  unary('clone', d.clone),
  unary('dropout (fixed generator)', (x) => d.dropout(x, 0.4, true, { generator: new Generator(7) })),
  unary('binaryStep', d.binaryStep, away),
  binary('add', d.add),
  binary('sub', d.sub),
  binary('mul', d.mul),
  binary('div', d.div, rn, pos),
  binary('pow tensor', d.pow, pos, rn),
  binary('maximum', d.maximum),
  binary('minimum', d.minimum),
  binary('atan2', d.atan2, rn, pos),
  {
    name: 'where',
    fn: (a, b) => d.where(d.tensor([[true, false, true, false]]), a, b),
    samples: (g) => [
      [rn(g, [3, 4]), rn(g, [3, 1])],
      [rn(g, []), rn(g, [4])],
    ],
  },
  {
    name: 'prelu',
    fn: (x, w) => d.prelu(x, w),
    samples: (g) => [
      [away(g, [2, 3, 2]), rn(g, [3])],
      [away(g, [4]), rn(g, [1])],
    ],
  },
  { name: 'sum all', fn: (x) => d.sum(x), samples: (g) => [[rn(g, [3, 4])], [rn(g, [])]] },
  { name: 'sum dims keepdim', fn: (x) => d.sum(x, [0, 2], true), samples: (g) => [[rn(g, [2, 3, 4])]] },
  { name: 'mean', fn: (x) => d.mean(x, 1), samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'amax', fn: (x) => d.amax(x, -1), samples: (g) => [[rn(g, [3, 4])], [rn(g, [])]] },
  { name: 'amin all', fn: (x) => d.amin(x), samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'max dim', fn: (x) => d.max(x, 0).values, samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'min dim keepdim', fn: (x) => d.min(x, 1, true).values, samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'var', fn: (x) => d.variance(x, 1), samples: (g) => [[rn(g, [3, 4])]] },
  {
    name: 'var correction 0',
    fn: (x) => d.variance(x, undefined, { correction: 0 }),
    samples: (g) => [[rn(g, [3, 4])]],
  },
  { name: 'std', fn: (x) => d.std(x, 0), samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'vectorNorm 2', fn: (x) => d.vectorNorm(x), samples: (g) => [[rn(g, [3, 4])], [away(g, [])]] },
  { name: 'vectorNorm 1 dim', fn: (x) => d.vectorNorm(x, 1, 1), samples: (g) => [[away(g, [3, 4])]] },
  { name: 'vectorNorm inf', fn: (x) => d.vectorNorm(x, Infinity), samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'vectorNorm 3', fn: (x) => d.vectorNorm(x, 3, 0, true), samples: (g) => [[away(g, [3, 4])]] },
  { name: 'logsumexp', fn: (x) => d.logsumexp(x, -1), samples: (g) => [[rn(g, [3, 4])], [rn(g, [4])]] },
  { name: 'softmax', fn: (x) => d.softmax(x, 0), samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'logSoftmax', fn: (x) => d.logSoftmax(x, -1), samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'reshape', fn: (x) => d.reshape(x, [4, -1]), samples: (g) => [[rn(g, [2, 3, 2])]] },
  { name: 'permute', fn: (x) => d.permute(x, [2, 0, 1]), samples: (g) => [[rn(g, [2, 3, 2])]] },
  { name: 'transpose', fn: (x) => d.transpose(x, 0, -1), samples: (g) => [[rn(g, [2, 3, 2])]] },
  { name: 't', fn: (x) => d.t(x), samples: (g) => [[rn(g, [3, 2])]] },
  { name: 'mT', fn: (x) => x.mT, samples: (g) => [[rn(g, [2, 3, 2])]] },
  { name: 'expand', fn: (x) => d.expand(x, [2, 3, 4]), samples: (g) => [[rn(g, [3, 1])], [rn(g, [])]] },
  { name: 'flatten', fn: (x) => d.flatten(x, 1), samples: (g) => [[rn(g, [2, 3, 2])]] },
  {
    name: 'squeeze/unsqueeze',
    fn: (x) => d.unsqueeze(d.squeeze(x), 0),
    samples: (g) => [[rn(g, [3, 1, 2])]],
  },
  { name: 'index steps', fn: (x) => x.index('1:', '::2'), samples: (g) => [[rn(g, [3, 5])]] },
  { name: 'index negative', fn: (x) => x.index(-1, '::-2'), samples: (g) => [[rn(g, [3, 5])]] },
  {
    name: 'index overlap product',
    fn: (x) => x.index(':', -1).mul(x.index(0, ':')),
    samples: (g) => [[rn(g, [3, 3])]],
  },
  {
    name: 'index ellipsis newaxis',
    fn: (x) => x.index('...', null, 1),
    samples: (g) => [[rn(g, [2, 3, 2])]],
  },
  { name: 'narrow', fn: (x) => d.narrow(x, 1, 1, 2), samples: (g) => [[rn(g, [3, 4])]] },
  { name: 'cat', fn: (a, b) => d.cat([a, b, a], 1), samples: (g) => [[rn(g, [2, 3]), rn(g, [2, 2])]] },
  {
    name: 'stack',
    fn: (a, b) => d.stack([a, b], 0),
    samples: (g) => [
      [rn(g, [2, 3]), rn(g, [2, 3])],
      [rn(g, []), rn(g, [])],
    ],
  },
  {
    name: 'split',
    fn: (x) => d.split(x, 2, 1)[1].mul(d.split(x, [1, 3], 1)[1].index(':', ':2')),
    samples: (g) => [[rn(g, [2, 4])]],
  },
  { name: 'chunk', fn: (x) => d.chunk(x, 3, 0)[2], samples: (g) => [[rn(g, [5, 2])]] },
  {
    name: 'gather',
    fn: (x) => d.gather(x, 1, int([2, 0, 0, 1, 3, 3]).reshape(3, 2)),
    samples: (g) => [[rn(g, [3, 4])]],
  },
  {
    name: 'scatterAdd',
    fn: (x, s) => d.scatterAdd(x, 0, int([0, 2, 0, 0, 1, 0]).reshape(2, 3), s),
    samples: (g) => [[rn(g, [3, 3]), rn(g, [2, 3])]],
  },
  { name: 'indexSelect', fn: (x) => d.indexSelect(x, 0, int([2, 0, 2])), samples: (g) => [[rn(g, [3, 4])]] },
  {
    name: 'maskedFill',
    fn: (x) => d.maskedFill(x, d.tensor([true, false, false, true]), 2),
    samples: (g) => [[rn(g, [3, 4])]],
  },
  { name: 'matmul 2d', fn: (a, b) => d.matmul(a, b), samples: (g) => [[rn(g, [3, 4]), rn(g, [4, 2])]] },
  {
    name: 'matmul batched broadcast',
    fn: (a, b) => d.matmul(a, b),
    samples: (g) => [[rn(g, [2, 1, 3, 2]), rn(g, [3, 2, 4])]],
  },
  {
    name: 'matmul matvec/vecmat/dot',
    fn: (a, v) => d.matmul(v, d.matmul(a, v)),
    samples: (g) => [[rn(g, [3, 3]), rn(g, [3])]],
  },
  ...(
    [
      [false, true],
      [true, false],
      [true, true],
    ] as const
  ).map(([ta, tb]): OpCase => ({
    name: `matmul with ${ta ? 'a' : ''}${ta && tb ? ' and ' : ''}${tb ? 'b' : ''} stored transposed`,
    fn: (a, b) => bmmPrim([a, b], { ta, tb }),
    samples: (g) => [[rn(g, ta ? [2, 4, 3] : [2, 3, 4]), rn(g, tb ? [2, 5, 4] : [2, 4, 5])]],
  })),
  // The fused VJPs of tanh and sigmoid are ops too (their own VJPs give tanh and sigmoid 2nd/3rd order).
  {
    name: 'tanhBackward (fused)',
    fn: (g, y) => tanhBackward(g, y),
    samples: (g) => [[rn(g, [3, 4]), d.tanh(rn(g, [3, 4]))]],
  },
  {
    name: 'sigmoidBackward (fused)',
    fn: (g, y) => sigmoidBackward(g, y),
    samples: (g) => [[rn(g, [3, 4]), d.sigmoid(rn(g, [3, 4]))]],
  },
  {
    name: 'reluBackward (fused)',
    fn: (g, y) => reluBackward(g, y),
    // y away from 0 (the mask is piecewise constant in y).
    samples: (g) => [[rn(g, [3, 4]), away(g, [3, 4])]],
  },
  { name: 'outer', fn: (u, v) => d.outer(u, v), samples: (g) => [[rn(g, [3]), rn(g, [4])]] },
  {
    name: 'linear',
    fn: (x, w, b) => d.linear(x, w, b),
    samples: (g) => [
      [rn(g, [4, 3]), rn(g, [2, 3]), rn(g, [2])],
      [rn(g, [3]), rn(g, [2, 3]), rn(g, [2])],
    ],
  },
  {
    name: 'crossEntropy',
    fn: (x) => d.crossEntropy(x, int([0, 3, 1])),
    samples: (g) => [[rn(g, [3, 4])]],
  },
  {
    name: 'crossEntropy smoothing, weight, ignoreIndex',
    fn: (x, w) => d.crossEntropy(x, int([0, -100, 1, 2]), { labelSmoothing: 0.2, weight: w }),
    samples: (g) => [[rn(g, [4, 3]), pos(g, [3])]],
  },
  {
    name: 'crossEntropy probabilities',
    fn: (x, p) => d.crossEntropy(x, d.softmax(p, 1), { labelSmoothing: 0.1 }),
    samples: (g) => [[rn(g, [3, 4]), rn(g, [3, 4])]],
  },
  {
    name: 'crossEntropy [N, C, d]',
    fn: (x) => d.crossEntropy(x, int([0, 2, 1, 1]).reshape(2, 2), { reduction: 'none' }),
    samples: (g) => [[rn(g, [2, 3, 2])]],
  },
  {
    name: 'nllLoss',
    fn: (x) => d.nllLoss(d.logSoftmax(x, 1), int([1, 0, 2]), { reduction: 'sum' }),
    samples: (g) => [[rn(g, [3, 3])]],
  },
  {
    name: 'binaryCrossEntropy',
    fn: (p, y) => d.binaryCrossEntropy(d.sigmoid(p), d.sigmoid(y)),
    samples: (g) => [[rn(g, [6]), rn(g, [6])]],
  },
  {
    name: 'bceWithLogits',
    fn: (z, y) => d.binaryCrossEntropyWithLogits(z, d.sigmoid(y)),
    samples: (g) => [[rn(g, [2, 3]), rn(g, [2, 3])]],
  },
  {
    name: 'bceWithLogits posWeight',
    fn: (z, y, w) => d.binaryCrossEntropyWithLogits(z, d.sigmoid(y), { posWeight: w, reduction: 'sum' }),
    samples: (g) => [[rn(g, [2, 3]), rn(g, [2, 3]), pos(g, [3])]],
  },
  { name: 'mseLoss', fn: (a, b) => d.mseLoss(a, b), samples: (g) => [[rn(g, [3, 4]), rn(g, [3, 4])]] },
  {
    name: 'l1Loss',
    fn: (a) => d.l1Loss(a, d.zerosLike(a).detach()),
    samples: (g) => [[away(g, [3, 4])]],
  },
  {
    name: 'huberLoss',
    fn: (a) => d.huberLoss(a.mul(2), d.zerosLike(a).detach(), { delta: 1.5 }),
    samples: (g) => [[away(g, [3, 4])]],
  },
  {
    name: 'smoothL1Loss',
    fn: (a) => d.smoothL1Loss(a, d.zerosLike(a).detach(), { beta: 0.5 }),
    samples: (g) => [[away(g, [3, 4])]],
  },
  {
    name: 'multiMarginLoss',
    fn: (x) => d.multiMarginLoss(x, int([1, 0, 3])),
    samples: (g) => [[rn(g, [3, 4])]],
  },
  {
    name: 'multiMarginLoss p=2 weight',
    fn: (x, w) => d.multiMarginLoss(x, int([1, 0, 3]), { p: 2, weight: w, margin: 0.7 }),
    samples: (g) => [[rn(g, [3, 4]), pos(g, [4])]],
  },
  {
    name: 'cosineSimilarity',
    fn: (a, b) => d.cosineSimilarity(a, b, 1),
    samples: (g) => [[rn(g, [4, 3]), rn(g, [4, 3])]],
  },
  {
    name: 'layerNorm',
    fn: (x, w, b) => d.layerNorm(x, [4], w, b),
    samples: (g) => [[rn(g, [3, 4]), rn(g, [4]), rn(g, [4])]],
  },
  {
    name: 'batchNorm',
    fn: (x, w, b) => d.batchNorm(x, null, null, w, b),
    samples: (g) => [
      [rn(g, [4, 3]), rn(g, [3]), rn(g, [3])],
      [rn(g, [2, 2, 2, 2]), rn(g, [2]), rn(g, [2])],
    ],
  },
  {
    name: 'embedding',
    fn: (w) => d.embedding(int([1, 3, 1, 0]).reshape(2, 2), w),
    samples: (g) => [[rn(g, [4, 3])]],
  },
  {
    name: 'conv2d',
    fn: (x, w, b) => d.conv2d(x, w, b, { padding: 1 }),
    samples: (g) => [[rn(g, [1, 2, 4, 4]), rn(g, [2, 2, 3, 3]), rn(g, [2])]],
  },
  {
    name: 'conv2d stride dilation',
    fn: (x, w) => d.conv2d(x, w, null, { stride: 2, dilation: 2, padding: [1, 0] }),
    samples: (g) => [[rn(g, [2, 1, 5, 5]), rn(g, [2, 1, 2, 2])]],
  },
  { name: 'maxPool2d', fn: (x) => d.maxPool2d(x, 2), samples: (g) => [[rn(g, [1, 2, 4, 4])]] },
  {
    name: 'maxPool2d overlap padding',
    fn: (x) => d.maxPool2d(x, 3, { stride: 2, padding: 1 }),
    samples: (g) => [[rn(g, [1, 1, 5, 5])]],
  },
  { name: 'avgPool2d', fn: (x) => d.avgPool2d(x, 2), samples: (g) => [[rn(g, [1, 2, 4, 4])]] },
  { name: 'cumsum', fn: (x) => d.cumsum(x, 1), samples: (g) => [[rn(g, [3, 4])], [rn(g, [2, 3, 2])]] },
  { name: 'cumsum dim 0', fn: (x) => d.cumsum(x, 0), samples: (g) => [[rn(g, [5])], [rn(g, [3, 4])]] },
  { name: 'sort values', fn: (x) => d.sort(x, -1).values, samples: (g) => [[rn(g, [3, 5])]] },
  {
    name: 'sort descending dim 0',
    fn: (x) => d.sort(x, 0, true).values,
    samples: (g) => [[rn(g, [4, 3])]],
  },
  { name: 'topk values', fn: (x) => d.topk(x, 2, 1).values, samples: (g) => [[rn(g, [3, 5])]] },
  {
    name: 'topk smallest',
    fn: (x) => d.topk(x, 3, 0, false).values,
    samples: (g) => [[rn(g, [6, 2])]],
  },
  {
    name: 'avgPool2d countIncludePad false',
    fn: (x) => d.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
    samples: (g) => [[rn(g, [1, 2, 5, 5])]],
  },
];
