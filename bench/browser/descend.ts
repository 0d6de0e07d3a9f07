/**
 * descend in the browser bench page, on its WebGPU or wasm backend (the site's built library: the
 * imports of ../../src/ become /lib/ when bundled): the MLP training step and a matmul, and on WebGPU
 * the device-free counts per step.
 */
import * as d from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { initWebGPU } from '../../src/webgpu/index.js';
import { time } from './time.js';

export type Results = Record<string, number | string>;

export async function descend(backend: 'webgpu' | 'wasm', steps: number, repeats: number): Promise<Results> {
  const gpu = backend === 'webgpu' ? await initWebGPU() : null;
  if (backend === 'wasm') await d.wasmReady;
  d.setBackend(backend);
  const r: Results = {};
  const n = 256;
  const a = d.randn([n, n]);
  const b = d.randn([n, n]);
  r['matmul 256'] =
    (2 * n ** 3 * 6) /
    ((await time(async () => {
      let c: d.Tensor | null = null;
      for (let i = 0; i < 6; i++) c = d.matmul(a, b);
      await c!.data();
    }, repeats)) *
      1e6);
  const model = new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = d.rand([128, 784]);
  const y = d.randint(0, 10, [128], { dtype: 'int32' });
  const step = () => {
    opt.zeroGrad();
    const loss = d.crossEntropy(model.call(x) as d.Tensor, y);
    loss.backward();
    opt.step();
    return loss;
  };
  const ms = await time(async () => {
    let loss: d.Tensor | null = null;
    for (let s = 0; s < steps; s++) loss = step();
    await loss!.itemAsync();
  }, repeats);
  r['mlp train'] = (128 * steps) / (ms / 1000);
  if (gpu) {
    const c = gpu.counters;
    const [k, bytes] = [c.dispatches, c.bytesRead];
    let loss: d.Tensor | null = null;
    for (let s = 0; s < steps; s++) loss = step();
    await loss!.itemAsync();
    r['mlp kernels/step'] = (c.dispatches - k) / steps;
    r['mlp bytes read/step'] = (c.bytesRead - bytes) / steps;
    r['adapter'] = gpu.adapterName;
  }
  return r;
}
