/**
 * Benchmark: the cost of a Hessian-vector product and of a Jacobian-vector product relative to one
 * gradient and one forward pass, on an MLP with about 100,000 parameters (float64, batch 64). Forward
 * mode (one JVP rule per primitive) against the way jvp and hvp were computed before it: a JVP by
 * transposing the VJP (two reverse passes) and an HVP as reverse over reverse.
 * Run: npm run bench:hvp. Prints a table and writes bench/results/hvp.json.
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
// The function of the parameters (a tree) that jvp and hvp take.
const P = nn.paramsOf(model);
const lossOf = (p: Record<string, d.Tensor>) => d.mseLoss(nn.functionalCall(model, p, x), y);
const tangent = Object.fromEntries(Object.entries(P).map(([k, t]) => [k, d.randnLike(t)]));
const forwardMs = median(() => d.noGrad(() => lossOf(P)));
const jvpMs = median(() => d.jvp(lossOf, [P], [tangent]));
// Before: J t as the gradient in u of <VJP(u), t> (two reverse passes).
const jvpTransposeMs = median(() => {
  const [out, back] = d.vjp(lossOf, P);
  const u = d.zerosLike(out.detach()).requiresGrad_(true);
  const [g] = back(u) as [Record<string, d.Tensor>];
  const s = Object.keys(g).reduce((acc: d.Tensor | null, k) => {
    const t = d.sum(g[k].mul(tangent[k]));
    return acc ? acc.add(t) : t;
  }, null)!;
  d.autogradGrad([s], [u]);
});
const hvpForwardMs = median(() => d.hvp(lossOf, P, tangent));
// Before: reverse over reverse, the gradient of <grad f, v>.
const hvpReverseMs = median(() =>
  d.grad((p: Record<string, d.Tensor>) => {
    const g = d.grad(lossOf)(p) as Record<string, d.Tensor>;
    return Object.keys(g).reduce((acc: d.Tensor | null, k) => {
      const t = d.sum(g[k].mul(tangent[k]));
      return acc ? acc.add(t) : t;
    }, null)!;
  })(P),
);
const rows = [
  ['parameters', String(op.dim)],
  ['forward', `${forwardMs.toFixed(1)} ms`],
  ['jvp, forward mode', `${jvpMs.toFixed(1)} ms (${(jvpMs / forwardMs).toFixed(2)}x forward)`],
  [
    'jvp by transposing the VJP (before)',
    `${jvpTransposeMs.toFixed(1)} ms (${(jvpTransposeMs / forwardMs).toFixed(2)}x forward)`,
  ],
  [
    'hvp, forward over reverse',
    `${hvpForwardMs.toFixed(1)} ms (${(hvpForwardMs / gradMs).toFixed(2)}x gradient)`,
  ],
  [
    'hvp, reverse over reverse (before)',
    `${hvpReverseMs.toFixed(1)} ms (${(hvpReverseMs / gradMs).toFixed(2)}x gradient)`,
  ],
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
  JSON.stringify(
    {
      params: op.dim,
      gradMs,
      hvpOnlyMs,
      hvpFullMs,
      forwardMs,
      jvpMs,
      jvpTransposeMs,
      hvpForwardMs,
      hvpReverseMs,
      node: process.version,
    },
    null,
    1,
  ),
);
