/**
 * Benchmark: the cost of a Hessian-vector product relative to one gradient, on an MLP with about 100,000
 * parameters (float64, batch 64). Run: npm run bench:hvp. Prints a table and writes bench/results/hvp.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as d from '../src/index.js';
import * as nn from '../src/nn/index.js';
import * as dg from '../src/diagnostics/index.js';
import { median } from './util.js';

const f64 = { dtype: 'float64' as const };
d.manualSeed(0);
const model = new nn.Sequential(
  new nn.Linear(50, 300, f64),
  new nn.Tanh(),
  new nn.Linear(300, 250, f64),
  new nn.Tanh(),
  new nn.Linear(250, 10, f64),
);
const x = d.randn([64, 50], f64);
const y = d.randn([64, 10], f64);
const loss = () => d.mseLoss(model.call(x) as d.Tensor, y);
const params = model.parameters();

const gradMs = median(() => {
  const l = loss();
  d.autogradGrad([l], params);
});
const op = dg.hessianOperator(loss, params);
const v = d.randn([op.dim], f64);
const hvpOnlyMs = median(() => op.matvec(v));
const hvpFullMs = median(() => dg.hessianOperator(loss, params).matvec(v));
const rows = [
  ['parameters', String(op.dim)],
  ['gradient (forward + backward)', `${gradMs.toFixed(1)} ms`],
  ['HVP, gradient graph reused', `${hvpOnlyMs.toFixed(1)} ms (${(hvpOnlyMs / gradMs).toFixed(2)}x gradient)`],
  [
    'HVP from scratch (forward + 2 backward)',
    `${hvpFullMs.toFixed(1)} ms (${(hvpFullMs / gradMs).toFixed(2)}x gradient)`,
  ],
];
for (const [k, val] of rows) console.log(`${k.padEnd(42)} ${val}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/hvp.json',
  JSON.stringify({ params: op.dim, gradMs, hvpOnlyMs, hvpFullMs, node: process.version }, null, 1),
);
