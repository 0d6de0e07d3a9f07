/**
 * Bad input a new user gives the public API: each case throws a typed error (never a TypeError or a
 * RangeError from inside), whose message starts with the public op's name and names the value at fault.
 * Negative class labels and indices are refused, as PyTorch refuses them, instead of wrapping around.
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { DescendError } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { Adam, SGD } from '../src/optim/index.js';

const i32 = (v: number[] | number[][]) => d.tensor(v, { dtype: 'int32' });
const x = d.randn([4, 3]);

/** [public op, call, substrings the message must hold]. */
const cases: [string, () => unknown, string[]][] = [
  ['crossEntropy', () => d.crossEntropy(x, i32([0, 1, 2, -1])), ['target holds -1', '[0, 3)']],
  ['crossEntropy', () => d.crossEntropy(x, i32([0, 1, 2, 3])), ['target holds 3', 'class labels']],
  ['crossEntropy', () => d.crossEntropy(x, [0, 1, 2, 1] as never), ['target must be a Tensor']],
  ['nllLoss', () => d.nllLoss(x, i32([0, -1, 2, 1])), ['target holds -1']],
  ['nllLoss', () => d.nllLoss(x, i32([0, 1, 7, 1])), ['target holds 7']],
  ['embedding', () => d.embedding(i32([0, -1]), x), ['input holds -1', '[0, 4)']],
  ['embedding', () => new nn.Embedding(4, 3).call(i32([[0, 9]])), ['input holds 9']],
  ['gather', () => d.gather(x, 1, i32([[0], [-1], [0], [0]])), ['index holds -1']],
  ['gather', () => d.gather(x, 1, i32([[0], [3], [0], [0]])), ['index holds 3']],
  ['indexSelect', () => d.indexSelect(x, 0, i32([-1])), ['index holds -1']],
  ['scatterAdd', () => d.scatterAdd(d.zeros([3]), 0, i32([0, -2]), d.ones([2])), ['index holds -2']],
  ['oneHot', () => d.oneHot(i32([0, -1]), 3), ['-1']],
  ['full', () => d.full([2], 'x' as never), ['value must be a number', 'string']],
  ['ones', () => d.ones('3' as never), ['shape must be an array', "'3'"]],
  ['zeros', () => d.zeros(undefined as never), ['shape must be an array', 'undefined']],
  ['zeros', () => d.zeros([2, -1]), ['[2, -1]']],
  ['zeros', () => d.zeros([1.5]), ['[1.5]']],
  ['full', () => d.full([NaN], 1), ['NaN']],
  ['randn', () => d.randn([1e6, 1e6]), ['1.000e+12 elements']],
  ['rand', () => d.rand([2 ** 31]), ['elements']],
  ['linspace', () => d.linspace(0, 1, 1e12), ['1.000e+12 elements']],
  ['linspace', () => d.linspace(0, Infinity, 3), ['must be finite']],
  ['arange', () => d.arange(0, 1e12), ['elements']],
  ['arange', () => d.arange(0, 10, 0), ['step']],
  ['eye', () => d.eye(1e7), ['elements']],
  ['randperm', () => d.randperm(-1), ['n must be']],
  ['randint', () => d.randint(5, 2, [3]), ['low=5']],
  ['tensor', () => d.tensor([[1, 2], [3]] as never), ['ragged']],
  ['tensor', () => d.tensor(['a'] as never), ['string']],
  ['reshape', () => x.reshape([5, 5]), ['[5, 5]', '[4, 3]']],
  ['matmul', () => x.matmul(x), ['[4, 3]']],
  ['sum', () => x.sum(5), ['dim 5']],
  ['softmax', () => d.softmax(x, 3), ['dim 3']],
  ['Linear', () => new nn.Linear(3, -1), ['-1']],
  ['Dropout', () => new nn.Dropout(1.5), ['1.5']],
  ['multinomial', () => d.multinomial(d.tensor([-1, 2]), 1), ['-1']],
  ['Adam', () => new Adam([d.zeros([2], { requiresGrad: true })], { lr: Infinity }), ['lr Infinity']],
  ['SGD', () => new SGD([d.zeros([2], { requiresGrad: true })], { lr: -1 }), ['lr -1']],
  ['Adam', () => new Adam([d.zeros([2], { requiresGrad: true })], { betas: [0.9, 1.5] }), ['1.5']],
  [
    'Adam.loadStateDict',
    () => new Adam([d.zeros([2], { requiresGrad: true })]).loadStateDict({ state: null } as never),
    ['expected'],
  ],
  [
    'loadStateDict',
    () => new nn.Linear(2, 2).loadStateDict({ weight: d.zeros([3, 3]), bias: d.zeros([2]) }),
    ['[3, 3]'],
  ],
  ['loadStateDict', () => new nn.Linear(2, 2).loadStateDict(null as never), ['null']],
];

describe('bad input: a typed error that names the public op', () => {
  it.each(cases.map(([op, call, mentions], i) => ({ i, op, call, mentions })))(
    '$i: $op',
    ({ op, call, mentions }) => {
      let err: unknown = null;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err, `${op}: no error`).toBeInstanceOf(DescendError);
      const msg = (err as Error).message;
      expect(msg.startsWith(`${op}: `), msg).toBe(true);
      for (const m of mentions) expect(msg).toContain(m);
      expect(msg.length).toBeLessThan(400);
    },
  );

  it('ignoreIndex targets are still allowed (the default -100 and a custom one)', () => {
    const l = d.crossEntropy(x, i32([0, 1, -100, 2]));
    expect(Number.isFinite(l.item())).toBe(true);
    expect(Number.isFinite(d.nllLoss(x, i32([0, 5, 1, 2]), { ignoreIndex: 5 }).item())).toBe(true);
  });
});
