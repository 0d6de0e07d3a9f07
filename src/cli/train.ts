/** `descend train`: digits from the `mnist` package, a report with pictures. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '../autograd/mode.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../ops/composite/losses.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import * as S from '../schedules/index.js';
import { DataLoader, TensorDataset } from '../data/index.js';
import { type Callback, type History, accuracy, fit } from '../train/index.js';
import { CheckpointError, loadCheckpoint, loadMnist, loadSafetensors, saveCheckpoint } from '../io/index.js';
import { buildModel } from './models.js';
import { randomShift } from './augment.js';
import { failIfDiverged, num, usage } from './errors.js';
import { backendSpeedup } from './speed.js';
import { backendInfo } from '../backends/registry.js';
import { dpTrainCommand } from './train-dp.js';
import { type RunConfig, type TrainCliOptions, TRAIN_OPTIMIZERS, parseConfig } from './train-config.js';
import { evaluate } from './evaluate.js';
import { buildReport, layerLabel } from './train-report.js';

export function trainCommand(
  o: TrainCliOptions,
  log: (s: string) => void,
): { testAccuracy: number; seconds: number; epsilon?: number } {
  if (o.dp) {
    if (o.resume) usage('--dp runs cannot --resume (the accountant would restart at ε = 0)');
    return dpTrainCommand(o, TRAIN_OPTIMIZERS, evaluate, log);
  }
  let c = parseConfig(o);
  let startEpoch = 0;
  let prior: History | null = null;
  let hasLoaderRng = false;
  if (o.resume) {
    const { metadata } = loadSafetensors(o.resume);
    // The loader's shuffling generator continues where the saved run stopped (older checkpoints lack it).
    hasLoaderRng = (metadata.rng ?? '').includes('"loader"');
    if (!metadata.progress)
      throw new CheckpointError(
        'resume',
        `'${o.resume}' is not a descend training checkpoint (no progress metadata)`,
      );
    const saved = JSON.parse(metadata.progress) as { config: RunConfig; epoch: number; history: History };
    c = { ...saved.config, epochs: c.epochs };
    startEpoch = saved.epoch;
    prior = saved.history;
  }
  manualSeed(c.seed);
  const g = new Generator(c.seed);
  const t0 = Date.now();
  const data = loadMnist({
    trainSize: o.trainSize ? num('--train-size', o.trainSize, { int: true, min: 10 }) : undefined,
    testSize: o.testSize ? num('--test-size', o.testSize, { int: true, min: 10 }) : undefined,
  });
  const cast = (t: Tensor) => (c.dtype === 'float64' ? t.to('float64') : t);
  const [trainX, testX] = [cast(data.trainX), cast(data.testX)];
  const model = buildModel(c);
  const opt = TRAIN_OPTIMIZERS[c.optimizer].make(model.parameters(), {
    lr: c.lr,
    weightDecay: c.weightDecay,
    momentum: c.momentum,
  });
  if (o.resume)
    loadCheckpoint(o.resume, model, { optimizer: opt, generators: hasLoaderRng ? { loader: g } : {} });
  const loader = new DataLoader(new TensorDataset(trainX, data.trainY), {
    batchSize: c.batchSize,
    shuffle: true,
    generator: g,
    transform: c.augment ? ([x, y], gen) => [randomShift(x, gen), y] : undefined,
  });
  const remaining = c.epochs - startEpoch;
  if (remaining <= 0)
    usage(`the checkpoint is already at epoch ${startEpoch}; pass --epochs greater than that to continue`);
  const { scheduler, interval } = S.makeSchedule(c.schedule, opt, {
    epochs: remaining,
    stepsPerEpoch: loader.length,
    lr: c.lr,
  });
  log(
    `descend train: ${c.model} on ${trainX.shape[0]} digits (test ${testX.shape[0]}), ${c.optimizer} lr ${c.lr}, batch ${c.batchSize}, ${remaining} epochs, ${model.numParameters()} parameters`,
  );

  const lrs: number[] = [];
  const gradNorms: Record<string, number[]> = {};
  const gradSteps: number[] = [];
  const weights = model
    .namedParameters()
    .filter(([n, p]) => n.endsWith('weight') && p.shape.length >= 2)
    .map(([n, p]) => [layerLabel(model, n, p), p] as const);
  let step = 0;
  const recorder: Callback = {
    onBatchEnd: () => {
      step++;
      lrs.push((opt.paramGroups[0] as unknown as { lr: number }).lr);
      if (step % 10 === 1) {
        gradSteps.push(step);
        for (const [name, p] of weights)
          (gradNorms[name] ??= []).push(p.grad ? noGrad(() => vectorNorm(p.grad!).item()) : 0);
      }
    },
  };
  const history = fit(model, {
    loss: (out, y) => crossEntropy(out, y, { labelSmoothing: c.labelSmoothing }),
    optimizer: opt,
    data: loader,
    validation: new DataLoader(new TensorDataset(testX, data.testY), { batchSize: 500 }),
    epochs: remaining,
    metrics: { accuracy },
    scheduler: scheduler ?? undefined,
    schedulerInterval: interval,
    callbacks: [recorder],
    progress: o.progress === false ? false : undefined,
  });
  failIfDiverged(history, `; try a smaller --lr than ${c.lr}`);
  const all: History = prior
    ? {
        ...history,
        epochs: [...prior.epochs, ...history.epochs.map((e) => ({ ...e, epoch: e.epoch + startEpoch }))],
      }
    : history;
  const seconds = (Date.now() - t0) / 1000;
  const ev = evaluate(model, testX, data.testY);
  const trainEv = evaluate(model, trainX, data.trainY);

  mkdirSync(o.out, { recursive: true });
  const save = o.save ?? join(o.out, 'model.safetensors');
  saveCheckpoint(save, model, {
    optimizer: opt,
    generators: { loader: g },
    progress: { config: c, epoch: c.epochs, history: all },
  });
  const report = join(o.out, 'report.html');
  writeFileSync(
    report,
    buildReport(
      c,
      model,
      all,
      { lrs, gradNorms, gradSteps },
      ev,
      trainEv.accuracy,
      testX,
      seconds,
      history.stopReason,
    ),
  );
  const info = backendInfo();
  const speed =
    o.speedProbe === false
      ? null
      : backendSpeedup(
          () => {
            const m = buildModel(c);
            const opt = TRAIN_OPTIMIZERS[c.optimizer].make(m.parameters(), {
              lr: c.lr,
              weightDecay: c.weightDecay,
              momentum: c.momentum,
            });
            return { model: m, opt };
          },
          trainX.narrow(0, 0, Math.min(c.batchSize, trainX.shape[0])),
          data.trainY.narrow(0, 0, Math.min(c.batchSize, trainX.shape[0])),
        );
  const rows: [string, string][] = [
    ['backend', `${info.name} (${info.reason})`],
    ...(speed
      ? ([
          [
            `${speed.backend} speed-up`,
            `${speed.ratio.toFixed(1)}x over the js backend (${speed.current.toFixed(0)} vs ${speed.js.toFixed(0)} samples/s, ${speed.steps} steps of batch ${c.batchSize} each)`,
          ],
        ] as [string, string][])
      : []),
    ['model', `${c.model} (${model.numParameters()} parameters)`],
    ['optimizer', `${c.optimizer}, lr ${c.lr}, schedule ${c.schedule}`],
    ['epochs', String(c.epochs)],
    ['train accuracy', `${(100 * trainEv.accuracy).toFixed(2)}%`],
    ['test accuracy', `${(100 * ev.accuracy).toFixed(2)}%`],
    ['test loss', ev.loss.toFixed(4)],
    ['wall time', `${seconds.toFixed(1)} s`],
    ['checkpoint', save],
    ['report', report],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  log(rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n'));
  if (history.stopReason) log(`note: ${history.stopReason}`);
  return { testAccuracy: ev.accuracy, seconds };
}
