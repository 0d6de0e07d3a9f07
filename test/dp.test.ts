/**
 * DP-SGD and its accountant.
 * - With no noise and a clipping norm above every per-example norm, a DP step is plain SGD on the mean loss.
 * - With clipping, the step equals a hand computation (per-example gradients of a linear model by formula).
 * - The RDP of the subsampled Gaussian equals an independent computation: A_α = E_{z~N(0,σ²)}[((1-q) +
 *   q exp((2z-1)/(2σ²)))^α] by numerical integration (the definition, not the library's series), for
 *   integer and fractional orders; ε for three (q, σ, steps, δ) settings from those integrals.
 * - TensorFlow Privacy's MNIST tutorial values (older conversion ε = min_α rdp - log δ/(α-1)): σ = 1.1,
 *   q = 256/60000, 60 epochs, δ = 1e-5 gives 3.01; σ = 0.7, 45 epochs gives 7.10.
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import type { Tensor } from '../src/index.js';
import {
  DEFAULT_ORDERS,
  DPOptimizer,
  RDPAccountant,
  clipAndSum,
  epsilonFromRdp,
  poissonSample,
  rdpSampledGaussian,
} from '../src/privacy/index.js';
import { ValueError } from '../src/errors.js';
import { assertClose } from './helpers.js';

d.setDefaultDtype('float64');

describe('DPOptimizer', () => {
  it('without noise and with a clipping norm above every example, one step is plain SGD', () => {
    d.manualSeed(1);
    const make = () => {
      d.manualSeed(2);
      return new nn.Sequential(new nn.Linear(4, 5), new nn.Tanh(), new nn.Linear(5, 3));
    };
    const x = d.randn([6, 4]);
    const y = d.randint(0, 3, [6]);
    const a = make();
    const b = make();
    const dp = new DPOptimizer(
      a,
      new SGD(a.parameters(), { lr: 0.3 }),
      { noiseMultiplier: 0, maxGradNorm: 1e9, expectedBatchSize: 6 },
      { datasetSize: 60 },
    );
    const loss = dp.step((out, t) => d.crossEntropy(out, t), x, y);
    const opt = new SGD(b.parameters(), { lr: 0.3 });
    const ref = d.crossEntropy(b.call(x) as Tensor, y);
    ref.backward();
    opt.step();
    expect(loss).toBeCloseTo(ref.item(), 12);
    a.parameters().forEach((p, i) => assertClose(p, b.parameters()[i], 1e-12, 1e-12, `parameter ${i}`));
    expect(dp.epsilon(1e-5)).toBe(Infinity); // no noise, no privacy
  });

  it('with clipping, the step equals a hand computation', () => {
    // f(x) = w·x (no bias), loss_i = (w·x_i - y_i)^2, so g_i = 2 (w·x_i - y_i) x_i.
    const model = new nn.Linear(2, 1, { bias: false });
    const w0 = [0.5, -1];
    d.noGrad(() => model.weight.copy_(d.tensor([w0])));
    const xs = [
      [1, 2],
      [3, -1],
      [0.5, 0.5],
    ];
    const ys = [1, 0, 2];
    const C = 1.5;
    const lr = 0.1;
    const dp = new DPOptimizer(
      model,
      new SGD(model.parameters(), { lr }),
      { noiseMultiplier: 0, maxGradNorm: C, expectedBatchSize: 3 },
      { datasetSize: 30 },
    );
    dp.step((out, t) => d.mseLoss(out.reshape([-1]), t), d.tensor(xs), d.tensor(ys));
    const sum = [0, 0];
    xs.forEach((x, i) => {
      const r = w0[0] * x[0] + w0[1] * x[1] - ys[i];
      const g = [2 * r * x[0], 2 * r * x[1]];
      const norm = Math.hypot(g[0], g[1]);
      const f = Math.min(1, C / (norm + 1e-6));
      sum[0] += f * g[0];
      sum[1] += f * g[1];
    });
    const want = [w0[0] - (lr * sum[0]) / 3, w0[1] - (lr * sum[1]) / 3];
    assertClose(model.weight.reshape([2]), d.tensor(want), 1e-12, 1e-12, 'clipped step');
  });

  it('adds noise of standard deviation σC / expectedBatchSize', () => {
    d.manualSeed(3);
    const model = new nn.Linear(50, 40, { bias: false });
    d.noGrad(() => model.weight.zero_());
    const dp = new DPOptimizer(
      model,
      new SGD(model.parameters(), { lr: 1 }),
      { noiseMultiplier: 2, maxGradNorm: 0.5, expectedBatchSize: 4, generator: new d.Generator(9) },
      { datasetSize: 100 },
    );
    // Zero inputs give zero gradients: the step is the noise alone.
    dp.step((out, t) => d.mseLoss(out, t), d.zeros([4, 50]), d.zeros([4, 40]));
    const std = d.std(model.weight).item();
    expect(std).toBeGreaterThan((0.9 * (2 * 0.5)) / 4);
    expect(std).toBeLessThan((1.1 * (2 * 0.5)) / 4);
  });

  it('clipAndSum scales each example to at most the norm', () => {
    const g = {
      a: d.tensor([
        [3, 4],
        [0.3, 0.4],
      ]),
      b: d.tensor([[0], [0]]),
    };
    const { sums, norms } = clipAndSum(g, 1);
    assertClose(norms, d.tensor([5, 0.5]), 1e-12, 1e-12, 'norms');
    assertClose(sums.a, d.tensor([3 / (5 + 1e-6) + 0.3, 4 / (5 + 1e-6) + 0.4]), 1e-12, 1e-12, 'sum');
    expect(() => clipAndSum(g, 0)).toThrow(ValueError);
  });

  it('Poisson sampling keeps about q of the examples', () => {
    const idx = poissonSample(20000, 0.1, new d.Generator(4));
    expect(idx.size).toBeGreaterThan(1800);
    expect(idx.size).toBeLessThan(2200);
  });

  it('bad options are typed errors naming the option', () => {
    const m = new nn.Linear(2, 2);
    const o = new SGD(m.parameters(), { lr: 0.1 });
    expect(
      () =>
        new DPOptimizer(
          m,
          o,
          { noiseMultiplier: -1, maxGradNorm: 1, expectedBatchSize: 2 },
          { datasetSize: 10 },
        ),
    ).toThrow(/noiseMultiplier/);
    expect(
      () =>
        new DPOptimizer(
          m,
          o,
          { noiseMultiplier: 1, maxGradNorm: 0, expectedBatchSize: 2 },
          { datasetSize: 10 },
        ),
    ).toThrow(/maxGradNorm/);
    expect(
      () =>
        new DPOptimizer(
          m,
          o,
          { noiseMultiplier: 1, maxGradNorm: 1, expectedBatchSize: 20 },
          { datasetSize: 10 },
        ),
    ).toThrow(/datasetSize/);
  });
});

/** log A_α by numerical integration of the definition over z ~ N(0, σ²) (trapezoid, 200k points). */
function logAByIntegration(q: number, sigma: number, alpha: number): number {
  const lo = -40 * sigma;
  const hi = 40 * sigma + 1;
  const n = 200000;
  const h = (hi - lo) / n;
  // Work in logs: the integrand spans many orders of magnitude.
  const terms: number[] = [];
  for (let i = 0; i <= n; i++) {
    const z = lo + i * h;
    const logDensity = -(z * z) / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI));
    const ratio = Math.log(1 - q + q * Math.exp((2 * z - 1) / (2 * sigma * sigma)));
    terms.push(logDensity + alpha * ratio + Math.log(i === 0 || i === n ? h / 2 : h));
  }
  let m = -Infinity;
  for (const t of terms) if (t > m) m = t;
  return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
}

describe('RDP accountant for the subsampled Gaussian', () => {
  const settings = [
    { q: 0.01, sigma: 1.0, steps: 1000, delta: 1e-5 },
    { q: 256 / 60000, sigma: 1.1, steps: 60 * 235, delta: 1e-5 },
    { q: 0.05, sigma: 2.0, steps: 300, delta: 1e-6 },
  ];
  const orders = [1.5, 2, 2.7, 4, 8, 16, 32];

  it("one step's RDP at integer and fractional orders equals numerical integration of its definition", () => {
    for (const { q, sigma } of settings) {
      const lib = rdpSampledGaussian(q, sigma, orders);
      orders.forEach((a, i) => {
        const want = logAByIntegration(q, sigma, a) / (a - 1);
        expect(Math.abs(lib[i] - want)).toBeLessThan(1e-7 * Math.max(1, Math.abs(want)));
      });
    }
  });

  it('ε for three settings equals ε from the integrated RDP', () => {
    for (const { q, sigma, steps, delta } of settings) {
      const acc = new RDPAccountant(orders);
      acc.step(q, sigma, steps);
      const integrated = orders.map((a) => (steps * logAByIntegration(q, sigma, a)) / (a - 1));
      const want = epsilonFromRdp(orders, integrated, delta).epsilon;
      // The conversion written out here too: min over α of rdp - (log δ + log α)/(α-1) + log((α-1)/α).
      const byHand = Math.min(
        ...orders.map(
          (a, i) => integrated[i] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a),
        ),
      );
      expect(want).toBeCloseTo(byHand, 10);
      expect(acc.getEpsilon(delta)).toBeCloseTo(want, 5);
    }
  });

  it("reproduces TensorFlow Privacy's MNIST tutorial values with its conversion", () => {
    const oldEps = (sigma: number, epochs: number) => {
      const steps = Math.round((epochs * 60000) / 256);
      const r = rdpSampledGaussian(256 / 60000, sigma, DEFAULT_ORDERS).map((v) => v * steps);
      return Math.min(...DEFAULT_ORDERS.map((a, i) => r[i] - Math.log(1e-5) / (a - 1)));
    };
    expect(oldEps(1.1, 60)).toBeCloseTo(3.01, 2);
    expect(oldEps(0.7, 45)).toBeCloseTo(7.1, 2);
  });

  it('more steps or less noise spend more ε', () => {
    const e = (sigma: number, steps: number) => {
      const a = new RDPAccountant();
      a.step(0.01, sigma, steps);
      return a.getEpsilon(1e-5);
    };
    expect(e(1, 2000)).toBeGreaterThan(e(1, 1000));
    expect(e(0.8, 1000)).toBeGreaterThan(e(1, 1000));
    expect(new RDPAccountant().getEpsilon(1e-5)).toBe(0);
  });
});
