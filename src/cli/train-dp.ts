/**
 * `descend train --dp`: DP-SGD on the digits (Opacus's recipe): Poisson batches of expected size
 * --batch-size, per-example gradients clipped to --max-grad-norm, Gaussian noise of --noise-multiplier
 * times that norm, the optimizer's step on the result; ε at --delta from the RDP accountant after every
 * epoch. Dropout and augmentation are off (per-example randomness inside vmap is not supported), and a
 * checkpoint is saved; no HTML report.
 */
import { join } from 'node:path';
import { checkOutputs } from './outputs.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../ops/composite/losses.js';
import { loadMnist, saveCheckpoint } from '../io/index.js';
import { DPOptimizer } from '../privacy/index.js';
import { buildModel, MODEL_NAMES } from './models.js';
import { choice, MAX_EPOCHS, num, RunFailure } from './errors.js';
import type { TrainCliOptions } from './train-config.js';

/** The `descend train` flags a private run reads. */
export type DpCliOptions = Pick<
  TrainCliOptions,
  | 'model'
  | 'optimizer'
  | 'lr'
  | 'momentum'
  | 'batchSize'
  | 'epochs'
  | 'seed'
  | 'dtype'
  | 'trainSize'
  | 'testSize'
  | 'out'
  | 'save'
  | 'noiseMultiplier'
  | 'maxGradNorm'
  | 'delta'
>;

type Make = (
  params: Tensor[],
  o: { lr: number; momentum?: number; weightDecay: number },
) => {
  step(): unknown;
  zeroGrad(): void;
};

/** Trains privately; returns the test accuracy and the ε spent. */
export function dpTrainCommand(
  o: DpCliOptions,
  optimizers: Record<string, { lr: number; make: Make }>,
  evaluate: (
    model: import('../nn/module.js').Module,
    x: Tensor,
    y: Tensor,
  ) => { accuracy: number; loss: number },
  log: (s: string) => void,
): { testAccuracy: number; epsilon: number; seconds: number } {
  const model = choice('--model', o.model, MODEL_NAMES);
  const optimizer = choice('--optimizer', o.optimizer, Object.keys(optimizers));
  const out = o.out ?? 'descend-run';
  const save = o.save ?? join(out, 'model.safetensors');
  checkOutputs([
    ['--out', out, 'dir'],
    ['--save', save, 'file'],
  ]);
  const sigma = num('--noise-multiplier', o.noiseMultiplier ?? '1.1', { min: 0 });
  const C = num('--max-grad-norm', o.maxGradNorm ?? '1.0', { min: 1e-12 });
  const delta = num('--delta', o.delta ?? '1e-5', { min: 1e-300, max: 0.5 });
  const batch = num('--batch-size', o.batchSize, { int: true, min: 1 });
  const epochs = num('--epochs', o.epochs ?? '15', { int: true, min: 1, max: MAX_EPOCHS });
  const seed = num('--seed', o.seed, { int: true });
  const dtype = choice('--dtype', o.dtype, ['float32', 'float64'] as const);
  const lr = o.lr !== undefined ? num('--lr', o.lr, { min: 0 }) : optimizers[optimizer].lr;
  const momentum = o.momentum !== undefined ? num('--momentum', o.momentum, { min: 0, max: 1 }) : undefined;
  manualSeed(seed);
  const g = new Generator(seed);
  const t0 = Date.now();
  const data = loadMnist({
    trainSize: o.trainSize ? num('--train-size', o.trainSize, { int: true, min: 10 }) : undefined,
    testSize: o.testSize ? num('--test-size', o.testSize, { int: true, min: 10 }) : undefined,
  });
  const cast = (t: Tensor) => (dtype === 'float64' ? t.to('float64') : t);
  const [trainX, testX] = [cast(data.trainX), cast(data.testX)];
  const n = trainX.shape[0];
  if (batch > n) throw new RunFailure(`--batch-size ${batch} is larger than the ${n} training digits`);
  const net = buildModel({ model, dropout: 0, init: 'default', dtype });
  const opt = optimizers[optimizer].make(net.parameters(), { lr, momentum, weightDecay: 0 });
  const dp = new DPOptimizer(
    net,
    opt,
    { noiseMultiplier: sigma, maxGradNorm: C, expectedBatchSize: batch, generator: g },
    { datasetSize: n },
  );
  const stepsPerEpoch = Math.round(n / batch);
  log(
    `descend train --dp: ${model} on ${n} digits, ${optimizer} lr ${lr}, expected batch ${batch} (Poisson, q = ${(batch / n).toPrecision(3)}), ` +
      `noise multiplier ${sigma}, max grad norm ${C}, ${epochs} epochs of ${stepsPerEpoch} steps, δ = ${delta}`,
  );
  let acc = 0;
  for (let e = 1; e <= epochs; e++) {
    net.train();
    let lossSum = 0;
    let counted = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const [xb, yb] = dp.sample([trainX, data.trainY], g);
      const l = dp.step((out, y) => crossEntropy(out, y), xb, yb);
      if (Number.isFinite(l)) {
        lossSum += l;
        counted++;
      }
    }
    const ev = evaluate(net, testX, data.testY);
    acc = ev.accuracy;
    if (!Number.isFinite(ev.loss))
      throw new RunFailure(
        `training diverged in epoch ${e} (test loss ${ev.loss}); try a smaller --lr than ${lr}`,
      );
    log(
      `  epoch ${e}/${epochs}  train loss ${(lossSum / Math.max(1, counted)).toFixed(4)}  test accuracy ${(100 * acc).toFixed(2)}%  ε = ${dp.epsilon(delta).toFixed(2)} (δ = ${delta})`,
    );
  }
  const epsilon = dp.epsilon(delta);
  const seconds = (Date.now() - t0) / 1000;
  saveCheckpoint(save, net, {
    progress: {
      dp: { noiseMultiplier: sigma, maxGradNorm: C, delta, epsilon, epochs, expectedBatchSize: batch },
    },
  });
  log(
    `  test accuracy  ${(100 * acc).toFixed(2)}%\n  privacy        ε = ${epsilon.toFixed(2)} at δ = ${delta} (RDP accountant, ${dp.accountant.steps} steps)\n  wall time      ${seconds.toFixed(1)} s\n  checkpoint     ${save}`,
  );
  return { testAccuracy: acc, epsilon, seconds };
}
