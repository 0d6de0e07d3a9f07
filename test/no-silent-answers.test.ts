/**
 * Answers that used to come back wrong without an error (issue 27, items 6-11): each case now gives the
 * right answer or a typed error naming the op, the argument and the value at fault.
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { DTypeError, type Tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import { DPOptimizer } from '../src/privacy/index.js';
import { NGramModel } from '../src/lm/index.js';
import { DataLoader, TensorDataset } from '../src/data/index.js';
import { fit } from '../src/train/index.js';
import { makeOptimizer } from '../src/optim/index.js';
import { compileFormula, runRace, testFunction } from '../src/diagnostics/index.js';

describe('integer inputs to the transforms (JAX refuses them to grad)', () => {
  const xi = d.tensor([1, 2, 3], { dtype: 'int32' });
  const f = (x: Tensor) => x.to('float64').pow(2).sum();
  it('grad and valueAndGrad refuse an int32 or bool input, naming the argument; allowInt holds it constant', () => {
    expect(() => d.grad(f)(xi)).toThrow(DTypeError);
    expect(() => d.grad(f)(xi)).toThrow(
      /^grad: argument 0 is int32: only float inputs have a gradient; pass allowInt: true/,
    );
    expect(() =>
      d.valueAndGrad((a: Tensor, b: Tensor) => a.sum().add(b.to('float32').sum()), { argnums: [0, 1] })(
        d.ones([2]),
        d.tensor([true, false]),
      ),
    ).toThrow(/argument 1 is bool/);
    expect(() => d.grad((p: { w: Tensor; n: Tensor }) => p.w.sum())({ w: d.ones([2]), n: xi })).toThrow(
      /argument 0 \(leaf 0\) is int32/,
    );
    expect(Array.from((d.grad(f, { allowInt: true })(xi) as Tensor).dataSync())).toEqual([0, 0, 0]);
    // Integers outside argnums are fine, as in JAX.
    const g = d.grad((w: Tensor, idx: Tensor) => d.indexSelect(w, 0, idx).sum(), { argnums: 0 });
    expect(Array.from(g(d.ones([3]), d.tensor([0, 2], { dtype: 'int32' })).dataSync())).toEqual([1, 0, 1]);
  });
  it('jvp, jacrev and jacfwd refuse integer primals', () => {
    expect(() => d.jvp(f, [xi], [d.ones([3])])).toThrow(
      /^jvp: primal 0 is int32: only float primals have tangents/,
    );
    expect(() => d.jacrev((x: Tensor) => x.to('float32'))(xi)).toThrow(/^jacrev: the input is int32/);
    expect(() => d.jacfwd((x: Tensor) => x.to('float32'))(xi)).toThrow(/^jacfwd: the input is int32/);
  });
});

describe('DP-SGD with a bad example', () => {
  const setup = (o: { onNonFinite?: 'throw' | 'skip'; chunkSize?: number } = {}) => {
    d.manualSeed(1);
    const model = new nn.Linear(3, 2);
    const dp = new DPOptimizer(
      model,
      new SGD(model.parameters(), { lr: 0.1 }),
      { noiseMultiplier: 1, maxGradNorm: 1, expectedBatchSize: 4, generator: new d.Generator(2), ...o },
      { datasetSize: 100 },
    );
    return { model, dp };
  };
  const x = d.tensor([
    [1, 2, 3],
    [4, NaN, 6],
    [7, 8, 9],
    [1, 1, 1],
  ]);
  const y = d.tensor([0, 1, 0, 1], { dtype: 'int32' });
  const loss = (out: Tensor, t: Tensor) => d.crossEntropy(out, t);

  it('a NaN feature stops the step, naming the example, before any update or charge', () => {
    const { model, dp } = setup({ chunkSize: 2 });
    const before = Array.from(model.weight.dataSync());
    expect(() => dp.step(loss, x, y)).toThrow(
      /^DPOptimizer.step: example 1 of the batch has a non-finite gradient \(norm NaN, loss NaN\): nothing was updated or charged/,
    );
    expect(Array.from(model.weight.dataSync())).toEqual(before);
    expect(dp.accountant.steps).toBe(0);
  });
  it("onNonFinite: 'skip' drops the example (its gradient counts as zero) and says which", () => {
    const { model, dp } = setup({ onNonFinite: 'skip' });
    const mean = dp.step(loss, x, y);
    expect(dp.lastSkipped).toEqual([1]);
    expect(Number.isFinite(mean)).toBe(true);
    expect(Array.from(model.weight.dataSync()).every(Number.isFinite)).toBe(true);
    expect(dp.accountant.steps).toBe(1);
  });
  it('chunkSize 0, NaN, -1 or 2.5 is refused when the optimizer is made', () => {
    for (const c of [0, NaN, -1, 2.5])
      expect(() => setup({ chunkSize: c }), String(c)).toThrow(
        `DPOptimizer: chunkSize must be a positive integer, got ${c}`,
      );
  });
});

describe('NGramModel: sampling, ids and sizes', () => {
  // After 0 the likeliest next id is 1 (3 of 4 times); 4 is the last id.
  const ids = [0, 1, 0, 1, 0, 1, 0, 2, 3, 4, 0];
  const lm = NGramModel.fit(ids, { order: 2, vocabSize: 5, smoothing: 'addK', k: 0.1 });
  it('a tiny temperature samples the most likely word (it used to return the last id)', () => {
    const s = lm.sample(20, { context: [0], temperature: 1e-3, generator: new d.Generator(0) });
    expect(s.slice(0, 1)).toEqual([1]);
    expect(lm.sample(1, { context: [0], temperature: 1e-6, generator: new d.Generator(3) })).toEqual([1]);
  });
  it('ids outside the vocabulary, 65537 and NaN in a context are typed errors, not other ids', () => {
    expect(() => lm.perplexity([0, 7])).toThrow(
      /^NGramModel.logProbs: token 1 is 7, outside the vocabulary's ids \[0, 5\)/,
    );
    expect(() => lm.prob([65537], 1)).toThrow(/context id 0 is 65537/);
    expect(() => lm.prob([NaN], 1)).toThrow(/context id 0 is NaN/);
    expect(() => lm.distribution([1.5])).toThrow(/context id 0 is 1.5/);
    expect(() => lm.sample(3, { context: [9] })).toThrow(/^NGramModel.sample: context id 0 is 9/);
  });
  it('unbounded sizes are refused at once: order 10^6, vocabSize 2^31, sample length Infinity', () => {
    expect(() => NGramModel.fit(ids, { order: 1e6, vocabSize: 5 })).toThrow(
      /order must be an integer in \[1, 32\], got 1000000/,
    );
    expect(() => NGramModel.fit(ids, { order: 2, vocabSize: 2 ** 31 })).toThrow(
      /vocabSize must be an integer in \[2, 16777216\]/,
    );
    expect(() => lm.sample(Infinity)).toThrow(/length must be an integer in \[0, 10000000\], got Infinity/);
    expect(() => lm.sample(2, { temperature: Infinity })).toThrow(/temperature must be a finite number > 0/);
  });
});

describe('fit on empty data, a lucky first batch, and a throw', () => {
  const model = () => {
    d.manualSeed(0);
    return new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 2));
  };
  const X = d.randn([8, 2]);
  const Y = d.tensor([0, 1, 0, 1, 0, 1, 0, 1], { dtype: 'int32' });
  const loader = (n: number, o: { dropLast?: boolean; batchSize?: number } = {}) =>
    new DataLoader(new TensorDataset(X.narrow(0, 0, n), Y.narrow(0, 0, n)), {
      batchSize: o.batchSize ?? 4,
      dropLast: o.dropLast,
    });
  const base = (m: nn.Module) => ({
    loss: (out: Tensor, y: Tensor) => d.crossEntropy(out, y),
    optimizer: new SGD(m.parameters(), { lr: 0.1 }),
    epochs: 2,
    progress: false as const,
  });

  it('an empty dataset, or dropLast with a batch larger than the data, is an error, not loss 0', () => {
    const m = model();
    expect(() => fit(m, { ...base(m), data: loader(0) })).toThrow(
      /^fit: epoch 1 gave no batches: the data is empty/,
    );
    expect(() => fit(m, { ...base(m), data: loader(3, { dropLast: true, batchSize: 4 }) })).toThrow(
      /dropLast dropped every batch/,
    );
    expect(() => fit(m, { ...base(m), data: loader(8), validation: loader(0) })).toThrow(
      /^fit: the validation data gave no batches/,
    );
  });
  it('a first batch with loss 1e-8 then 0.25 is not "diverged"', () => {
    const m = model();
    const losses = [1e-8, 0.25, 0.24, 0.26, 0.25, 0.25, 0.24, 0.25];
    let k = 0;
    const h = fit(m, {
      ...base(m),
      data: loader(8, { batchSize: 2 }),
      epochs: 2,
      loss: (out: Tensor) =>
        out
          .sum()
          .mul(0)
          .add(losses[k++ % losses.length]!),
    });
    expect(h.stoppedEarly).toBe(false);
    expect(h.epochs).toHaveLength(2);
    // A real divergence is still caught: losses growing 1000-fold.
    k = 0;
    const grow = fit(m, {
      ...base(m),
      data: loader(8, { batchSize: 1 }),
      loss: (out: Tensor) =>
        out
          .sum()
          .mul(0)
          .add(10 ** k++),
    });
    expect(grow.stopReason).toMatch(/training diverged/);
  });
  it('when fit throws, the gradient-health hooks are removed', () => {
    const m = model();
    const relu =
      (m as unknown as { modules: nn.Module[] }).modules?.[1] ??
      [...m.namedModules()].find(([, x]) => x instanceof nn.ReLU)![1];
    let k = 0;
    expect(() =>
      fit(m, {
        ...base(m),
        data: loader(8, { batchSize: 2 }),
        health: {},
        loss: (out: Tensor, y: Tensor) => {
          if (++k === 3) throw new Error('boom');
          return d.crossEntropy(out, y);
        },
      }),
    ).toThrow('boom');
    expect((relu as unknown as { _hooks: unknown[] })._hooks).toEqual([]);
  });
});

describe('names from outside never reach a prototype; sizes are bounded', () => {
  it("'constructor' and '__proto__' are unknown optimizers and formula functions, not Object's", () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(() => makeOptimizer(name, [d.zeros([1], { requiresGrad: true })])).toThrow(
        `makeOptimizer: unknown optimizer '${name}'`,
      );
      expect(() => runRace(testFunction('saddle'), [name], { steps: 1, tol: 0 })).toThrow(
        `runRace: unknown optimizer '${name}'`,
      );
      expect(() => compileFormula(`${name}(x)`)).toThrow(/unknown name/);
    }
  });
  it('a formula nested 5,000 parentheses deep is a typed error, not a stack overflow', () => {
    const deep = '('.repeat(5000) + 'x' + ')'.repeat(5000);
    expect(() => compileFormula(deep)).toThrow(/nests deeper than 200 levels/);
    expect(() => compileFormula('-'.repeat(5000) + 'x')).toThrow(/nests deeper than 200 levels/);
    expect(compileFormula('('.repeat(50) + 'x' + ')'.repeat(50))(d.tensor([2, 3])).item()).toBe(2);
  });
});

describe('NaN is true in the logical ops, on every backend (PyTorch and NumPy: nonzero is true)', () => {
  it('logicalNot(NaN) is false and logicalAnd(NaN, 1) true (the JS backend said otherwise)', () => {
    for (const b of d.listBackends())
      d.withBackend(b as never, () => {
        const n = d.tensor([NaN, 0, 1]);
        expect(Array.from(d.logicalNot(n).dataSync()), b).toEqual([0, 1, 0]);
        expect(Array.from(d.logicalAnd(n, d.ones([3])).dataSync()), b).toEqual([1, 0, 1]);
        expect(Array.from(d.logicalOr(n, d.zeros([3])).dataSync()), b).toEqual([1, 0, 1]);
        expect(Array.from(d.logicalXor(n, d.ones([3])).dataSync()), b).toEqual([0, 1, 0]);
      });
  });
});
