/** `descend train`, `eval` and `predict`: digits from the `mnist` package, a report with pictures. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '../autograd/mode.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { argmax } from '../ops/primitives/reduce.js';
import { crossEntropy } from '../ops/composite/losses.js';
import { softmax } from '../ops/composite/softmax.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import * as nn from '../nn/index.js';
import * as O from '../optim/index.js';
import * as S from '../schedules/index.js';
import { DataLoader, TensorDataset } from '../data/index.js';
import { type Callback, type History, accuracy, fit } from '../train/index.js';
import { CheckpointError, loadCheckpoint, loadMnist, loadSafetensors, saveCheckpoint } from '../io/index.js';
import { htmlPage, htmlTable, heatmap, imageGrid, lineChart } from '../plot/svg.js';
import { type ModelConfig, MODEL_NAMES, buildModel } from './models.js';
import { randomShift } from './augment.js';
import { RunFailure, choice, failIfDiverged, num, usage } from './errors.js';
import { backendSpeedup } from './speed.js';
import { backendInfo } from '../backends/registry.js';
import { dpTrainCommand } from './train-dp.js';

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
export const SCHEDULES = ['none', 'cosine', 'step', 'exponential', 'onecycle'] as const;

export interface TrainCliOptions {
  model: string;
  optimizer: string;
  lr?: string;
  momentum?: string;
  weightDecay: string;
  schedule: string;
  batchSize: string;
  epochs: string;
  dropout: string;
  labelSmoothing: string;
  augment: boolean;
  init: string;
  seed: string;
  dtype: string;
  trainSize?: string;
  testSize?: string;
  out: string;
  save?: string;
  resume?: string;
  progress?: boolean;
  /** false: skip the short timing of the backend in use against the JS backend. */
  speedProbe?: boolean;
  /** Differentially private training (DP-SGD), with its noise, clipping norm and δ. */
  dp?: boolean;
  noiseMultiplier?: string;
  maxGradNorm?: string;
  delta?: string;
}

interface RunConfig extends ModelConfig {
  optimizer: string;
  lr: number;
  momentum?: number;
  weightDecay: number;
  schedule: (typeof SCHEDULES)[number];
  batchSize: number;
  epochs: number;
  labelSmoothing: number;
  augment: boolean;
  seed: number;
}

function parseConfig(o: TrainCliOptions): RunConfig {
  const optimizer = o.optimizer.toLowerCase();
  if (!TRAIN_OPTIMIZERS[optimizer])
    usage(`unknown optimizer '${o.optimizer}'; choose from ${Object.keys(TRAIN_OPTIMIZERS).join(', ')}`);
  return {
    model: choice('--model', o.model, MODEL_NAMES),
    optimizer,
    lr: o.lr !== undefined ? num('--lr', o.lr, { min: 0 }) : TRAIN_OPTIMIZERS[optimizer].lr,
    momentum: o.momentum !== undefined ? num('--momentum', o.momentum, { min: 0, max: 1 }) : undefined,
    weightDecay: num('--weight-decay', o.weightDecay, { min: 0 }),
    schedule: choice('--schedule', o.schedule, SCHEDULES),
    batchSize: num('--batch-size', o.batchSize, { int: true, min: 1 }),
    epochs: num('--epochs', o.epochs, { int: true, min: 1 }),
    dropout: num('--dropout', o.dropout, { min: 0, max: 0.99 }),
    labelSmoothing: num('--label-smoothing', o.labelSmoothing, { min: 0, max: 1 }),
    augment: Boolean(o.augment),
    init: choice('--init', o.init, ['default', 'xavier', 'kaiming'] as const),
    seed: num('--seed', o.seed, { int: true }),
    dtype: choice('--dtype', o.dtype, ['float32', 'float64'] as const),
  };
}

function makeScheduler(
  c: RunConfig,
  opt: O.Optimizer<object>,
  stepsPerEpoch: number,
): { s: S.LRScheduler | null; perStep: boolean } {
  const total = c.epochs * stepsPerEpoch;
  switch (c.schedule) {
    case 'cosine':
      return { s: new S.CosineAnnealingLR(opt, { tMax: total }), perStep: true };
    case 'step':
      return {
        s: new S.StepLR(opt, { stepSize: Math.max(1, Math.floor(c.epochs / 3)), gamma: 0.3 }),
        perStep: false,
      };
    case 'exponential':
      return { s: new S.ExponentialLR(opt, { gamma: 0.9 }), perStep: false };
    case 'onecycle':
      return {
        s: new S.OneCycleLR(opt, {
          maxLr: c.lr,
          totalSteps: total,
          cycleMomentum: 'momentum' in opt.defaults || 'betas' in opt.defaults,
        }),
        perStep: true,
      };
    default:
      return { s: null, perStep: false };
  }
}

function predictAll(model: nn.Module, x: Tensor, batch = 500): Tensor[] {
  const outs: Tensor[] = [];
  noGrad(() => {
    model.eval();
    for (let i = 0; i < x.shape[0]; i += batch)
      outs.push(model.call(x.narrow(0, i, Math.min(batch, x.shape[0] - i))) as Tensor);
  });
  return outs;
}

function evaluate(model: nn.Module, x: Tensor, y: Tensor) {
  const outs = predictAll(model, x);
  let loss = 0;
  const preds: number[] = [];
  let off = 0;
  for (const o of outs) {
    const yb = y.narrow(0, off, o.shape[0]);
    loss += crossEntropy(o, yb).item() * o.shape[0];
    preds.push(...Array.from(argmax(o, 1).dataSync()));
    off += o.shape[0];
  }
  const truth = Array.from(y.dataSync());
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  truth.forEach((t, i) => {
    confusion[t][preds[i]]++;
    if (t === preds[i]) correct++;
  });
  return { loss: loss / truth.length, accuracy: correct / truth.length, preds, truth, confusion };
}

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
  const { s: scheduler, perStep } = makeScheduler({ ...c, epochs: remaining }, opt, loader.length);
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
    schedulerInterval: perStep ? 'step' : 'epoch',
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

/** The backend that ran, in words: 'native (OpenBLAS ...)', 'wasm (SIMD, 2 threads)' or 'js'. */
function backendLine(): string {
  const info = backendInfo();
  const detail = info.name === 'native' ? info.native : info.name === 'wasm' ? info.wasm : info.reason;
  return `${info.name}: ${detail.replace(/^loaded \((.*)\)$/, '$1')}`;
}

/**
 * A weight's name for people: 'layer 1: Linear 784→256' rather than '0.weight' (the module's type and
 * its input→output sizes, counted from 1 in the order of the model).
 */
function layerLabel(model: nn.Module, name: string, p: Tensor): string {
  const path = name.slice(0, -'.weight'.length);
  const modules = [...model.namedModules()].filter(
    ([, m]) => m.parameters().length && ![...m.namedChildren()].length,
  );
  const k = modules.findIndex(([n]) => n === path);
  const type = modules[k]?.[1].constructor.name ?? 'layer';
  const [out, inp, ...kernel] = p.shape;
  const size = `${inp}→${out}${kernel.length ? ` ${kernel.join('x')}` : ''}`;
  return `layer ${k + 1}: ${type} ${size}`;
}

function buildReport(
  c: RunConfig,
  model: nn.Module,
  h: History,
  rec: { lrs: number[]; gradNorms: Record<string, number[]>; gradSteps: number[] },
  ev: ReturnType<typeof evaluate>,
  trainAcc: number,
  testX: Tensor,
  seconds: number,
  stopReason?: string,
): string {
  const ep = h.epochs.map((e) => e.epoch);
  const lossChart = lineChart(
    [
      { name: 'train', x: ep, y: h.epochs.map((e) => e.loss) },
      { name: 'test', x: ep, y: h.epochs.map((e) => e.valLoss ?? NaN), dashed: true },
    ],
    { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy' },
  );
  const accChart = lineChart(
    [
      { name: 'train', x: ep, y: h.epochs.map((e) => 100 * (e.metrics.accuracy ?? NaN)) },
      { name: 'test', x: ep, y: h.epochs.map((e) => 100 * (e.valMetrics?.accuracy ?? NaN)), dashed: true },
    ],
    { title: 'Accuracy', xLabel: 'epoch', yLabel: '%' },
  );
  const lrChart = lineChart([{ name: 'lr', x: rec.lrs.map((_, i) => i + 1), y: rec.lrs }], {
    title: 'Learning rate',
    xLabel: 'step',
    yLabel: 'lr',
  });
  const gradChart = lineChart(
    Object.entries(rec.gradNorms).map(([name, v]) => ({ name, x: rec.gradSteps, y: v })),
    { title: 'Gradient norm per layer', xLabel: 'step', yLabel: '||grad W||', logY: true },
  );
  const conf = heatmap(ev.confusion, {
    title: 'Confusion matrix (test)',
    rowLabel: 'true digit',
    colLabel: 'predicted digit',
  });
  const wrong = ev.truth
    .map((t, i) => i)
    .filter((i) => ev.truth[i] !== ev.preds[i])
    .slice(0, 40);
  const pix = testX.dataSync();
  const grid = imageGrid(
    wrong.map((i) => ({
      pixels: pix.subarray(i * 784, (i + 1) * 784),
      caption: `pred ${ev.preds[i]} / true ${ev.truth[i]}`,
      captionColor: '#b00',
    })),
    {
      title: `Misclassified test digits (${ev.truth.length - Math.round(ev.accuracy * ev.truth.length)} of ${ev.truth.length}; first ${wrong.length} shown)`,
      columns: 8,
      scale: 3,
    },
  );
  const table = htmlTable(
    ['setting', 'value'],
    [
      ['model', `${c.model}, ${model.numParameters()} parameters, init ${c.init}, dropout ${c.dropout}`],
      ['backend', backendLine()],
      ['optimizer', `${c.optimizer}, lr ${c.lr}, weight decay ${c.weightDecay}, schedule ${c.schedule}`],
      ['batch size / epochs', `${c.batchSize} / ${c.epochs}`],
      [
        'label smoothing / augmentation',
        `${c.labelSmoothing} / ${c.augment ? 'random shifts of up to 2 px' : 'none'}`,
      ],
      ['train accuracy', `${(100 * trainAcc).toFixed(2)}%`],
      ['test accuracy', `${(100 * ev.accuracy).toFixed(2)}%`],
      ['test loss', ev.loss.toFixed(4)],
      ['wall time', `${seconds.toFixed(1)} s`],
    ],
  );
  const layers = `<pre>${model.toString().replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>`;
  return htmlPage(
    `descend train: ${c.model} on MNIST digits, ${(100 * ev.accuracy).toFixed(2)}% test accuracy`,
    `<div class="row">${table}${layers}</div>${stopReason ? `<p class="note">${stopReason}</p>` : ''}
<h2>Training curves</h2><div class="row">${lossChart}${accChart}</div>
<h2>Learning rate and gradient health</h2><div class="row">${lrChart}${gradChart}</div>
<h2>Errors</h2><div class="row">${conf}</div><div class="row">${grid}</div>`,
  );
}

export function evalCommand(o: { checkpoint: string; testSize?: string }, log: (s: string) => void): void {
  const { model, config } = loadModel(o.checkpoint);
  const data = loadMnist({
    testSize: o.testSize ? num('--test-size', o.testSize, { int: true, min: 10 }) : undefined,
  });
  const x = config.dtype === 'float64' ? data.testX.to('float64') : data.testX;
  const ev = evaluate(model, x, data.testY);
  if (!Number.isFinite(ev.loss))
    throw new RunFailure(
      `the test loss of '${o.checkpoint}' is ${ev.loss}: its weights hold NaN or Inf (a diverged run?)`,
    );
  log(
    `test accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.truth.length} digits), loss ${ev.loss.toFixed(4)}`,
  );
  const per = ev.confusion.map(
    (row, d) =>
      `${d}: ${(
        (100 * row[d]) /
        Math.max(
          1,
          row.reduce((a, b) => a + b, 0),
        )
      ).toFixed(1)}%`,
  );
  log(`per digit: ${per.join('  ')}`);
}

function loadModel(path: string): { model: nn.Module; config: RunConfig } {
  const { metadata } = loadSafetensors(path);
  if (!metadata.progress)
    throw new CheckpointError(
      'loadCheckpoint',
      `'${path}' is not a descend training checkpoint (no progress metadata)`,
    );
  let config: RunConfig;
  try {
    config = (JSON.parse(metadata.progress) as { config: RunConfig }).config;
  } catch {
    throw new CheckpointError('loadCheckpoint', `'${path}' has unreadable progress metadata`);
  }
  if (!config || !MODEL_NAMES.includes(config.model))
    throw new CheckpointError('loadCheckpoint', `'${path}' does not say which model it holds`);
  const model = buildModel(config);
  loadCheckpoint(path, model);
  model.eval();
  return { model, config };
}

function ascii(pixels: ArrayLike<number>): string {
  const shades = ' .:-=+*#%@';
  const lines: string[] = [];
  for (let r = 0; r < 28; r += 2) {
    let s = '';
    for (let c = 0; c < 28; c++)
      s += shades[Math.min(9, Math.floor(Math.max(pixels[r * 28 + c], pixels[(r + 1) * 28 + c]) * 9.99))];
    lines.push(s);
  }
  return lines.join('\n');
}

export function predictCommand(
  o: { checkpoint: string; index?: string; input?: string },
  log: (s: string) => void,
  readFile: (p: string) => string,
): void {
  const { model, config } = loadModel(o.checkpoint);
  let images: number[][];
  let labels: (number | null)[];
  if (o.input) {
    let parsed: unknown;
    const want = 'a JSON array of 784 grey values in 0..1 (a 28 x 28 digit, row by row), or an array of them';
    let text: string;
    try {
      text = readFile(o.input);
    } catch (e) {
      usage(`cannot read --input '${o.input}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      usage(`--input '${o.input}' is not JSON; it must hold ${want} (images such as PNG are not read)`);
    }
    const arr = (Array.isArray(parsed) && typeof parsed[0] === 'number' ? [parsed] : parsed) as number[][];
    if (
      !Array.isArray(arr) ||
      arr.length === 0 ||
      arr.some(
        (a) =>
          !Array.isArray(a) ||
          a.length !== 784 ||
          a.some((v) => typeof v !== 'number' || !(v >= 0 && v <= 1)),
      )
    ) {
      usage(`--input '${o.input}' must hold ${want}`);
    }
    images = arr;
    labels = arr.map(() => null);
  } else {
    const idx = (o.index ?? '0').split(',').map((s) => num('--index', s, { int: true, min: 0 }));
    const data = loadMnist();
    const n = data.testX.shape[0];
    for (const i of idx)
      if (i >= n) usage(`--index ${i} is out of range: the test set has ${n} digits (0..${n - 1})`);
    const pix = data.testX.dataSync();
    const ys = data.testY.dataSync();
    images = idx.map((i) => Array.from(pix.subarray(i * 784, (i + 1) * 784)));
    labels = idx.map((i) => ys[i]);
  }
  const x = tensor(images, { dtype: config.dtype });
  const probs = noGrad(() => softmax(model.call(x) as Tensor, 1)).toArray() as number[][];
  images.forEach((img, k) => {
    const p = probs[k];
    const best = p.indexOf(Math.max(...p));
    log(ascii(img));
    log(
      `prediction ${best} (p = ${p[best].toFixed(3)})${labels[k] !== null ? `, true label ${labels[k]}` : ''}\n`,
    );
  });
}
