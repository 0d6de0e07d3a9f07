/**
 * Benchmark: what vmap buys (float32, the backend in use).
 * - Per-example gradients of a batch of 64: vmap(grad) over functionalCall against a loop of 64
 *   single-example gradients, for the bench MLP (784-256-128-10) and the bench CNN (LeNet-5's shape).
 * - Ensembles: one training step of 8 copies of a small MLP (different seeds) as one batched computation
 *   (vmap over the stacked parameters) against 8 sequential steps.
 * Run: npm run bench:vmap. Medians of 5 after a warm-up; writes bench/results/vmap.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as d from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { median } from './util.js';
import { benchCnn, benchMlp } from './models.js';

type Params = Record<string, d.Tensor>;
d.manualSeed(0);

function perExample(model: nn.Module, x: d.Tensor, y: d.Tensor) {
  const params = nn.paramsOf(model);
  const loss = (p: Params, xi: d.Tensor, yi: d.Tensor) =>
    d.crossEntropy(nn.functionalCall(model, p, xi.unsqueeze(0)), yi.unsqueeze(0));
  const vm = d.vmap(d.grad(loss), { inAxes: [null, 0, 0] });
  const vmapMs = median(() => vm(params, x, y));
  const loopMs = median(() => {
    for (let i = 0; i < x.shape[0]; i++) d.grad(loss)(params, x.index(i), y.index(i));
  });
  return { vmapMs, loopMs };
}

const rows: [string, string][] = [];
const out: Record<string, number> = {};
const mlp = perExample(benchMlp(), d.rand([64, 784]), d.randint(0, 10, [64]));
rows.push([
  'per-example grads, MLP, batch 64',
  `vmap ${mlp.vmapMs.toFixed(1)} ms, loop ${mlp.loopMs.toFixed(1)} ms (${(mlp.loopMs / mlp.vmapMs).toFixed(2)}x faster)`,
]);
Object.assign(out, { mlpVmapMs: mlp.vmapMs, mlpLoopMs: mlp.loopMs });

const cnn = perExample(benchCnn(), d.rand([64, 1, 28, 28]), d.randint(0, 10, [64]));
rows.push([
  'per-example grads, bench CNN, batch 64',
  `vmap ${cnn.vmapMs.toFixed(1)} ms, loop ${cnn.loopMs.toFixed(1)} ms (${(cnn.loopMs / cnn.vmapMs).toFixed(2)}x faster)`,
]);
Object.assign(out, { cnnVmapMs: cnn.vmapMs, cnnLoopMs: cnn.loopMs });

// Ensembles: N models of 784-64-10, one SGD step each on the same batch.
for (const N of [8, 32]) {
  const make = (seed: number) => {
    d.manualSeed(seed);
    return new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
  };
  const models = Array.from({ length: N }, (_, i) => make(i));
  const shape = models[0];
  const stacked: Params = Object.fromEntries(
    Object.keys(nn.paramsOf(shape)).map((k) => [k, d.stack(models.map((m) => nn.paramsOf(m)[k].detach()))]),
  );
  const xb = d.rand([128, 784]);
  const yb = d.randint(0, 10, [128]);
  const lossOf = (p: Params) => d.crossEntropy(nn.functionalCall(shape, p, xb), yb);
  const ensembleStep = d.vmap((p: Params) => {
    const g = d.grad(lossOf)(p) as Params;
    return Object.fromEntries(Object.keys(p).map((k) => [k, p[k].sub(g[k].mul(0.1))]));
  });
  const batchedMs = median(() => ensembleStep(stacked));
  const sequentialMs = median(() => {
    for (const m of models) {
      const p = nn.paramsOf(m);
      const g = d.grad(lossOf)(p) as Params;
      for (const k of Object.keys(p)) p[k].detach().sub(g[k].mul(0.1));
    }
  });
  rows.push([
    `ensemble of ${N} MLPs, one step`,
    `vmap ${batchedMs.toFixed(1)} ms, sequential ${sequentialMs.toFixed(1)} ms (${(sequentialMs / batchedMs).toFixed(2)}x faster)`,
  ]);
  Object.assign(out, { [`ensemble${N}VmapMs`]: batchedMs, [`ensemble${N}SequentialMs`]: sequentialMs });
}

console.log(`vmap bench, backend ${d.backend()}, Node ${process.version}`);
for (const [k, v] of rows) console.log(`${k.padEnd(40)} ${v}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/vmap.json',
  JSON.stringify({ ...out, backend: d.backend(), node: process.version }, null, 1),
);
