/**
 * Runs inside a browser page (test/browser.test.ts bundles it, with descend itself left to the page's
 * import map): the PyTorch conformance cases of fixtures/autodiff.json and a training step, on whatever
 * backend is current. No Node APIs here.
 */
import * as d from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { CASES } from '../conformance.cases.js';

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface Encoded {
  shape: number[];
  data: Num[];
  dtype?: string;
  requires_grad?: boolean;
}
interface Case {
  name: string;
  inputs: Record<string, Encoded>;
  output: Encoded;
  upstream_grad: Encoded;
  grads: Record<string, Encoded>;
}

const num = (v: Num) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

function decode(e: Encoded, dtype: d.DType): d.Tensor {
  const kind = e.dtype?.startsWith('int') ? 'int32' : e.dtype === 'bool' ? 'bool' : dtype;
  return d.tensor(e.data.map(num), { dtype: kind }).reshape(e.shape);
}

/** The first element outside atol + rtol |expected|, described; null when all are close. */
function mismatch(t: d.Tensor, e: Encoded, rtol: number, atol: number): string | null {
  if (t.shape.join() !== e.shape.join()) return `shape [${t.shape}] vs [${e.shape}]`;
  const a = t.dataSync();
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = num(e.data[i]);
    const ok = Number.isNaN(y)
      ? Number.isNaN(x)
      : !Number.isFinite(y)
        ? x === y
        : Math.abs(x - y) <= atol + rtol * Math.abs(y);
    if (!ok) return `[${i}] ${x} vs ${y}`;
  }
  return null;
}

/** Every case in both float dtypes; returns how many passed and what failed. */
export function conformance(cases: Case[]): { passed: number; failures: string[] } {
  const tol = { float64: [1e-10, 1e-12], float32: [1e-4, 1e-5] } as const;
  const failures: string[] = [];
  let passed = 0;
  for (const dtype of ['float64', 'float32'] as const)
    for (const c of cases) {
      const [rtol, atol] = tol[dtype];
      try {
        const inputs: Record<string, d.Tensor> = {};
        for (const [k, e] of Object.entries(c.inputs)) {
          inputs[k] = decode(e, dtype);
          if (e.requires_grad) inputs[k].requiresGrad_(true);
        }
        const out = CASES[c.name](inputs);
        const bad = [mismatch(out, c.output, rtol, atol)];
        out.backward(decode(c.upstream_grad, dtype).reshape(out.shape));
        for (const [k, g] of Object.entries(c.grads)) {
          const got = inputs[k].grad;
          bad.push(got ? mismatch(got, g, rtol, atol) : 'no gradient');
        }
        const first = bad.find((b) => b !== null);
        if (first) failures.push(`${c.name} ${dtype}: ${first}`);
        else passed++;
      } catch (e) {
        failures.push(`${c.name} ${dtype}: threw ${(e as Error).message}`);
      }
    }
  return { passed, failures };
}

/** Training steps of the bench's 784-256-128-10 MLP (Adam, batch 128): losses and samples/s. */
export function train(steps: number): { losses: number[]; samplesPerSecond: number } {
  d.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = d.rand([128, 784]);
  const y = d.randint(0, 10, [128]);
  const losses: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = d.crossEntropy(model.call(x) as d.Tensor, y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { losses, samplesPerSecond: (128 * steps) / ((performance.now() - t0) / 1000) };
}

export { d };
