/**
 * The ops language models need, against PyTorch (fixtures/lm_ops.json, written by fixtures/lm_ops.py):
 * sort, argsort, topk, cumsum, oneHot, softmax/logSoftmax, on every backend; multinomial by its
 * statistics (PyTorch's random streams are not ours).
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { type Tensor, ValueError } from '../src/index.js';
import { assertClose, decode, type Encoded, fixture } from './helpers.js';
import { forEachBackend } from './backends.js';

interface Case {
  name: string;
  expr: string;
  input: Encoded;
  values: Encoded;
  indices?: Encoded;
  upstream: Encoded;
  grad: Encoded;
}
const file = fixture<{
  cases: Case[];
  argsort: { name: string; input: Encoded; indices: Encoded; descending?: boolean; dim?: number }[];
  one_hot: { name: string; input: number[] | number[][]; num_classes: number; output: Encoded }[];
}>('lm_ops.json');

/** Each case's expression in descend. */
const RUN: Record<string, (x: Tensor) => Tensor | d.SortResult> = {
  'sort last dim': (x) => d.sort(x, -1),
  'sort dim 0 descending': (x) => d.sort(x, 0, true),
  'sort 1-d': (x) => d.sort(x),
  'sort 3-d dim 1': (x) => d.sort(x, 1),
  'topk 2 last dim': (x) => d.topk(x, 2, -1),
  'topk 2 smallest dim 0': (x) => d.topk(x, 2, 0, false),
  'topk 3 1-d': (x) => d.topk(x, 3),
  'cumsum dim 1': (x) => d.cumsum(x, 1),
  'cumsum dim 0': (x) => d.cumsum(x, 0),
  'cumsum 1-d': (x) => d.cumsum(x, 0),
  'cumsum 3-d dim 2': (x) => d.cumsum(x, 2),
  'log_softmax dim 1': (x) => d.logSoftmax(x, 1),
  'softmax dim 0': (x) => d.softmax(x, 0),
};

it('runs every case of lm_ops.json', () => {
  expect(file.cases.map((c) => c.name).filter((n) => !(n in RUN))).toEqual([]);
});

forEachBackend(() => {
  for (const dtype of ['float64', 'float32'] as const) {
    const [rtol, atol] = dtype === 'float64' ? [1e-12, 1e-12] : [1e-5, 1e-6];
    describe(`lm_ops.json in ${dtype}`, () => {
      for (const c of file.cases) {
        it(`${c.name}: ${c.expr}`, () => {
          const x = decode(c.input, dtype).requiresGrad_(true);
          const out = RUN[c.name](x);
          const values = 'values' in out ? out.values : out;
          assertClose(values, c.values, rtol, atol, 'values');
          if (c.indices && 'indices' in out)
            expect(Array.from(out.indices.dataSync())).toEqual(c.indices.data);
          values.mul(decode(c.upstream, dtype)).sum().backward();
          assertClose(x.grad!, c.grad, rtol, atol, 'grad');
        });
      }
      for (const a of file.argsort) {
        it(a.name, () => {
          const idx = d.argsort(decode(a.input, dtype), a.dim ?? -1, a.descending ?? false);
          expect(idx.dtype).toBe('int32');
          expect(Array.from(idx.dataSync())).toEqual(a.indices.data);
        });
      }
    });
  }
  for (const o of file.one_hot) {
    it(o.name, () => {
      const y = d.oneHot(d.tensor(o.input, { dtype: 'int32' }), o.num_classes);
      expect(y.shape).toEqual(o.output.shape);
      expect(Array.from(y.dataSync())).toEqual(o.output.data);
    });
  }
});

describe('multinomial', () => {
  it('draws with replacement in proportion to the weights (chi-square over 20,000 draws)', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const s = d.multinomial(d.tensor([1, 2, 3, 4]), 20000, {
      replacement: true,
      generator: new d.Generator(1),
    });
    expect(s.shape).toEqual([20000]);
    const counts = [0, 0, 0, 0];
    for (const v of s.dataSync()) counts[v]++;
    const chi2 = counts.reduce((acc, c, i) => acc + (c - 20000 * p[i]) ** 2 / (20000 * p[i]), 0);
    expect(chi2).toBeLessThan(16.3); // p = 0.001 for 3 degrees of freedom
  });
  it('without replacement never repeats and never picks a zero weight; first draws follow the weights', () => {
    const g = new d.Generator(2);
    const firsts = [0, 0, 0, 0];
    for (let t = 0; t < 2000; t++) {
      const s = Array.from(d.multinomial(d.tensor([[1, 0, 3, 6]]), 3, { generator: g }).dataSync());
      expect(new Set(s).size).toBe(3);
      expect(s).not.toContain(1);
      firsts[s[0]]++;
    }
    expect(firsts[3] / 2000).toBeCloseTo(0.6, 1);
    expect(firsts[0] / 2000).toBeCloseTo(0.1, 1);
  });
  it('is reproducible with a generator and refuses bad weights with typed errors', () => {
    const a = d.multinomial(d.tensor([0.5, 0.5]), 10, { replacement: true, generator: new d.Generator(3) });
    const b = d.multinomial(d.tensor([0.5, 0.5]), 10, { replacement: true, generator: new d.Generator(3) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(() => d.multinomial(d.tensor([0.5, -0.1]), 1)).toThrow(/multinomial: probs must be non-negative/);
    expect(() => d.multinomial(d.tensor([0, 0]), 1)).toThrow(/positive sum/);
    expect(() => d.multinomial(d.tensor([1, 0]), 2)).toThrow(/without replacement from 1 non-zero/);
    expect(() => d.multinomial(d.tensor([NaN, 1]), 1)).toThrow(ValueError);
  });
});

describe('errors', () => {
  it('topk, oneHot and cumsum name themselves and the bad argument', () => {
    expect(() => d.topk(d.tensor([1, 2]), 3)).toThrow(/topk: k must be an integer in \[0, 2\]/);
    expect(() => d.oneHot(d.tensor([0, -1], { dtype: 'int32' }))).toThrow(
      /oneHot: classes must be non-negative/,
    );
    expect(() => d.oneHot(d.tensor([0, 3], { dtype: 'int32' }), 3)).toThrow(/class 3 is out of range/);
    expect(() => d.cumsum(d.tensor([[1]]), 2)).toThrow(/cumsum/);
  });
});

describe('embedding backward', () => {
  it('only the rows a batch uses get a non-zero gradient, summed over repeats', () => {
    const table = d.randn([1000, 8], { requiresGrad: true });
    d.embedding(
      d.tensor(
        [
          [3, 7],
          [3, 999],
        ],
        { dtype: 'int32' },
      ),
      table,
    )
      .sum()
      .backward();
    const g = table.grad!;
    const rowSums = Array.from(d.sum(d.abs(g), 1).dataSync());
    const touched = rowSums.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0);
    expect(touched).toEqual([3, 7, 999]);
    expect(g.index(3).dataSync()[0]).toBe(2);
  });
});
