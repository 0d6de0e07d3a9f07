/**
 * Error quality: every public op, given wrong shapes or wrong dtypes, throws the typed error whose
 * message starts with the op's name and names the shapes (and dtypes) at fault.
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { DTypeError, ShapeError, ValueError, type Tensor } from '../src/index.js';

const f32 = (s: number[]) => d.zeros(s);
const f64 = (s: number[]) => d.zeros(s, { dtype: 'float64' });
const i32 = (s: number[]) => d.zeros(s, { dtype: 'int32' });
const fmt = (s: number[]) => `[${s.join(', ')}]`;

interface ErrCase {
  op: string;
  call: () => unknown;
  type: typeof ShapeError | typeof DTypeError | typeof ValueError;
  /** Substrings the message must contain besides the op name. */
  mentions: string[];
}

const binaryNames = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'atan2',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
] as const;
type BinFn = (a: Tensor, b: Tensor) => Tensor;

const cases: ErrCase[] = [
  ...binaryNames.flatMap((op): ErrCase[] => {
    const fn = d[op] as BinFn;
    return [
      {
        op,
        call: () => fn(f32([3, 4]), f32([2, 4])),
        type: ShapeError,
        mentions: [fmt([3, 4]), fmt([2, 4])],
      },
      {
        op,
        call: () => fn(f32([3]), f64([3])),
        type: DTypeError,
        mentions: ['float32', 'float64', fmt([3])],
      },
    ];
  }),
  ...(['logicalAnd', 'logicalOr', 'logicalXor'] as const).map((op): ErrCase => ({
    op,
    call: () => (d[op] as BinFn)(f32([2]), f32([3])),
    type: ShapeError,
    mentions: [fmt([2]), fmt([3])],
  })),
  {
    op: 'where',
    call: () => d.where(d.ones([2]).gt(0), f32([3]), f32([2])),
    type: ShapeError,
    mentions: [fmt([2]), fmt([3])],
  },
  {
    op: 'where',
    call: () => d.where(f32([2]), f32([2]), f32([2])),
    type: DTypeError,
    mentions: ['bool', 'float32', fmt([2])],
  },
  {
    op: 'where',
    call: () => d.where(d.ones([2]).gt(0), f32([2]), f64([2])),
    type: DTypeError,
    mentions: ['float32', 'float64'],
  },
  {
    op: 'matmul',
    call: () => d.matmul(f32([3, 4]), f32([5, 2])),
    type: ShapeError,
    mentions: [fmt([3, 4]), fmt([5, 2])],
  },
  {
    op: 'matmul',
    call: () => d.matmul(f32([2, 3, 4]), f32([3, 4, 2])),
    type: ShapeError,
    mentions: [fmt([2]), fmt([3])],
  },
  {
    op: 'matmul',
    call: () => d.matmul(f32([3, 4]), f64([4, 2])),
    type: DTypeError,
    mentions: ['float32', 'float64', fmt([3, 4]), fmt([4, 2])],
  },
  { op: 'dot', call: () => d.dot(f32([3]), f32([4])), type: ShapeError, mentions: [fmt([3]), fmt([4])] },
  {
    op: 'outer',
    call: () => d.outer(f32([3, 1]), f32([4])),
    type: ShapeError,
    mentions: [fmt([3, 1]), fmt([4])],
  },
  {
    op: 'linear',
    call: () => d.linear(f32([4, 3]), f32([2, 5])),
    type: ShapeError,
    mentions: [fmt([4, 3]), fmt([2, 5])],
  },
  {
    op: 'linear',
    call: () => d.linear(f32([4, 3]), f32([2, 3]), f32([3])),
    type: ShapeError,
    mentions: [fmt([3]), fmt([2, 3])],
  },
  {
    op: 'linear',
    call: () => d.linear(f32([4, 3]), f64([2, 3])),
    type: DTypeError,
    mentions: ['float32', 'float64', fmt([4, 3]), fmt([2, 3])],
  },
  {
    op: 'layerNorm',
    call: () => d.layerNorm(f32([3, 4]), [4], f64([4])),
    type: DTypeError,
    mentions: ['float32', 'float64'],
  },
  {
    op: 'batchNorm',
    call: () => d.batchNorm(f32([4, 3]), null, null, f64([3])),
    type: DTypeError,
    mentions: ['float32', 'float64'],
  },
  {
    op: 'cat',
    call: () => d.cat([f32([2, 3]), f32([3, 3])], 1),
    type: ShapeError,
    mentions: [fmt([2, 3]), fmt([3, 3])],
  },
  { op: 'cat', call: () => d.cat([f32([2]), f64([2])]), type: DTypeError, mentions: ['float32', 'float64'] },
  {
    op: 'stack',
    call: () => d.stack([f32([2, 3]), f32([3, 2])]),
    type: ShapeError,
    mentions: [fmt([2, 3]), fmt([3, 2])],
  },
  {
    op: 'reshape',
    call: () => d.reshape(f32([2, 3]), [4, 2]),
    type: ShapeError,
    mentions: [fmt([4, 2]), fmt([2, 3])],
  },
  {
    op: 'expand',
    call: () => d.expand(f32([2, 3]), [4, 3]),
    type: ShapeError,
    mentions: [fmt([2, 3]), fmt([4, 3])],
  },
  {
    op: 'permute',
    call: () => d.permute(f32([2, 3]), [0]),
    type: ShapeError,
    mentions: [fmt([0]), fmt([2, 3])],
  },
  {
    op: 'transpose',
    call: () => d.transpose(f32([2, 3]), 0, 2),
    type: ValueError,
    mentions: ['dim1 2', 'rank 2'],
  },
  { op: 'split', call: () => d.split(f32([5]), [2, 2]), type: ShapeError, mentions: [fmt([2, 2]), fmt([5])] },
  { op: 'index', call: () => f32([2, 3]).index(0, 5), type: ValueError, mentions: ['index 5', fmt([2, 3])] },
  {
    op: 'gather',
    call: () => d.gather(f32([3, 4]), 1, f32([3, 2])),
    type: DTypeError,
    mentions: ['int32', 'float32', fmt([3, 2])],
  },
  {
    op: 'gather',
    call: () => d.gather(f32([3, 4]), 1, i32([3])),
    type: ShapeError,
    mentions: [fmt([3]), fmt([3, 4])],
  },
  {
    op: 'scatterAdd',
    call: () => d.scatterAdd(f32([3]), 0, i32([2]), f32([3])),
    type: ShapeError,
    mentions: [fmt([3]), fmt([2])],
  },
  {
    op: 'indexSelect',
    call: () => d.indexSelect(f32([3, 4]), 0, f32([2])),
    type: DTypeError,
    mentions: ['int32', 'float32', fmt([2])],
  },
  {
    op: 'maskedFill',
    call: () => d.maskedFill(f32([3]), f32([3]), 0),
    type: DTypeError,
    mentions: ['bool', 'float32', fmt([3])],
  },
  ...(
    [
      'mseLoss',
      'l1Loss',
      'huberLoss',
      'smoothL1Loss',
      'binaryCrossEntropy',
      'binaryCrossEntropyWithLogits',
      'cosineSimilarity',
    ] as const
  ).flatMap((op): ErrCase[] => {
    const fn = d[op] as BinFn;
    return [
      {
        op,
        call: () => fn(f32([3, 4]), f32([4, 3])),
        type: ShapeError,
        mentions: [fmt([3, 4]), fmt([4, 3])],
      },
      { op, call: () => fn(f32([3]), f64([3])), type: DTypeError, mentions: ['float32', 'float64'] },
    ];
  }),
  {
    op: 'crossEntropy',
    call: () => d.crossEntropy(f32([4, 3]), i32([5])),
    type: ShapeError,
    mentions: [fmt([5]), fmt([4, 3])],
  },
  {
    op: 'crossEntropy',
    call: () => d.crossEntropy(f32([4, 3]), f64([4, 3])),
    type: DTypeError,
    mentions: ['float32', 'float64'],
  },
  {
    op: 'nllLoss',
    call: () => d.nllLoss(f32([4, 3]), f32([4])),
    type: DTypeError,
    mentions: ['int32', 'float32', fmt([4])],
  },
  {
    op: 'nllLoss',
    call: () => d.nllLoss(f32([4, 3]), i32([2, 2])),
    type: ShapeError,
    mentions: [fmt([2, 2]), fmt([4, 3])],
  },
  {
    op: 'multiMarginLoss',
    call: () => d.multiMarginLoss(f32([4, 3]), i32([3])),
    type: ShapeError,
    mentions: [fmt([3]), fmt([4, 3])],
  },
  {
    op: 'multiMarginLoss',
    call: () => d.multiMarginLoss(f32([4, 3]), f32([4])),
    type: DTypeError,
    mentions: ['int32', 'float32'],
  },
  {
    op: 'layerNorm',
    call: () => d.layerNorm(f32([3, 4]), [5]),
    type: ShapeError,
    mentions: [fmt([5]), fmt([3, 4])],
  },
  {
    op: 'batchNorm',
    call: () => d.batchNorm(f32([4, 3]), null, null, f32([2])),
    type: ShapeError,
    mentions: [fmt([2]), fmt([4, 3])],
  },
  {
    op: 'embedding',
    call: () => d.embedding(f32([2]), f32([5, 3])),
    type: DTypeError,
    mentions: ['int32', 'float32', fmt([2])],
  },
  { op: 'embedding', call: () => d.embedding(i32([2]), f32([5])), type: ShapeError, mentions: [fmt([5])] },
  {
    op: 'conv2d',
    call: () => d.conv2d(f32([1, 2, 5, 5]), f32([3, 4, 3, 3])),
    type: ShapeError,
    mentions: [fmt([1, 2, 5, 5]), fmt([3, 4, 3, 3])],
  },
  {
    op: 'conv2d',
    call: () => d.conv2d(f32([1, 2, 5, 5]), f64([3, 2, 3, 3])),
    type: DTypeError,
    mentions: ['float32', 'float64'],
  },
  {
    op: 'maxPool2d',
    call: () => d.maxPool2d(f32([2, 5, 5]), 2),
    type: ShapeError,
    mentions: [fmt([2, 5, 5])],
  },
  {
    op: 'avgPool2d',
    call: () => d.avgPool2d(f32([1, 1, 2, 2]), 3),
    type: ShapeError,
    mentions: [fmt([1, 1, 2, 2])],
  },
  { op: 'sum', call: () => d.sum(f32([2, 3]), 2), type: ValueError, mentions: ['dim 2', 'rank 2'] },
  { op: 'softmax', call: () => d.softmax(f32([2, 3]), -3), type: ValueError, mentions: ['dim -3', 'rank 2'] },
  { op: 'amax', call: () => d.amax(f32([0, 3]), 0), type: ShapeError, mentions: [fmt([0, 3])] },
  { op: 'item', call: () => f32([2]).item(), type: ValueError, mentions: [fmt([2])] },
  {
    op: 'backward',
    call: () =>
      f32([2])
        .requiresGrad_()
        .mul(2)
        .backward(f32([3])),
    type: ShapeError,
    mentions: [fmt([3]), fmt([2])],
  },
  {
    op: 'backward',
    call: () =>
      f32([2])
        .requiresGrad_()
        .mul(2)
        .backward(f64([2])),
    type: DTypeError,
    mentions: ['float64', 'float32'],
  },
  { op: 'tensor', call: () => d.tensor([[1], [2, 3]]), type: ShapeError, mentions: ['ragged'] },
  { op: 'add_', call: () => f32([3]).add_(f32([2, 3])), type: ShapeError, mentions: [fmt([2, 3]), fmt([3])] },
];

describe('typed errors name the op, the argument and the shapes/dtypes at fault', () => {
  for (const c of cases) {
    it(`${c.op}: ${c.type.name} mentioning ${c.mentions.join(', ')}`, () => {
      let err: unknown;
      try {
        c.call();
      } catch (e) {
        err = e;
      }
      expect(err, 'expected a throw').toBeInstanceOf(c.type);
      const msg = (err as Error).message;
      expect(msg.startsWith(`${c.op}: `), msg).toBe(true);
      expect((err as d.DescendError).op).toBe(c.op);
      for (const m of c.mentions) expect(msg, msg).toContain(m);
    });
  }
});
