/**
 * descend on one backend (--backend=native|wasm|js; --threads=N for the native GEMM; the wasm backend's
 * threads come from DESCEND_WASM_THREADS): the bench workloads.
 */
import * as d from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { median } from '../util.js';
import {
  ELEMENTWISE_N,
  matmulCalls,
  emit,
  flag,
  mlpSteps,
  REPEATS,
  type Results,
  sizes,
  tinySteps,
  cnnSteps,
  lmSteps,
  LM,
  want,
} from '../workloads.js';
import { NeuralLM } from '../../src/lm/index.js';
import { benchCnn, benchMlp } from '../models.js';

d.setBackend(flag('backend') ?? 'native');
const threads = Number(flag('threads') ?? 1);
d.nativeBackend?.setNumThreads(threads);
const wasm = d.backend() === 'wasm' ? d.wasmBackend() : null;
if (wasm) {
  // Workers start asynchronously: wait for them, so that every repeat runs on all the threads asked for.
  const want = Number(process.env.DESCEND_WASM_THREADS ?? 1);
  for (let i = 0; i < 200 && wasm.threads < want; i++) await new Promise((r) => setTimeout(r, 10));
  if (wasm.threads < want) throw new Error(`wasm: only ${wasm.threads} of ${want} threads started`);
}

function trainStep(model: nn.Module, opt: { zeroGrad(): void; step(): void }, x: d.Tensor, y: d.Tensor) {
  opt.zeroGrad();
  d.crossEntropy(model.call(x) as d.Tensor, y).backward();
  opt.step();
}

const r: Results = {};
if (want('a'))
  for (const n of sizes) {
    const a = d.randn([n, n]);
    const b = d.randn([n, n]);
    const calls = matmulCalls(n);
    const ms = median(() => {
      for (let i = 0; i < calls; i++) d.matmul(a, b);
    }, REPEATS);
    r[`matmul ${n}`] = (2 * n ** 3 * calls) / (ms * 1e6);
  }
if (want('b')) {
  const model = benchMlp();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = d.rand([128, 784]);
  const y = d.randint(0, 10, [128]);
  const ms = median(() => {
    for (let s = 0; s < mlpSteps; s++) trainStep(model, opt, x, y);
  });
  r['mlp train'] = (128 * mlpSteps) / (ms / 1000);
  if (wasm) {
    // What staging operands in wasm memory costs: bytes copied in and out per training step.
    const k = wasm.kernels;
    k.bytesIn = k.bytesOut = 0;
    trainStep(model, opt, x, y);
    r['mlp wasm copies'] = (k.bytesIn + k.bytesOut) / 1e6;
  }
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
  const x = d.randn([60, 2]);
  const y = d.randint(0, 3, [60]);
  const ms = median(() => {
    for (let s = 0; s < tinySteps; s++) trainStep(model, opt, x, y);
  });
  r['tiny mlp'] = tinySteps / (ms / 1000);
}
if (want('d')) {
  const x = d.randn([ELEMENTWISE_N]).requiresGrad_();
  r['tanh(x)x+1 fwd+bwd'] = median(() => {
    x.grad = null;
    d.tanh(x).mul(x).add(1).sum().backward();
  });
}
if (want('e')) {
  const model = benchCnn();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = d.rand([64, 1, 28, 28]);
  const y = d.randint(0, 10, [64]);
  const ms = median(() => {
    for (let s = 0; s < cnnSteps; s++) trainStep(model, opt, x, y);
  });
  r['cnn step'] = (64 * cnnSteps) / (ms / 1000);
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
  const ms = median(() => {
    for (let s = 0; s < lmSteps; s++) trainStep(model, opt, x, y);
  });
  r['lm step (mlp9)'] = (LM.batch * lmSteps) / (ms / 1000);
}
emit(r);
