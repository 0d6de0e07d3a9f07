/** descend/data and descend/train: loaders, splits, fit, callbacks, progress, the gradient-health monitor. */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Generator, type Tensor, tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { Adam, SGD } from '../src/optim/index.js';
import { ReduceLROnPlateau, StepLR } from '../src/schedules/index.js';
import * as data from '../src/data/index.js';
import * as train from '../src/train/index.js';
import { trainSpiral } from '../examples/spiral.js';

const f64 = { dtype: 'float64' as const };

describe('DataLoader', () => {
  const ds = new data.TensorDataset(d.arange(10), d.arange(10).mul(2));
  it('samples without replacement each epoch, reshuffles, and is reproducible by seed', () => {
    const loader = new data.DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(1) });
    expect(loader.length).toBe(4);
    const epoch = () => [...loader].flatMap(([x]) => Array.from(x.dataSync()));
    const e1 = epoch();
    const e2 = epoch();
    expect([...e1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...e2].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(e1).not.toEqual(e2);
    const again = new data.DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(1) });
    expect([...again].flatMap(([x]) => Array.from(x.dataSync()))).toEqual(e1);
    for (const [x, y] of new data.DataLoader(ds, { batchSize: 4 }))
      expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()).map((v) => 2 * v));
  });
  it('dropLast, custom collate and transform hooks', () => {
    expect([...new data.DataLoader(ds, { batchSize: 4, dropLast: true })].length).toBe(2);
    const custom: data.Dataset<number> = { length: 5, get: (i) => i * i };
    const batches = [...new data.DataLoader(custom, { batchSize: 2, collate: (s) => [tensor(s)] })];
    expect(batches.map(([b]) => b.toArray())).toEqual([[0, 1], [4, 9], [16]]);
    const flipped = [...new data.DataLoader(ds, { batchSize: 5, transform: ([x, y]) => [x.neg(), y] })];
    expect(flipped[0][0].toArray()).toEqual([0, -1, -2, -3, -4].map((v) => v || 0));
  });
  it('randomSplit gives disjoint parts of the requested sizes', () => {
    const [a, b] = data.randomSplit(ds, [0.7, 0.3], { generator: new Generator(2) });
    expect([a.length, b.length]).toEqual([7, 3]);
    const all = [...a.indices, ...b.indices].sort((x, y) => x - y);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => data.randomSplit(ds, [3, 3])).toThrow(/do not add up/);
  });
  it('Standardizer gives zero mean and unit variance per feature', () => {
    const x = d
      .randn([100, 3], { ...f64, generator: new Generator(3) })
      .mul(tensor([1, 5, 0.1], f64))
      .add(7);
    const z = data.Standardizer.fit(x).transform(x);
    d.mean(z, 0)
      .dataSync()
      .forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-12));
    d.std(z, 0, { correction: 0 })
      .dataSync()
      .forEach((v) => expect(v).toBeCloseTo(1, 12));
  });
  it('toy problems have the right shapes and classes', () => {
    const g = new Generator(4);
    const sp = data.spiral({ nPerClass: 100, classes: 3, generator: g });
    expect(sp.x.shape).toEqual([300, 2]);
    expect(d.sum(sp.y.eq(2)).item()).toBe(100);
    for (const t of [
      data.moons({ generator: g }),
      data.xor({ generator: g }),
      data.circles({ generator: g }),
    ]) {
      expect(t.x.shape).toEqual([200, 2]);
      expect(t.classes).toBe(2);
    }
    expect(data.blobs({ nPerClass: 10, generator: g }).x.shape).toEqual([30, 2]);
    expect(data.linearToy().y.toArray()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });
});

describe('fit', () => {
  const setup = () => {
    d.manualSeed(0);
    const g = new Generator(0);
    const { x, y } = data.blobs({ nPerClass: 20, generator: g });
    const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 3));
    const loader = new data.DataLoader(new data.TensorDataset(x, y), {
      batchSize: 10,
      shuffle: true,
      generator: g,
    });
    return { x, y, model, loader };
  };
  it('trains, logs metrics and validation, and calls callbacks in order', () => {
    const { model, loader } = setup();
    const calls: string[] = [];
    const cb: train.Callback = {
      onTrainBegin: () => calls.push('trainBegin'),
      onEpochBegin: (c) => calls.push(`epochBegin ${c.epoch}`),
      onBatchEnd: () => void (calls[calls.length - 1] === 'batch' || calls.push('batch')),
      onEpochEnd: (_c, l) => calls.push(`epochEnd ${l.epoch}`),
      onTrainEnd: () => calls.push('trainEnd'),
    };
    const lines: string[] = [];
    const h = train.fit(model, {
      loss: d.crossEntropy,
      optimizer: new Adam(model.parameters(), { lr: 0.05 }),
      data: loader,
      validation: loader,
      epochs: 3,
      metrics: { accuracy: train.accuracy },
      callbacks: [cb],
      progress: { isTTY: false, write: (s) => lines.push(s) },
    });
    expect(h.epochs.length).toBe(3);
    expect(h.epochs[2].loss).toBeLessThan(h.epochs[0].loss);
    expect(h.epochs[2].valMetrics!.accuracy).toBeGreaterThan(0.5);
    expect(calls).toEqual([
      'trainBegin',
      'epochBegin 1',
      'batch',
      'epochEnd 1',
      'epochBegin 2',
      'batch',
      'epochEnd 2',
      'epochBegin 3',
      'batch',
      'epochEnd 3',
      'trainEnd',
    ]);
    expect(lines[0]).toMatch(/^epoch 1\/3 {2}loss \d\.\d{4} {2}accuracy .* samples\/s/);
    // Validation figures read as the training ones do: "val loss" beside "val accuracy".
    expect(lines[0]).toMatch(/ {2}val loss \d\.\d{4} {2}val accuracy \d\.\d{4} {2}lr /);
  });
  it('draws a live progress bar on a TTY', () => {
    const { model, loader } = setup();
    let out = '';
    train.fit(model, {
      loss: d.crossEntropy,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      data: loader,
      epochs: 1,
      progress: { isTTY: true, write: (s) => (out += s) },
    });
    expect(out).toContain('\r');
    expect(out).toMatch(/epoch 1\/1 [█░]+ \d+\/6 {2}loss .* samples\/s {2}ETA/);
  });
  it('stops at a non-finite loss and names the step; or throws', () => {
    const { model, loader } = setup();
    const loss = (out: Tensor) => d.mseLoss(out, d.zerosLike(out.detach()));
    // Divergence would be caught first; this test is about the NaN itself.
    const opts = {
      loss,
      data: loader,
      epochs: 5,
      progress: false as const,
      divergenceFactor: false as const,
    };
    const h = train.fit(model, { ...opts, optimizer: new SGD(model.parameters(), { lr: 1e10 }) });
    expect(h.stoppedEarly).toBe(true);
    expect(h.stopReason).toMatch(/the loss became (NaN|Infinity) at epoch \d+, step \d+/);
    const { model: m2, loader: l2 } = setup();
    expect(() =>
      train.fit(m2, {
        ...opts,
        data: l2,
        optimizer: new SGD(m2.parameters(), { lr: 1e10 }),
        onNonFinite: 'throw',
      }),
    ).toThrow(train.NonFiniteError);
  });
  it('detects divergence (Adam at lr 1e6), says so in one line and stops; or throws', () => {
    const { model, loader } = setup();
    let out = '';
    const h = train.fit(model, {
      loss: d.crossEntropy,
      data: loader,
      epochs: 20,
      optimizer: new Adam(model.parameters(), { lr: 1e6 }),
      progress: { isTTY: false, write: (s) => (out += s) },
    });
    expect(h.stoppedEarly).toBe(true);
    expect(h.stopReason).toMatch(
      /training diverged: the loss reached .* over 100x its start .*lower the learning rate/,
    );
    expect(h.epochs.length).toBeLessThan(20);
    expect(out.split('\n').filter((l) => l.includes('diverged'))).toHaveLength(1);
    const { model: m2, loader: l2 } = setup();
    expect(() =>
      train.fit(m2, {
        loss: d.crossEntropy,
        data: l2,
        epochs: 20,
        optimizer: new Adam(m2.parameters(), { lr: 1e6 }),
        progress: false,
        onNonFinite: 'throw',
      }),
    ).toThrow(train.DivergenceError);
    // The same run with a sane rate trains to the end without a word.
    const { model: m3, loader: l3 } = setup();
    const ok = train.fit(m3, {
      loss: d.crossEntropy,
      data: l3,
      epochs: 5,
      optimizer: new Adam(m3.parameters(), { lr: 0.01 }),
      progress: false,
    });
    expect(ok.stoppedEarly).toBe(false);
    expect(ok.warnings).toEqual([]);
    // One batch of outliers (a loss 500x the start, once) is not divergence.
    const { model: m4, loader: l4 } = setup();
    let calls = 0;
    const spiky = train.fit(m4, {
      loss: (out, y) => {
        const l = d.crossEntropy(out, y);
        return ++calls === 5 ? l.mul(500) : l;
      },
      data: l4,
      epochs: 3,
      optimizer: new Adam(m4.parameters(), { lr: 0.01 }),
      progress: false,
    });
    expect(spiky.stoppedEarly).toBe(false);
  });
  it('NaN in the validation data stops training with one line naming valLoss', () => {
    const { model, loader } = setup();
    const vals = Array.from(d.randn([8, 2]).dataSync());
    vals[3] = NaN;
    const valX = d.tensor(vals).reshape([8, 2]);
    let out = '';
    const h = train.fit(model, {
      loss: d.crossEntropy,
      data: loader,
      validation: [[valX, d.randint(0, 3, [8])]],
      epochs: 5,
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      progress: { isTTY: false, write: (s) => (out += s) },
    });
    expect(h.stoppedEarly).toBe(true);
    expect(h.epochs).toHaveLength(1);
    expect(h.stopReason).toMatch(/valLoss is NaN at epoch 1/);
    expect(out).toMatch(/warning: fit: valLoss is NaN/);
  });
  it('early stopping stops after patience and restores the best weights', () => {
    const { model } = setup();
    const es = new train.EarlyStopping({ monitor: 'valLoss', patience: 2 });
    const ctx = {
      model,
      optimizer: new SGD(model.parameters()),
      epoch: 0,
      step: 0,
      stop: false,
      history: { epochs: [], stoppedEarly: false, warnings: [] },
    } as train.TrainContext;
    const log = (epoch: number, valLoss: number) => ({
      epoch,
      loss: 0,
      metrics: {},
      valLoss,
      lr: 0,
      seconds: 0,
      samplesPerSec: 0,
    });
    es.onEpochEnd(ctx, log(1, 1.0));
    const best = (model.parameters()[0].toArray() as number[][]).map((r) => [...r]);
    d.noGrad(() => model.parameters()[0].add_(1));
    es.onEpochEnd(ctx, log(2, 1.5));
    expect(ctx.stop).toBe(false);
    es.onEpochEnd(ctx, log(3, 1.2));
    expect(ctx.stop).toBe(true);
    expect(ctx.stopReason).toMatch(/did not improve for 2 epochs/);
    expect(model.parameters()[0].toArray()).toEqual(best);
  });
  it('steps schedulers per epoch, per step, and ReduceLROnPlateau on the monitored value', () => {
    const { model, loader } = setup();
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    train.fit(model, {
      loss: d.crossEntropy,
      optimizer: opt,
      data: loader,
      epochs: 4,
      scheduler: new StepLR(opt, { stepSize: 2, gamma: 0.5 }),
      progress: false,
    });
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.025, 15);
    const opt2 = new SGD(model.parameters(), { lr: 0.1 });
    train.fit(model, {
      loss: d.crossEntropy,
      optimizer: opt2,
      data: loader,
      epochs: 1,
      scheduler: new StepLR(opt2, { stepSize: 1, gamma: 0.5 }),
      schedulerInterval: 'step',
      progress: false,
    });
    expect(opt2.paramGroups[0].lr).toBeCloseTo(0.1 / 2 ** 6, 15);
    const opt3 = new SGD(model.parameters(), { lr: 0.1 });
    const flat = (out: Tensor) => out.sum().mul(0).add(1); // never improves
    train.fit(model, {
      loss: flat,
      optimizer: opt3,
      data: loader,
      epochs: 4,
      scheduler: new ReduceLROnPlateau(opt3, { patience: 1, factor: 0.5 }),
      progress: false,
    });
    expect(opt3.paramGroups[0].lr).toBeLessThan(0.1);
  });
  it('trains the 3-class spiral (300 points) to >= 99% training accuracy with Adam', () => {
    const t0 = Date.now();
    const { trainAccuracy } = trainSpiral({ progress: false });
    expect(trainAccuracy).toBeGreaterThanOrEqual(0.99);
    console.log(`spiral: ${(100 * trainAccuracy).toFixed(1)}% in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
});

describe('gradient-health monitor', () => {
  const run = (model: nn.Module, inDim: number, outDim: number) => {
    const g = new Generator(7);
    const monitor = new train.GradientHealthMonitor(model);
    model.zeroGrad();
    d.mseLoss(
      model.call(d.randn([32, inDim], { generator: g })) as Tensor,
      d.randn([32, outDim], { generator: g }),
    ).backward();
    const report = monitor.check();
    monitor.detach();
    return report;
  };
  const stack = (n: number, make: (i: number) => nn.Module[]) =>
    new nn.Sequential(...Array.from({ length: n }, (_, i) => make(i)).flat());
  it('fires "vanishing" on a 10-layer sigmoid network with small-variance init', () => {
    d.manualSeed(1);
    const model = stack(10, () => {
      const l = new nn.Linear(32, 32);
      nn.init.normal_(l.weight, 0, 0.01);
      return [l, new nn.Sigmoid()];
    });
    expect(run(model, 32, 32).warnings.map((w) => w.kind)).toContain('vanishing');
  });
  it('fires "exploding" on a deep linear network with large init', () => {
    d.manualSeed(2);
    const model = stack(10, () => {
      const l = new nn.Linear(32, 32);
      nn.init.normal_(l.weight, 0, 1);
      return [l];
    });
    expect(run(model, 32, 32).warnings.map((w) => w.kind)).toContain('exploding');
  });
  it('reports dead units on a ReLU network with a large negative bias', () => {
    d.manualSeed(3);
    const l1 = new nn.Linear(8, 32);
    nn.init.constant_(l1.bias!, -10);
    const report = run(new nn.Sequential(l1, new nn.ReLU(), new nn.Linear(32, 4)), 8, 4);
    expect(report.deadUnits[0].fraction).toBeGreaterThan(0.9);
    expect(report.warnings.map((w) => w.kind)).toContain('dead-units');
  });
  it('stays quiet on a well-initialized ReLU network', () => {
    d.manualSeed(4);
    const model = stack(4, () => {
      const l = new nn.Linear(32, 32);
      nn.init.kaimingNormal_(l.weight, { nonlinearity: 'relu' });
      return [l, new nn.ReLU()];
    });
    const r = run(new nn.Sequential(model, new nn.Linear(32, 4)), 32, 4);
    expect(r.warnings).toEqual([]);
    expect(r.layers.every((l) => l.gradNorm > 0 && Number.isNaN(l.updateRatio))).toBe(true);
  });
  it('measures update-to-weight ratios between checks, and runs inside fit', () => {
    d.manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1));
    const monitor = new train.GradientHealthMonitor(model);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      d.mseLoss(model.call(d.ones([3, 2])) as Tensor, d.zeros([3, 1])).backward();
      const r = monitor.check();
      if (i === 1) expect(r.layers[0].updateRatio).toBeGreaterThan(0);
      opt.step();
    }
    const h = train.fit(model, {
      loss: d.mseLoss,
      optimizer: opt,
      data: [[d.ones([3, 2]), d.zeros([3, 1])]],
      epochs: 1,
      progress: false,
      health: { every: 1, explodingNorm: 1e-12 },
    });
    expect(h.warnings.map((w) => w.kind)).toContain('exploding');
  });
});
