/**
 * descend on its WebGPU backend (Dawn in Node; SwiftShader without a GPU, where the times only prove
 * that it runs): the bench workloads, each timed to the end of its device work (a read), and the
 * device-free figures that carry over to a GPU: kernels, buffers created and bytes read back per
 * training step.
 */
import { existsSync } from 'node:fs';
import * as d from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { NeuralLM } from '../../src/lm/index.js';
import { initWebGPU } from '../../src/webgpu/index.js';
import { medianAsync } from '../util.js';
import {
  cnnSteps,
  ELEMENTWISE_N,
  emit,
  LM,
  lmSteps,
  matmulCalls,
  mlpSteps,
  REPEATS,
  type Results,
  sizes,
  tinySteps,
  want,
} from '../workloads.js';
import { benchCnn, benchMlp } from '../models.js';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

const r: Results = {};
let gpu: Awaited<ReturnType<typeof initWebGPU>>;
try {
  gpu = await initWebGPU();
} catch (e) {
  for (const k of ['mlp train', 'cnn step']) r[k] = `skipped: ${(e as Error).message.split('\n')[0]}`;
  emit(r);
  process.exit(0);
}
d.setBackend('webgpu');

type Step = () => d.Tensor;
function trainStep(
  model: nn.Module,
  opt: { zeroGrad(): void; step(): void },
  x: d.Tensor,
  y: d.Tensor,
): Step {
  return () => {
    opt.zeroGrad();
    const loss = d.crossEntropy(model.call(x) as d.Tensor, y);
    loss.backward();
    opt.step();
    return loss;
  };
}

/** ms for `steps` steps, to the end of the device work (the last loss read). */
const timed = (step: Step, steps: number) =>
  medianAsync(async () => {
    let loss: d.Tensor | null = null;
    for (let s = 0; s < steps; s++) loss = step();
    await loss!.itemAsync();
  }, REPEATS);

/** Per step, once warm: kernels dispatched, buffers created, bytes read back (one loss per 10 steps). */
async function perStep(name: string, step: Step): Promise<void> {
  for (let s = 0; s < 3; s++) await step().itemAsync();
  await gpu.reclaim(); // the pool warm, as in a long run
  const c = gpu.counters;
  const [k, b, bytes] = [c.dispatches, c.buffers, c.bytesRead];
  const n = 10;
  let loss: d.Tensor | null = null;
  for (let s = 0; s < n; s++) loss = step();
  await loss!.itemAsync();
  r[`${name} kernels/step`] = (c.dispatches - k) / n;
  r[`${name} buffers created/step`] = (c.buffers - b) / n;
  r[`${name} bytes read/step`] = (c.bytesRead - bytes) / n;
}

if (want('a'))
  for (const n of sizes) {
    const a = d.randn([n, n]);
    const b = d.randn([n, n]);
    const calls = matmulCalls(n);
    const ms = await medianAsync(async () => {
      let out: d.Tensor | null = null;
      for (let i = 0; i < calls; i++) out = d.matmul(a, b);
      await out!.data();
    }, REPEATS);
    r[`matmul ${n}`] = (2 * n ** 3 * calls) / (ms * 1e6);
  }
if (want('b')) {
  const model = benchMlp();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const step = trainStep(model, opt, d.rand([128, 784]), d.randint(0, 10, [128], { dtype: 'int32' }));
  r['mlp train'] = (128 * mlpSteps) / ((await timed(step, mlpSteps)) / 1000);
  await perStep('mlp', step);
}
if (want('c')) {
  const model = new nn.Sequential(
    new nn.Linear(2, 16),
    new nn.Tanh(),
    new nn.Linear(16, 16),
    new nn.Tanh(),
    new nn.Linear(16, 3),
  );
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const step = trainStep(model, opt, d.randn([60, 2]), d.randint(0, 3, [60], { dtype: 'int32' }));
  r['tiny mlp'] = tinySteps / ((await timed(step, tinySteps)) / 1000);
}
if (want('d')) {
  const x = d.randn([ELEMENTWISE_N]).requiresGrad_();
  r['tanh(x)x+1 fwd+bwd'] = await medianAsync(async () => {
    x.grad = null;
    d.tanh(x).mul(x).add(1).sum().backward();
    await x.grad!.data();
  }, REPEATS);
}
if (want('e')) {
  const model = benchCnn();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const step = trainStep(model, opt, d.rand([64, 1, 28, 28]), d.randint(0, 10, [64], { dtype: 'int32' }));
  r['cnn step'] = (64 * cnnSteps) / ((await timed(step, cnnSteps)) / 1000);
  await perStep('cnn', step);
}
if (want('f')) {
  const model = new NeuralLM(LM.vocab, {
    context: LM.context,
    embeddingDim: LM.embedding,
    hidden: LM.hidden,
  });
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = d.randint(0, LM.vocab, [LM.batch, LM.context], { dtype: 'int32' });
  const y = d.randint(0, LM.vocab, [LM.batch], { dtype: 'int32' });
  const step = trainStep(model, opt, x, y);
  r['lm step (mlp9)'] = (LM.batch * lmSteps) / ((await timed(step, lmSteps)) / 1000);
  await perStep('lm', step);
}
r['webgpu adapter'] = gpu.adapterName;
emit(r);
gpu.device.destroy();
