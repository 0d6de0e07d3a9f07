/** Tensors: creation, dtypes, random generators, shape ops, indexing, in-place ops, printing. */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Generator, tensor, type Tensor } from '../src/index.js';

const arr = (t: Tensor) => t.toArray();

describe('creation', () => {
  it('tensor infers shape and dtype; rejects ragged arrays', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor(3.5).shape).toEqual([]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(() => tensor([[1, 2], [3]])).toThrow(
      /ragged nested array: element \[1\] has length 1, expected length 2/,
    );
  });
  it('float32 rounds, float64 keeps, int32 truncates', () => {
    expect(tensor([0.1]).item()).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: 'float64' }).item()).toBe(0.1);
    expect(arr(tensor([1.7, -1.7]).to('int32'))).toEqual([1, -1]);
  });
  it('zeros, ones, full, eye, *Like', () => {
    expect(arr(d.zeros([2]))).toEqual([0, 0]);
    expect(arr(d.ones([1, 2], { dtype: 'int32' }))).toEqual([[1, 1]]);
    expect(arr(d.full([2], 7))).toEqual([7, 7]);
    expect(arr(d.eye(2, 3))).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const x = tensor([[1, 2]], { dtype: 'float64' });
    expect(d.zerosLike(x).dtype).toBe('float64');
    expect(d.onesLike(x).shape).toEqual([1, 2]);
    expect(arr(d.fullLike(x, 3))).toEqual([[3, 3]]);
  });
  it('arange and linspace follow PyTorch', () => {
    expect(arr(d.arange(5))).toEqual([0, 1, 2, 3, 4]);
    expect(d.arange(5).dtype).toBe('int32');
    expect(arr(d.arange(1, 2, 0.25))).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arr(d.arange(5, 0, -2))).toEqual([5, 3, 1]);
    expect(arr(d.linspace(0, 1, 5, { dtype: 'float64' }))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => d.arange(0, 1, 0)).toThrow(/step must be finite and non-zero/);
  });
});

describe('random', () => {
  it('manualSeed and generators reproduce streams', () => {
    d.manualSeed(42);
    const a = d.randn([5]);
    d.manualSeed(42);
    expect(arr(d.randn([5]))).toEqual(arr(a));
    const g1 = new Generator(3);
    const g2 = new Generator(3);
    expect(arr(d.rand([4], { generator: g1 }))).toEqual(arr(d.rand([4], { generator: g2 })));
    expect(arr(d.rand([4], { generator: new Generator(4) }))).not.toEqual(
      arr(d.rand([4], { generator: new Generator(3) })),
    );
  });
  it('generator state round-trips', () => {
    const g = new Generator(9);
    g.normal();
    const s = g.getState();
    const x = [g.random(), g.normal(), g.normal()];
    g.setState(s);
    expect([g.random(), g.normal(), g.normal()]).toEqual(x);
  });
  it('distributions have the right moments and ranges', () => {
    const g = new Generator(1);
    const n = d.randn([20000], { dtype: 'float64', generator: g });
    expect(Math.abs(n.mean().item())).toBeLessThan(0.03);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.03);
    const u = d.rand([20000], { dtype: 'float64', generator: g });
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.01);
    const r = d.randint(-2, 3, [5000], { generator: g });
    expect(r.dtype).toBe('int32');
    expect(r.min().item()).toBe(-2);
    expect(r.max().item()).toBe(2);
    const b = d.bernoulli(0.3, [20000], { dtype: 'float64', generator: g });
    expect(Math.abs(b.mean().item() - 0.3)).toBeLessThan(0.015);
    const bt = d.bernoulli(tensor([0, 1, 0, 1], { dtype: 'float64' }), { generator: g });
    expect(arr(bt)).toEqual([0, 1, 0, 1]);
  });
  it('randperm is a permutation', () => {
    const p = d.randperm(50, { generator: new Generator(2) });
    expect((arr(p) as number[]).slice().sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});

describe('shape ops', () => {
  const x = d.arange(24).reshape(2, 3, 4);
  it('reshape with -1, view, flatten, squeeze, unsqueeze', () => {
    expect(x.reshape(-1, 4).shape).toEqual([6, 4]);
    expect(x.view([4, 6]).shape).toEqual([4, 6]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(d.zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
    expect(d.zeros([1, 3, 1]).squeeze(0).shape).toEqual([3, 1]);
    expect(d.zeros([3]).unsqueeze(-1).shape).toEqual([3, 1]);
  });
  it('transpose and permute move elements', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(arr(m.t())).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(x.permute(2, 0, 1).toArray()).toEqual(
      Array.from({ length: 4 }, (_, k) =>
        Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => i * 12 + j * 4 + k)),
      ),
    );
  });
  it('expand broadcasts size-1 dims', () => {
    expect(arr(tensor([[1], [2]]).expand(2, 3))).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(arr(tensor([5]).expand(-1))).toEqual([5]);
  });
  it('slicing with steps, negative indices and negative steps', () => {
    const v = d.arange(10);
    expect(arr(v.index('::3'))).toEqual([0, 3, 6, 9]);
    expect(arr(v.index('-3:'))).toEqual([7, 8, 9]);
    expect(arr(v.index('::-4'))).toEqual([9, 5, 1]);
    expect(arr(v.index(d.slice(1, -1, 3)))).toEqual([1, 4, 7]);
    expect(v.index(-1).item()).toBe(9);
    expect(arr(x.index(1, '...', -1))).toEqual([15, 19, 23]);
    expect(x.index(null, ':', 0).shape).toEqual([1, 2, 4]);
    expect(arr(v.index('5:2'))).toEqual([]);
  });
  it('gather, scatterAdd, indexSelect, where, maskedFill', () => {
    const m = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(
      arr(
        d.gather(
          m,
          1,
          tensor(
            [
              [1, 1],
              [0, 1],
            ],
            { dtype: 'int32' },
          ),
        ),
      ),
    ).toEqual([
      [2, 2],
      [3, 4],
    ]);
    expect(arr(d.scatterAdd(d.zeros([3]), 0, tensor([0, 0, 2], { dtype: 'int32' }), d.ones([3])))).toEqual([
      2, 0, 1,
    ]);
    expect(arr(d.indexSelect(m, 0, tensor([1, 1, 0], { dtype: 'int32' })))).toEqual([
      [3, 4],
      [3, 4],
      [1, 2],
    ]);
    expect(() => d.indexSelect(m, 1, tensor([-1], { dtype: 'int32' }))).toThrow(/index holds -1/); // as torch: no wrap-around
    expect(arr(d.where(m.gt(2), m, 0))).toEqual([
      [0, 0],
      [3, 4],
    ]);
    expect(arr(m.maskedFill(tensor([true, false]), -1))).toEqual([
      [-1, 2],
      [-1, 4],
    ]);
  });
  it('cat, stack, split, chunk', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4]]);
    expect(arr(d.cat([a, b]))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(arr(d.stack([a.squeeze(), b.squeeze()], 1))).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(d.split(d.arange(5), 2).map(arr)).toEqual([[0, 1], [2, 3], [4]]);
    expect(d.split(d.arange(5), [1, 4]).map((t) => t.shape[0])).toEqual([1, 4]);
    expect(d.chunk(d.arange(6), 4).map(arr)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });
  it('max/min with indices, argmax, ties go to the first index', () => {
    const m = tensor([
      [1, 5, 5],
      [7, 0, 7],
    ]);
    const { values, indices } = m.max(1);
    expect(arr(values)).toEqual([5, 7]);
    expect(arr(indices)).toEqual([1, 0]);
    expect(m.argmax().item()).toBe(3);
    expect(arr(m.min(0).indices)).toEqual([0, 1, 0]);
  });
  it('reductions over bool and int give int32', () => {
    expect(tensor([true, true, false]).sum().item()).toBe(2);
    expect(d.arange(4).sum().dtype).toBe('int32');
    expect(d.arange(4).mean().item()).toBe(1.5);
  });
});

describe('dtypes and promotion', () => {
  it('int with float gives float; int division gives float; float32 with float64 is refused', () => {
    expect(d.arange(3).add(tensor([0.5])).dtype).toBe('float32');
    expect(d.arange(3).div(2).dtype).toBe('float32');
    expect(d.arange(3).mul(2).dtype).toBe('int32');
    expect(d.arange(3).mul(0.5).dtype).toBe('float32');
    expect(() => tensor([1]).add(tensor([1], { dtype: 'float64' }))).toThrow(d.DTypeError);
    expect(d.exp(d.arange(2)).dtype).toBe('float32');
    expect(tensor([1], { dtype: 'float64' }).mul(2).dtype).toBe('float64');
  });
  it('setDefaultDtype switches the float default', () => {
    d.setDefaultDtype('float64');
    try {
      expect(tensor([1]).dtype).toBe('float64');
      expect(d.randn([2]).dtype).toBe('float64');
    } finally {
      d.setDefaultDtype('float32');
    }
  });
});

describe('in-place ops', () => {
  it('modify values, bump the version, and work on views', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64' });
    x.add_(1)
      .mul_(2)
      .sub_(tensor([1, 1, 1], { dtype: 'float64' }), 2);
    expect(arr(x)).toEqual([2, 4, 6]);
    expect(x.version).toBe(3);
    const v = x.view(3, 1);
    v.zero_();
    expect(arr(x)).toEqual([0, 0, 0]);
    x.fill_(2)
      .addcmul_(x, x, 0.5)
      .addcdiv_(tensor([2, 2, 2], { dtype: 'float64' }), x, 2);
    expect(arr(x)).toEqual([5, 5, 5]);
    x.copy_(tensor([9], { dtype: 'float64' }));
    expect(arr(x)).toEqual([9, 9, 9]);
    x.clamp_(0, 4).lerp_(d.zeros([3], { dtype: 'float64' }), 0.25);
    expect(arr(x)).toEqual([3, 3, 3]);
    x.maskedFill_(tensor([true, false, false]), -1);
    expect(arr(x)).toEqual([-1, 3, 3]);
  });
  it('refuse results that would change the shape', () => {
    expect(() => d.zeros([3]).add_(d.zeros([2, 3]))).toThrow(
      /does not match the in-place target's shape \[3\]/,
    );
  });
});

describe('values and printing', () => {
  it('item, toArray, clone, to', () => {
    expect(tensor([[2]]).item()).toBe(2);
    expect(() => tensor([1, 2]).item()).toThrow(/only one-element tensors/);
    const x = tensor([1, 2]);
    const c = x.clone();
    c.add_(1);
    expect(arr(x)).toEqual([1, 2]);
    expect(x.to('float64').dtype).toBe('float64');
    expect(tensor([1, 0]).to('bool').toArray()).toEqual([true, false]);
  });
  it('prints like PyTorch', () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]).toString(),
    ).toBe('tensor([[1., 2.],\n        [3., 4.]])');
    expect(tensor([0.5, -1.25], { dtype: 'float64' }).toString()).toBe(
      'tensor([ 0.5000, -1.2500], dtype=float64)',
    );
    expect(d.arange(3).toString()).toBe('tensor([0, 1, 2])');
    expect(tensor([1e-6, 1]).toString()).toBe('tensor([1.0000e-06, 1.0000e+00])');
    expect(tensor([1], { requiresGrad: true }).toString()).toBe('tensor([1.], requiresGrad=true)');
    expect(tensor([1], { requiresGrad: true }).mul(2).toString()).toBe('tensor([2.], gradFn=mul)');
    expect(d.zeros([2000]).toString()).toContain('...');
    expect(tensor([true, false]).toString()).toBe('tensor([ true, false])');
  });
});

describe('slices are copies: writing through them is refused, setIndex_ writes', () => {
  it('refuses in-place ops on a slice and points to setIndex_', () => {
    const x = d.zeros([3, 3]);
    expect(() => x.index(0).fill_(1)).toThrow(/slices are copies .* setIndex_/);
    expect(() => x.narrow(0, 1, 1).add_(1)).toThrow(d.ValueError);
    x.index(0).clone().fill_(1); // a clone is its own tensor
  });
  it('setIndex_ writes values and broadcasts, and is differentiable', () => {
    const x = d.zeros([3, 4]);
    x.setIndex_(['1:', '::2'], 7);
    expect(x.toArray()).toEqual([
      [0, 0, 0, 0],
      [7, 0, 7, 0],
      [7, 0, 7, 0],
    ]);
    x.setIndex_([0], tensor([1, 2, 3, 4]));
    expect((x.toArray() as number[][])[0]).toEqual([1, 2, 3, 4]);
    const a = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const v = tensor([10], { dtype: 'float64', requiresGrad: true });
    const y = a.mul(2);
    y.setIndex_([1], v);
    y.sum().backward();
    expect(a.grad!.toArray()).toEqual([2, 0, 2]);
    expect(v.grad!.toArray()).toEqual([1]);
  });
});
