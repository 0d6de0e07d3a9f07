/**
 * `npx tsx bench/lm-epoch.ts [backend] [steps]`: the time of one Brown epoch of MLP9 (800,000 training
 * tokens, batch 128: 6,250 steps), extrapolated from the median step of `steps` timed training steps
 * on real Brown minibatches after 10 warm-up steps. Validation is not included.
 */
import { loadBrown } from '../src/io/index.js';
import { NeuralLM, makeLMOptimizer } from '../src/lm/index.js';
import { ngramWindows } from '../src/data/index.js';
import { crossEntropy, randperm, setBackend, backend, indexSelect, wasmReady } from '../src/index.js';

setBackend(process.argv[2] ?? 'native');
await wasmReady;
const steps = Number(process.argv[3] ?? 100);
const { vocab, train } = loadBrown();
const { contexts, targets } = ngramWindows(train, 5);
const model = new NeuralLM(vocab.size, { context: 4, embeddingDim: 30, hidden: 100 });
const opt = makeLMOptimizer(model, { optimizer: 'adam', lr: 1e-3 });
const order = randperm(contexts.shape[0]);
const B = 128;
const times: number[] = [];
for (let s = 0; s < steps + 10; s++) {
  const idx = order.narrow(0, s * B, B);
  const t = performance.now();
  const loss = crossEntropy(model.call(indexSelect(contexts, 0, idx)), indexSelect(targets, 0, idx));
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (s >= 10) times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const med = times[times.length >> 1];
const epoch = (med * Math.ceil(train.length / B)) / 1000;
console.log(
  `${backend()}: median step ${med.toFixed(1)} ms, one Brown epoch of MLP9 (6,250 steps) ~ ${epoch.toFixed(0)} s`,
);
