/**
 * Resuming `fit` exactly: a run stopped mid-epoch or at an epoch boundary, saved with saveCheckpoint and
 * continued with resumeFrom, ends with the same weights, bit for bit, as one that never stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Generator, manualSeed, randn, randint } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { CosineAnnealingLR } from '../src/schedules/index.js';
import { DataLoader, TensorDataset } from '../src/data/index.js';
import { EarlyStopping, type FitState, type History, accuracy, fit } from '../src/train/index.js';
import { checkpointProgress, loadCheckpoint, saveCheckpoint } from '../src/io/index.js';
import { crossEntropy } from '../src/ops/composite/losses.js';
import { cooccurrence, trainGlove, type GloveState } from '../src/lm/index.js';

const dir = mkdtempSync(join(tmpdir(), 'descend-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EPOCHS = 4;
manualSeed(7);
const X = randn([90, 5]);
const Y = randint(0, 3, [90]);

/** A fresh run: model with dropout, shuffled loader with a random transform, cosine per step, early stopping. */
function setup() {
  manualSeed(1);
  const model = new nn.Sequential(
    new nn.Linear(5, 16),
    new nn.ReLU(),
    new nn.Dropout(0.3),
    new nn.Linear(16, 3),
  );
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  const g = new Generator(3);
  const data = new DataLoader(new TensorDataset(X, Y), {
    batchSize: 8,
    shuffle: true,
    generator: g,
    transform: ([x, y], gen) => [x.add(randn(x.shape, { generator: gen }).mul(0.1)), y],
  });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: EPOCHS * data.length });
  const stop = new EarlyStopping({ patience: 100, monitor: 'valLoss' });
  const validation = new DataLoader(new TensorDataset(X, Y), { batchSize: 30 });
  return { model, optimizer, data, scheduler, stop, validation };
}

function run(
  s: ReturnType<typeof setup>,
  extra: { resumeFrom?: FitState; shouldStop?: () => boolean; onCheckpoint?: (st: FitState) => void },
): History {
  return fit(s.model, {
    loss: (o, y) => crossEntropy(o, y),
    optimizer: s.optimizer,
    data: s.data,
    validation: s.validation,
    epochs: EPOCHS,
    metrics: { accuracy },
    scheduler: s.scheduler,
    schedulerInterval: 'step',
    callbacks: [s.stop],
    progress: false,
    ...extra,
  });
}

const bits = (m: nn.Module) => Object.values(m.stateDict()).map((t) => Array.from(t.dataSync()));

describe('fit resumes exactly', () => {
  const whole = setup();
  const full = run(whole, {});
  for (const stopAt of [17, 12 * 2, 5]) {
    it(`stopped after global step ${stopAt}, saved, loaded and resumed: the same weights, bit for bit`, () => {
      const a = setup();
      let steps = 0;
      const path = join(dir, `ckpt-${stopAt}.safetensors`);
      const h = run(a, {
        shouldStop: () => ++steps >= stopAt,
        onCheckpoint: (st) =>
          saveCheckpoint(path, a.model, { optimizer: a.optimizer, progress: { fit: st } }),
      });
      expect(h.interrupted).toBeDefined();
      const b = setup();
      // A run in another process would start from other generator states: scramble them.
      manualSeed(999);
      const { progress } = loadCheckpoint(path, b.model, { optimizer: b.optimizer });
      expect(checkpointProgress(path).fit).toEqual(progress.fit);
      const rest = run(b, { resumeFrom: progress.fit as FitState });
      expect(bits(b.model)).toEqual(bits(whole.model));
      expect(rest.epochs.map((e) => [e.epoch, e.loss, e.valLoss])).toEqual(
        full.epochs.map((e) => [e.epoch, e.loss, e.valLoss]),
      );
      expect(b.stop.best).toBe(whole.stop.best);
    });
  }
  it('refuses a state with nothing left to train, and mid-epoch states on plain iterables', () => {
    const s = setup();
    let last: FitState | null = null;
    run(s, { onCheckpoint: (st) => (last = st) });
    expect(() => run(setup(), { resumeFrom: last! })).toThrow(/finished 4 epochs; epochs \(4\)/);
    const t = setup();
    let mid: FitState | null = null;
    let n = 0;
    run(t, { shouldStop: () => ++n === 3, onCheckpoint: (st) => (mid = st) });
    expect(mid!.step).toBe(3);
    expect(() =>
      fit(t.model, {
        loss: (o, y) => crossEntropy(o, y),
        optimizer: t.optimizer,
        data: [...t.data],
        epochs: EPOCHS,
        resumeFrom: mid!,
        progress: false,
      }),
    ).toThrow(/stopped mid-epoch \(step 3\); data must have stateDict/);
  });
  it('numbers epochs on from the saved ones', () => {
    const s = setup();
    const lines: string[] = [];
    let st: FitState | null = null;
    let n = 0;
    run(s, { shouldStop: () => ++n === 15, onCheckpoint: (x) => (st = x) });
    fit(s.model, {
      loss: (o, y) => crossEntropy(o, y),
      optimizer: s.optimizer,
      data: s.data,
      epochs: EPOCHS,
      scheduler: s.scheduler,
      schedulerInterval: 'step',
      callbacks: [s.stop],
      validation: s.validation,
      resumeFrom: st!,
      progress: { isTTY: false, write: (x) => lines.push(x) },
    });
    expect(lines.map((l) => l.split('  ')[0])).toEqual(['epoch 2/4', 'epoch 3/4', 'epoch 4/4']);
  });
});

describe('trainGlove resumes exactly', () => {
  // A small co-occurrence matrix: 5 steps of 64 entries per epoch.
  const g = new Generator(3);
  const ids = Int32Array.from({ length: 600 }, () => g.randint(1, 40));
  const X = cooccurrence(ids, { vocabSize: 40, window: 3, skipBelow: 1 });
  const opts = { dim: 6, epochs: 3, batchSize: Math.ceil(X.values.length / 5), seed: 4, progress: false };
  const whole = trainGlove(X, opts);

  for (const stopAfter of [7, 10, 1]) {
    it(`stopped after global step ${stopAfter}, saved, and resumed: the same vectors bit for bit`, () => {
      const path = join(dir, `glove-${stopAfter}.safetensors`);
      let steps = 0;
      const reasons: string[] = [];
      const first = trainGlove(X, {
        ...opts,
        shouldStop: () => ++steps >= stopAfter,
        onCheckpoint: (c, reason) => {
          reasons.push(reason);
          saveCheckpoint(path, c.model, {
            optimizer: c.optimizer,
            generators: { glove: c.generator },
            progress: { glove: c.state },
          });
        },
      });
      expect(first.interrupted).toEqual(
        stopAfter === 10
          ? { epoch: 3, step: 0 }
          : { epoch: Math.floor(stopAfter / 5) + 1, step: stopAfter % 5 },
      );
      expect(reasons.at(-1)).toBe('interrupt');
      const resumed = trainGlove(X, {
        ...opts,
        resumeFrom: ({ model, optimizer, generator }) =>
          loadCheckpoint(path, model, { optimizer, generators: { glove: generator } }).progress
            .glove as GloveState,
      });
      expect(resumed.interrupted).toBeUndefined();
      expect(resumed.losses).toEqual(whole.losses);
      expect(Array.from(resumed.vectors.dataSync())).toEqual(Array.from(whole.vectors.dataSync()));
    });
  }
});
