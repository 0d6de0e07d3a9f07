/**
 * `descend train`: digits from the `mnist` package, a report with pictures; a checkpoint every epoch (and
 * every few minutes), Ctrl-C saves and says how to resume, `--resume` continues exactly.
 */
import { dirname, join } from 'node:path';
import { noGrad } from '../autograd/mode.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../ops/composite/losses.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import * as S from '../schedules/index.js';
import { DataLoader, TensorDataset } from '../data/index.js';
import { type Callback, type FitState, accuracy, fit } from '../train/index.js';
import {
  checkpointProgress,
  loadCheckpoint,
  loadMnist,
  saveCheckpoint,
  writeFileAtomic,
} from '../io/index.js';
import { Interrupted, type RunControl } from './interrupt.js';
import { checkOutputs, progressOption } from './outputs.js';
import { buildModel } from './models.js';
import { randomShift } from './augment.js';
import { failIfDiverged, num, usage } from './errors.js';
import { backendSpeedup } from './speed.js';
import { backendInfo } from '../backends/registry.js';
import { dpTrainCommand } from './train-dp.js';
import { type RunConfig, type TrainCliOptions, TRAIN_OPTIMIZERS, parseConfig } from './train-config.js';

const kebab = (k: string) => k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
export const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
import { evaluate } from './evaluate.js';
import { buildReport, layerLabel } from './train-report.js';

/** Schedules that end (the rate reaches 0 or its floor): a finished run cannot go on with them. */
const ENDING_SCHEDULES: Record<string, string> = { cosine: 'reached 0', onecycle: 'ended' };
/** Flags a resumed run may change; the others are the checkpoint's. */
const RESUME_FLAGS = new Set([
  'resume',
  'epochs',
  'lr',
  'schedule',
  'out',
  'save',
  'progress',
  'speedProbe',
  'backend',
  'checkpointMinutes',
]);
/** Flags that are config fields (the rest say where to write or how to print). */
const CONFIG_FLAGS: Record<string, keyof RunConfig> = {
  model: 'model',
  optimizer: 'optimizer',
  momentum: 'momentum',
  weightDecay: 'weightDecay',
  batchSize: 'batchSize',
  dropout: 'dropout',
  labelSmoothing: 'labelSmoothing',
  augment: 'augment',
  init: 'init',
  seed: 'seed',
  dtype: 'dtype',
  trainSize: 'trainSize',
  testSize: 'testSize',
};

/** What a training checkpoint's progress holds. */
interface TrainProgress {
  config: RunConfig;
  epoch: number;
  fit: FitState;
  report: ReportData;
}
interface ReportData {
  lrs: number[];
  gradNorms: Record<string, number[]>;
  gradSteps: number[];
  step: number;
}

/** The saved run of `--resume`, checked: its config and fit state, or a one-line refusal. */
function readResume(path: string): TrainProgress {
  const p = checkpointProgress(path);
  const cfg = p.config as Record<string, unknown> | undefined;
  if (cfg && typeof cfg === 'object' && 'train' in cfg)
    usage(`'${path}' is a descend lm checkpoint; continue it with descend lm --resume ${path}`);
  if (!cfg || typeof p.fit !== 'object' || p.fit === null)
    usage(`'${path}' is not a resumable descend train checkpoint (no run configuration and progress)`);
  return p as unknown as TrainProgress;
}

export function trainCommand(
  o: TrainCliOptions,
  log: (s: string) => void,
  control?: RunControl,
): { testAccuracy: number; seconds: number; epsilon?: number } {
  if (o.dp) {
    if (o.resume) usage('--dp runs cannot --resume (the accountant would restart at ε = 0)');
    return dpTrainCommand(o, TRAIN_OPTIMIZERS, evaluate, log);
  }
  let c = parseConfig(o);
  let saved: TrainProgress | null = null;
  let newSchedule = false;
  if (o.resume) {
    saved = readResume(o.resume);
    const given = new Set(o.given ?? []);
    for (const k of given) {
      const field = CONFIG_FLAGS[k];
      if (RESUME_FLAGS.has(k) || !field) continue;
      if (JSON.stringify(c[field]) !== JSON.stringify(saved.config[field]))
        usage(
          `--${kebab(k)} ${String(c[field])} differs from the resumed run's ${String(saved.config[field])}: a resumed run keeps its configuration (only --epochs, --lr and --schedule may change)`,
        );
    }
    const s = saved.config;
    const done = saved.fit.epoch;
    const total = o.epochs !== undefined ? c.epochs : s.epochs;
    const h = saved.fit.history;
    if (h.stoppedEarly && !h.interrupted)
      usage(
        `'${o.resume}' is a run that stopped early at epoch ${done} (${h.stopReason ?? ''}): nothing to resume`,
      );
    const midEpoch = saved.fit.step > 0;
    if (total <= done)
      usage(
        total === s.epochs && !midEpoch
          ? `'${o.resume}' has finished all ${done} epochs of its run: pass --epochs greater than ${done} to train on`
          : `--epochs ${total} is not more than the ${done} epochs '${o.resume}' has finished`,
      );
    const span = (s.scheduleStart ?? 0) + (s.scheduleEpochs ?? s.epochs);
    const changes = o.lr !== undefined || o.schedule !== undefined;
    if (total > span && ENDING_SCHEDULES[s.schedule] && !changes)
      usage(
        `the ${s.schedule} schedule ${ENDING_SCHEDULES[s.schedule]} at epoch ${span}: give --schedule or --lr to continue`,
      );
    newSchedule = changes;
    c = {
      ...s,
      epochs: total,
      ...(changes
        ? {
            lr: o.lr !== undefined ? c.lr : s.lr,
            schedule: o.schedule !== undefined ? c.schedule : s.schedule,
            scheduleStart: done,
            scheduleEpochs: total - done,
          }
        : {}),
    };
    if (newSchedule && midEpoch)
      usage(
        `'${o.resume}' stopped mid-epoch: resume it to the end of epoch ${done + 1} before changing --lr or --schedule`,
      );
  }
  const out = o.out ?? (o.resume ? dirname(o.resume) : 'descend-run');
  const save = o.save ?? (o.resume && o.out === undefined ? o.resume : join(out, 'model.safetensors'));
  const report = join(out, 'report.html');
  // Every path the run writes is checked before it trains.
  checkOutputs([
    ['--out', out, 'dir'],
    ['--save', save, 'file'],
    ['the report', report, 'file'],
  ]);
  control?.announceOutputs?.([out, save]);

  manualSeed(c.seed);
  const g = new Generator(c.seed);
  const t0 = Date.now();
  const data = loadMnist({ trainSize: c.trainSize, testSize: c.testSize });
  const cast = (t: Tensor) => (c.dtype === 'float64' ? t.to('float64') : t);
  const [trainX, testX] = [cast(data.trainX), cast(data.testX)];
  const model = buildModel(c);
  const opt = TRAIN_OPTIMIZERS[c.optimizer].make(model.parameters(), {
    lr: c.lr,
    weightDecay: c.weightDecay,
    momentum: c.momentum,
  });
  if (o.resume) loadCheckpoint(o.resume, model, { optimizer: opt });
  if (newSchedule)
    for (const grp of opt.paramGroups as unknown as { lr: number; initialLr?: number }[])
      grp.lr = grp.initialLr = c.lr;
  const loader = new DataLoader(new TensorDataset(trainX, data.trainY), {
    batchSize: c.batchSize,
    shuffle: true,
    generator: g,
    transform: c.augment ? ([x, y], gen) => [randomShift(x, gen), y] : undefined,
  });
  const { scheduler, interval } = S.makeSchedule(c.schedule, opt, {
    epochs: c.scheduleEpochs ?? c.epochs,
    stepsPerEpoch: loader.length,
    lr: c.lr,
  });
  const resumeFrom = saved
    ? { ...saved.fit, scheduler: newSchedule ? null : saved.fit.scheduler }
    : undefined;
  const done = saved?.fit.epoch ?? 0;
  log(
    `descend train: ${c.model} on ${trainX.shape[0]} digits (test ${testX.shape[0]}), ${c.optimizer} lr ${c.lr}, batch ${c.batchSize}, ${c.epochs} ${plural(c.epochs, 'epoch')}, ${model.numParameters()} parameters` +
      (saved
        ? `; resumed after epoch ${done}${saved.fit.step ? `, step ${saved.fit.step}` : ''} from ${o.resume}`
        : ''),
  );

  const rec: ReportData = saved?.report ?? { lrs: [], gradNorms: {}, gradSteps: [], step: 0 };
  const weights = model
    .namedParameters()
    .filter(([n, p]) => n.endsWith('weight') && p.shape.length >= 2)
    .map(([n, p]) => [layerLabel(model, n, p), p] as const);
  const recorder: Callback = {
    onBatchEnd: () => {
      rec.step++;
      rec.lrs.push((opt.paramGroups[0] as unknown as { lr: number }).lr);
      if (rec.step % 10 === 1) {
        rec.gradSteps.push(rec.step);
        for (const [name, p] of weights)
          (rec.gradNorms[name] ??= []).push(p.grad ? noGrad(() => vectorNorm(p.grad!).item()) : 0);
      }
    },
  };
  const minutes = num('--checkpoint-minutes', o.checkpointMinutes ?? '5', { min: 0.01 });
  const writeCheckpoint = (state: FitState) =>
    saveCheckpoint(save, model, {
      optimizer: opt,
      progress: { config: c, epoch: state.epoch, fit: state, report: rec },
    });
  const history = fit(model, {
    loss: (out, y) => crossEntropy(out, y, { labelSmoothing: c.labelSmoothing }),
    optimizer: opt,
    data: loader,
    validation: new DataLoader(new TensorDataset(testX, data.testY), { batchSize: 500 }),
    epochs: c.epochs,
    metrics: { accuracy },
    scheduler: scheduler ?? undefined,
    schedulerInterval: interval,
    callbacks: [recorder],
    progress: progressOption(o.progress),
    resumeFrom,
    shouldStop: control ? () => control.stopRequested() !== null : undefined,
    onCheckpoint: writeCheckpoint,
    checkpointEveryMs: minutes * 60_000,
  });
  const signal = control?.stopRequested();
  if (history.interrupted && signal) {
    const at = history.interrupted;
    throw new Interrupted(
      signal,
      `${signal}: stopped ${at.step ? `at epoch ${at.epoch}, step ${at.step} of ${loader.length}` : `after epoch ${at.epoch - 1}`}; saved ${save}; resume with: descend train --resume ${save}`,
    );
  }
  failIfDiverged(history, `; try a smaller --lr than ${c.lr}`);
  const seconds = (Date.now() - t0) / 1000;
  const ev = evaluate(model, testX, data.testY);
  const trainEv = evaluate(model, trainX, data.trainY);

  writeFileAtomic(
    report,
    buildReport(c, model, history, rec, ev, trainEv.accuracy, testX, seconds, history.stopReason),
    'descend train',
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
    ['epochs', saved ? `${c.epochs} (${done} before resuming)` : String(c.epochs)],
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
