/**
 * Training on the WebGPU backend (Dawn in Node, SwiftShader): an MLP, a CNN and a Bengio-style language
 * model give the JS backend's losses over 20 steps; 1,000 steps hold device memory bounded with no
 * dispose anywhere; a step reads nothing back. Skipped, saying why, where there is no adapter.
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import * as nn from '../src/nn/index.js';
import * as optim from '../src/optim/index.js';
import { DataLoader, TensorDataset } from '../src/data/index.js';
import { StepLR } from '../src/schedules/index.js';
import { accuracy, fit, fitAsync, type History } from '../src/train/index.js';
import { loadCheckpoint, saveCheckpoint, saveCheckpointAsync } from '../src/io/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestWebGPU } from '../src/backends/webgpu/index.js';
import { useWebGPU } from './webgpu-setup.js';

const wg = useWebGPU('webgpu training tests');

type Problem = {
  model: nn.Module;
  x: d.Tensor;
  y: d.Tensor;
  opt: (ps: d.Tensor[]) => optim.Optimizer<object>;
};
const problems: Record<string, () => Problem> = {
  'MLP with Adam': () => ({
    model: new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 3)),
    x: d.randn([32, 6], { generator: new d.Generator(1) }),
    y: d.tensor(
      Array.from({ length: 32 }, (_, i) => i % 3),
      { dtype: 'int32' },
    ),
    opt: (ps) => new optim.Adam(ps, { lr: 0.01, weightDecay: 1e-4 }),
  }),
  'CNN with SGD and momentum': () => ({
    model: new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(64, 3),
    ),
    x: d.randn([8, 1, 8, 8], { generator: new d.Generator(2) }),
    y: d.tensor(
      Array.from({ length: 8 }, (_, i) => i % 3),
      { dtype: 'int32' },
    ),
    opt: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }),
  }),
  "Bengio's language model with AdamW": () => ({
    // Three context words' embeddings, a tanh layer, the next word's logits.
    model: new nn.Sequential(
      new nn.Embedding(30, 8),
      new nn.Flatten(),
      new nn.Linear(24, 16),
      new nn.Tanh(),
      new nn.Linear(16, 30),
    ),
    x: d
      .tensor(
        Array.from({ length: 48 }, (_, i) => (i * 7) % 30),
        { dtype: 'int32' },
      )
      .reshape([16, 3]),
    y: d.tensor(
      Array.from({ length: 16 }, (_, i) => (i * 11) % 30),
      { dtype: 'int32' },
    ),
    opt: (ps) => new optim.AdamW(ps, { lr: 0.01 }),
  }),
};

/** Losses over `steps` steps on `backend`, the same initial weights on every backend. */
async function train(backend: string, make: () => Problem, steps: number): Promise<number[]> {
  d.setBackend(backend);
  d.manualSeed(0);
  const { model, x, y, opt } = make();
  const o = opt(model.parameters());
  const losses: d.Tensor[] = [];
  for (let s = 0; s < steps; s++) {
    o.zeroGrad();
    const loss = d.crossEntropy(model.call(x) as d.Tensor, y);
    loss.backward();
    o.step();
    losses.push(loss);
  }
  // Read once, after the steps: a step never waits on the device.
  return Promise.all(losses.map((l) => l.itemAsync()));
}

describe('training on WebGPU', () => {
  for (const [name, make] of Object.entries(problems))
    it(`${name}: the JS backend's losses over 20 steps (float32 tolerance)`, async (ctx) => {
      const gpu = wg.gpu;
      if (!gpu) return ctx.skip(wg.why);
      const want = await train('js', make, 20);
      const got = await train('webgpu', make, 20);
      expect(want[19]).toBeLessThan(want[0]!); // it learns
      got.forEach((v, i) =>
        expect(Math.abs(v - want[i]!), `step ${i}: ${v} vs ${want[i]}`).toBeLessThan(
          2e-5 * (1 + Math.abs(want[i]!)),
        ),
      );
    }, 120_000);

  it('1,000 steps: device buffers stay bounded, with no dispose; only the loss is read back', async (ctx) => {
    const gpu = wg.gpu;
    if (!gpu) return ctx.skip(wg.why);
    d.setBackend('webgpu');
    d.manualSeed(0);
    const { model, x, y, opt } = problems['MLP with Adam']!();
    const o = opt(model.parameters());
    const c = gpu.counters;
    const rows: string[] = [];
    let created = 0;
    let maxLive = 0;
    for (let s = 1; s <= 1000; s++) {
      const reads = c.readbacks;
      const dispatches = c.dispatches;
      o.zeroGrad();
      const loss = d.crossEntropy(model.call(x) as d.Tensor, y);
      loss.backward();
      o.step();
      // Nothing in a step is read back, and every kernel of it is counted.
      expect(c.readbacks).toBe(reads);
      if (s === 1) expect(c.dispatches - dispatches).toBeGreaterThan(10);
      if (s % 100 === 0) {
        const v = await loss.itemAsync();
        expect(Number.isFinite(v)).toBe(true);
        rows.push(
          `step ${s}: loss ${v.toFixed(5)}, live buffers ${c.liveBuffers} (${c.liveBytes} bytes), buffers created ${c.buffers}, kernels ${c.dispatches - dispatches} per step`,
        );
        // Once warm, the pool serves (nearly) every allocation: buffers created stop growing. The
        // collector's callbacks run at the awaits, so the pool refills every 100 steps here.
        if (s === 500) created = c.buffers;
        if (s > 500) expect(c.buffers).toBeLessThan(created * 1.02);
        // Live buffers swing with the collector (its callbacks run at the awaits), within a bound set
        // in the first half of the run.
        if (s <= 500) maxLive = Math.max(maxLive, c.liveBuffers);
        else expect(c.liveBuffers).toBeLessThanOrEqual(maxLive * 1.05);
      }
    }
    console.log(rows.join('\n'));
    expect(c.collections).toBeGreaterThan(0);
  }, 300_000);

  it('elementwise chains are fused: kernels per training step before and after, the same losses', async (ctx) => {
    const gpu = wg.gpu;
    if (!gpu) return ctx.skip(wg.why);
    const perStep = async (fusion: boolean) => {
      gpu!.fusion = fusion;
      try {
        d.setBackend('webgpu');
        d.manualSeed(0);
        const { model, x, y, opt } = problems['MLP with Adam']!();
        const o = opt(model.parameters());
        const losses: d.Tensor[] = [];
        let kernels = 0;
        for (let s = 0; s < 5; s++) {
          const before = gpu!.counters.dispatches;
          o.zeroGrad();
          const loss = d.crossEntropy(model.call(x) as d.Tensor, y);
          loss.backward();
          o.step();
          losses.push(loss);
          await loss.itemAsync(); // the loss is run when read: its kernels count in its step
          kernels = gpu!.counters.dispatches - before;
        }
        return { kernels, losses: await Promise.all(losses.map((l) => l.itemAsync())) };
      } finally {
        gpu!.fusion = true;
      }
    };
    const off = await perStep(false);
    const on = await perStep(true);
    console.log(`kernels per MLP/Adam step: ${off.kernels} unfused, ${on.kernels} fused`);
    expect(on.kernels).toBeLessThan(off.kernels * 0.75);
    on.losses.forEach((v, i) => expect(Math.abs(v - off.losses[i]!)).toBeLessThan(1e-6 * (1 + Math.abs(v))));
  }, 120_000);

  it('float64 on WebGPU and no adapter are typed one-line errors that say what to do', async (ctx) => {
    const gpu = wg.gpu;
    if (!gpu) return ctx.skip(wg.why);
    d.setBackend('webgpu');
    expect(() => d.tensor([1, 2], { dtype: 'float64' })).toThrow(
      /float64 stays on the CPU backends \(WebGPU computes in float32\): use \.to\('float32'\)/,
    );
    expect(() => d.tensor([1]).item()).toThrow(
      /use await t\.data\(\), await t\.array\(\) or await t\.itemAsync\(\)/,
    );
    d.setBackend('js');
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: { requestAdapter: async () => null } },
      configurable: true,
    });
    try {
      await expect(requestWebGPU()).rejects.toThrow(/no WebGPU adapter: without a GPU, set VK_ICD_FILENAMES/);
    } finally {
      if (nav) Object.defineProperty(globalThis, 'navigator', nav);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  }, 60_000);

  it('fit, the DataLoader, a schedule, metrics and checkpoints work unchanged on device tensors', async (ctx) => {
    const gpu = wg.gpu;
    if (!gpu) return ctx.skip(wg.why);
    const setup = (backend: string) => {
      d.setBackend(backend);
      d.manualSeed(3);
      const g = new d.Generator(4);
      const xs = d.randn([96, 6], { generator: g });
      const ys = d.tensor(
        Array.from({ length: 96 }, (_, i) => (i * 5) % 3),
        { dtype: 'int32' },
      );
      const model = new nn.Sequential(new nn.Linear(6, 16), new nn.Tanh(), new nn.Linear(16, 3));
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
      const opts = {
        loss: d.crossEntropy,
        optimizer,
        data: new DataLoader(new TensorDataset(xs, ys), {
          batchSize: 16,
          shuffle: true,
          generator: new d.Generator(5),
        }),
        validation: new DataLoader(new TensorDataset(xs, ys), { batchSize: 32 }),
        epochs: 3,
        metrics: { accuracy },
        scheduler: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }),
        progress: false,
      };
      return { model, optimizer, opts, xs, ys };
    };
    const cpu = setup('js');
    const want: History = fit(cpu.model, cpu.opts);
    const dev = setup('webgpu');
    // The synchronous calls say which asynchronous one to use.
    expect(() => fit(dev.model, dev.opts)).toThrow(
      /^fit: the model is on webgpu, whose reads are asynchronous: use await fitAsync\(model, options\)$/,
    );
    expect(() => saveCheckpoint(join(tmpdir(), 'never.safetensors'), dev.model)).toThrow(
      /use await saveCheckpointAsync\(path, model, extras\)$/,
    );
    const reads = gpu.counters.readbacks;
    const got = await fitAsync(dev.model, dev.opts);
    // 6 steps an epoch read in one go at the epoch's end (readEvery 10), and the validation in one.
    expect(gpu.counters.readbacks - reads).toBe(3 * 2);
    expect(got.epochs.length).toBe(3);
    got.epochs.forEach((e, i) => {
      const w = want.epochs[i]!;
      for (const [a, b] of [
        [e.loss, w.loss],
        [e.valLoss!, w.valLoss!],
        [e.metrics.accuracy!, w.metrics.accuracy!],
        [e.lr, w.lr],
      ] as [number, number][])
        expect(Math.abs(a - b), `epoch ${i + 1}: ${a} vs ${b}`).toBeLessThan(1e-5 * (1 + Math.abs(b)));
    });
    // A checkpoint of the device model, loaded into a fresh device model, gives the same loss.
    const dir = mkdtempSync(join(tmpdir(), 'descend-webgpu-'));
    try {
      const file = join(dir, 'ckpt.safetensors');
      await saveCheckpointAsync(file, dev.model, { optimizer: dev.optimizer });
      const fresh = setup('webgpu');
      loadCheckpoint(file, fresh.model, { optimizer: fresh.optimizer });
      const [a, b] = [dev, fresh].map((m) => d.crossEntropy(m.model.call(dev.xs) as d.Tensor, dev.ys));
      expect(await b!.itemAsync()).toBe(await a!.itemAsync());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
