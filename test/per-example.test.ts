/**
 * Per-example gradients by vmap(grad) over functionalCall, against a loop of batch-size-1 gradients
 * (Opacus's own check), float64 to 1e-12: an MLP, a small CNN (conv, max pooling), an embedding model
 * with LayerNorm, and a model with BatchNorm in eval mode.
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import * as nn from '../src/nn/index.js';
import type { Tensor } from '../src/index.js';
import { ValueError } from '../src/errors.js';
import { assertClose } from './helpers.js';

type Params = Record<string, Tensor>;

/** Per-example gradients both ways: vmap(grad) and a loop over single examples. */
function bothWays(model: nn.Module, x: Tensor, y: Tensor): [Params, Params[]] {
  const params = nn.paramsOf(model);
  const loss = (p: Params, xi: Tensor, yi: Tensor) =>
    d.crossEntropy(nn.functionalCall(model, p, xi.unsqueeze(0)), yi.unsqueeze(0));
  const batched = d.vmap(d.grad(loss), { inAxes: [null, 0, 0] })(params, x, y) as Params;
  const loop = Array.from(
    { length: x.shape[0] },
    (_, i) => d.grad(loss)(params, x.index(i), y.index(i)) as Params,
  );
  return [batched, loop];
}

function check(model: nn.Module, x: Tensor, y: Tensor, what: string): void {
  const [batched, loop] = bothWays(model, x, y);
  const names = Object.keys(nn.paramsOf(model));
  expect(Object.keys(batched).sort()).toEqual([...names].sort());
  for (const k of names) {
    expect(batched[k].shape).toEqual([x.shape[0], ...nn.paramsOf(model)[k].shape]);
    loop.forEach((g, i) => assertClose(batched[k].index(i), g[k], 1e-12, 1e-12, `${what} ${k} example ${i}`));
  }
}

describe('per-example gradients (vmap of grad) equal a loop of single-example gradients', () => {
  d.setDefaultDtype('float64');
  d.manualSeed(0);

  it('MLP', () => {
    const model = new nn.Sequential(new nn.Linear(6, 5), new nn.Tanh(), new nn.Linear(5, 3));
    check(model, d.randn([7, 6]), d.randint(0, 3, [7]), 'mlp');
  });

  it('small CNN: Conv2d, ReLU, MaxPool2d, Linear', () => {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 3, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(3 * 3 * 3, 4),
    );
    check(model, d.randn([5, 1, 6, 6]), d.randint(0, 4, [5]), 'cnn');
  });

  it('embedding model with LayerNorm', () => {
    const model = new nn.Sequential(
      new nn.Embedding(11, 4),
      new nn.Flatten(),
      new nn.LayerNorm(12),
      new nn.Linear(12, 5),
    );
    check(model, d.randint(0, 11, [6, 3]), d.randint(0, 5, [6]), 'embedding');
  });

  it('BatchNorm in eval mode', () => {
    const model = new nn.Sequential(
      new nn.Linear(4, 6),
      new nn.BatchNorm1d(6),
      new nn.ReLU(),
      new nn.Linear(6, 2),
    );
    model.train();
    model.call(d.randn([16, 4])); // running statistics that are not the defaults
    model.eval();
    check(model, d.randn([5, 4]), d.randint(0, 2, [5]), 'batchnorm');
  });

  it('functionalCall restores the module and names unknown parameters', () => {
    const model = new nn.Linear(2, 2);
    const w = model.weight;
    const out = nn.functionalCall(model, { weight: d.zeros([2, 2]) }, d.ones([1, 2]));
    assertClose(out, model.bias!.unsqueeze(0), 0, 0, 'zero weight');
    expect(model.weight).toBe(w);
    expect(() => nn.functionalCall(model, { wieght: d.zeros([2, 2]) }, d.ones([1, 2]))).toThrow(ValueError);
    expect(() => nn.functionalCall(model, { wieght: d.zeros([2, 2]) }, d.ones([1, 2]))).toThrow(
      /did you mean 'weight'/,
    );
  });
});
