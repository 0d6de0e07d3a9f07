/** `descend train`'s options: the optimizers and learning rates it offers, and the checked run config. */
import type { Tensor } from '../tensor/tensor.js';
import * as O from '../optim/index.js';
import * as S from '../schedules/index.js';
import { type ModelConfig, MODEL_NAMES } from './models.js';
import { choice, MAX_EPOCHS, num, usage } from './errors.js';
import { own } from '../errors.js';
import { mnistSizes } from '../io/mnist.js';

type Make = (p: Tensor[], o: { lr: number; weightDecay: number; momentum?: number }) => O.Optimizer<object>;
/** The trainer's default learning rates (for MNIST-sized MLPs); the classes come from the optim registry. */
const TRAIN_LR: Record<string, number> = {
  sgd: 0.1,
  momentum: 0.05,
  nesterov: 0.05,
  adagrad: 0.01,
  rmsprop: 1e-3,
  adadelta: 1.0,
  adam: 2e-3,
  adamw: 1e-3,
  adamax: 2e-3,
  nadam: 2e-3,
  radam: 1e-3,
  yogi: 1e-2,
  adabelief: 1e-3,
  lamb: 1e-3,
  lion: 1e-4,
  novograd: 1e-2,
  adan: 1e-3,
  signsgd: 1e-3,
};
/** Classes without a weight decay option: they get one only when the user asks (and then refuse it). */
const NO_WEIGHT_DECAY = new Set(['yogi', 'adabelief', 'signsgd']);
/**
 * Optimizers by name, with the trainer's default learning rates. `--weight-decay` (default 0) is passed
 * to every class that takes it (AdamW: 0.01 when 0), momentum only when set (the presets keep 0.9).
 */
export const TRAIN_OPTIMIZERS: Record<string, { lr: number; make: Make }> = Object.fromEntries(
  Object.entries(TRAIN_LR).map(([name, lr]) => [
    name,
    {
      lr,
      make: (p: Tensor[], o: { lr: number; weightDecay: number; momentum?: number }) =>
        O.makeOptimizer(name, p, {
          lr: o.lr,
          weightDecay: NO_WEIGHT_DECAY.has(name)
            ? o.weightDecay > 0
              ? o.weightDecay
              : undefined
            : name === 'adamw'
              ? o.weightDecay || 1e-2
              : o.weightDecay,
          momentum: o.momentum,
        }),
    },
  ]),
);
export interface TrainCliOptions {
  model: string;
  optimizer: string;
  lr?: string;
  momentum?: string;
  weightDecay: string;
  schedule?: string;
  batchSize: string;
  epochs?: string;
  dropout: string;
  labelSmoothing: string;
  augment: boolean;
  init: string;
  seed: string;
  dtype: string;
  trainSize?: string;
  testSize?: string;
  out?: string;
  save?: string;
  resume?: string;
  /** Checkpoint within an epoch every this many minutes (default 5). */
  checkpointMinutes?: string;
  /** The options typed on the command line (commander's attribute names); others are defaults. */
  given?: string[];
  progress?: boolean;
  /** false: skip the short timing of the backend in use against the JS backend. */
  speedProbe?: boolean;
  /** Differentially private training (DP-SGD), with its noise, clipping norm and δ. */
  dp?: boolean;
  noiseMultiplier?: string;
  maxGradNorm?: string;
  delta?: string;
}

export interface RunConfig extends ModelConfig {
  optimizer: string;
  lr: number;
  momentum?: number;
  weightDecay: number;
  schedule: S.ScheduleName;
  batchSize: number;
  epochs: number;
  labelSmoothing: number;
  augment: boolean;
  seed: number;
  /** Digits trained and tested on (all when absent), kept so that a resumed run sees the same data. */
  trainSize?: number;
  testSize?: number;
  /** The epochs the schedule spans, from epoch `scheduleStart` (a run extended with a new schedule). */
  scheduleEpochs?: number;
  scheduleStart?: number;
}

export function parseConfig(o: TrainCliOptions): RunConfig {
  const optimizer = o.optimizer.toLowerCase();
  if (!own(TRAIN_OPTIMIZERS, optimizer))
    usage(`unknown optimizer '${o.optimizer}'; choose from ${Object.keys(TRAIN_OPTIMIZERS).join(', ')}`);
  return {
    model: choice('--model', o.model, MODEL_NAMES),
    optimizer,
    lr: o.lr !== undefined ? num('--lr', o.lr, { min: 0 }) : TRAIN_OPTIMIZERS[optimizer].lr,
    momentum: o.momentum !== undefined ? num('--momentum', o.momentum, { min: 0, max: 1 }) : undefined,
    weightDecay: num('--weight-decay', o.weightDecay, { min: 0 }),
    schedule: choice('--schedule', o.schedule ?? 'cosine', S.SCHEDULE_NAMES),
    batchSize: num('--batch-size', o.batchSize, { int: true, min: 1 }),
    epochs: num('--epochs', o.epochs ?? '15', { int: true, min: 1, max: MAX_EPOCHS }),
    dropout: num('--dropout', o.dropout, { min: 0, max: 0.99 }),
    labelSmoothing: num('--label-smoothing', o.labelSmoothing, { min: 0, max: 1 }),
    augment: Boolean(o.augment),
    init: choice('--init', o.init, ['default', 'xavier', 'kaiming'] as const),
    seed: num('--seed', o.seed, { int: true }),
    dtype: choice('--dtype', o.dtype, ['float32', 'float64'] as const),
    trainSize: size('--train-size', o.trainSize, mnistSizes().train),
    testSize: size('--test-size', o.testSize, mnistSizes().test),
  };
}

function size(flag: string, v: string | undefined, max: number): number | undefined {
  return v === undefined ? undefined : num(flag, v, { int: true, min: 10, max });
}
