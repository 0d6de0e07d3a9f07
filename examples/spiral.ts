/**
 * Trains a 2-64-64-3 ReLU network on the lectures' 3-class spiral (300 points) with Adam, through the
 * whole toolkit: toy data, DataLoader, Sequential, fit with metrics and a progress bar.
 * Run: npx tsx examples/spiral.ts
 */
import { Generator, type Tensor, crossEntropy, manualSeed } from '../src/index.js';
import { Linear, ReLU, Sequential } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { DataLoader, TensorDataset, spiral } from '../src/data/index.js';
import { accuracy, fit } from '../src/train/index.js';

export function trainSpiral(opts: { epochs?: number; progress?: boolean; seed?: number } = {}) {
  manualSeed(opts.seed ?? 0);
  const g = new Generator(opts.seed ?? 0);
  const { x, y } = spiral({ nPerClass: 100, classes: 3, noise: 0.2, generator: g });
  const model = new Sequential(
    new Linear(2, 64),
    new ReLU(),
    new Linear(64, 64),
    new ReLU(),
    new Linear(64, 3),
  );
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true, generator: g });
  const history = fit(model, {
    loss: crossEntropy,
    optimizer: new Adam(model.parameters(), { lr: 0.01 }),
    data: loader,
    epochs: opts.epochs ?? 150,
    metrics: { accuracy },
    progress: opts.progress ?? true,
  });
  model.eval();
  return { model, history, trainAccuracy: accuracy(model.call(x) as Tensor, y) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const { trainAccuracy } = trainSpiral();
  console.log(
    `training accuracy ${(100 * trainAccuracy).toFixed(1)}% in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
}
