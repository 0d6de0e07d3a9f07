/** Every schedule of fixtures/lr_schedules.json: lr[t] for t = 0..100 to 1e-12 relative. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../src/index.js';
import { SGD } from '../src/optim/index.js';
import * as S from '../src/schedules/index.js';
import { fixture } from './helpers.js';

interface Sched {
  name: string;
  source: string;
  lr: number[];
  momentum?: number[];
  metrics?: number[];
}
const F = fixture<{ base_lr: number; schedules: Sched[] }>('lr_schedules.json');

type Opt = SGD;
const TORCH: Record<string, (o: Opt) => { step(m?: number): void }> = {
  StepLR: (o) => new S.StepLR(o, { stepSize: 10, gamma: 0.5 }),
  MultiStepLR: (o) => new S.MultiStepLR(o, { milestones: [20, 50, 80], gamma: 0.1 }),
  ExponentialLR: (o) => new S.ExponentialLR(o, { gamma: 0.97 }),
  PolynomialLR_power1: (o) => new S.PolynomialLR(o, { totalIters: 80, power: 1.0 }),
  PolynomialLR_power2: (o) => new S.PolynomialLR(o, { totalIters: 80, power: 2.0 }),
  LinearLR_warmup: (o) => new S.LinearLR(o, { startFactor: 0.1, endFactor: 1.0, totalIters: 10 }),
  LinearLR_decay: (o) => new S.LinearLR(o, { startFactor: 1.0, endFactor: 0.05, totalIters: 60 }),
  ConstantLR: (o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 10 }),
  CosineAnnealingLR_Tmax100: (o) => new S.CosineAnnealingLR(o, { tMax: 100, etaMin: 0.001 }),
  CosineAnnealingLR_Tmax40: (o) => new S.CosineAnnealingLR(o, { tMax: 40, etaMin: 0.001 }),
  CosineAnnealingWarmRestarts: (o) =>
    new S.CosineAnnealingWarmRestarts(o, { t0: 10, tMult: 2, etaMin: 0.001 }),
  CosineAnnealingWarmRestarts_Tmult1: (o) =>
    new S.CosineAnnealingWarmRestarts(o, { t0: 25, tMult: 1, etaMin: 0.0 }),
  OneCycleLR: (o) => new S.OneCycleLR(o, { maxLr: 1.0, totalSteps: 101 }),
  OneCycleLR_linear_three_phase: (o) =>
    new S.OneCycleLR(o, {
      maxLr: 1.0,
      totalSteps: 101,
      pctStart: 0.25,
      annealStrategy: 'linear',
      threePhase: true,
      divFactor: 10,
      finalDivFactor: 100,
    }),
  LambdaLR_inv_sqrt: (o) => new S.LambdaLR(o, (t) => 1 / (1 + 0.1 * t) ** 0.5),
  CyclicLR_triangular: (o) =>
    new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10, mode: 'triangular', cycleMomentum: false }),
  CyclicLR_triangular2: (o) =>
    new S.CyclicLR(o, {
      baseLr: 0.01,
      maxLr: 0.1,
      stepSizeUp: 10,
      mode: 'triangular2',
      cycleMomentum: false,
    }),
  SequentialLR_warmup_cosine: (o) =>
    new S.SequentialLR(
      o,
      [
        new S.LinearLR(o, { startFactor: 0.1, totalIters: 5 }),
        new S.CosineAnnealingLR(o, { tMax: 95, etaMin: 0.0 }),
      ],
      [5],
    ),
  ReduceLROnPlateau: (o) =>
    new S.ReduceLROnPlateau(o, {
      mode: 'min',
      factor: 0.5,
      patience: 5,
      threshold: 1e-4,
      thresholdMode: 'rel',
      cooldown: 2,
      minLr: 1e-4,
    }),
};

const OPTAX: Record<string, S.Schedule> = {
  warmup_cosine_decay_schedule: S.warmupCosineDecaySchedule({
    initValue: 0.0,
    peakValue: 0.1,
    warmupSteps: 10,
    decaySteps: 100,
    endValue: 0.001,
  }),
  warmup_cosine_decay_schedule_exp2: S.warmupCosineDecaySchedule({
    initValue: 0.01,
    peakValue: 0.1,
    warmupSteps: 20,
    decaySteps: 80,
    endValue: 0.0,
    exponent: 2.0,
  }),
  exponential_decay: S.exponentialDecay({ initValue: 0.1, transitionSteps: 10, decayRate: 0.5 }),
  exponential_decay_staircase: S.exponentialDecay({
    initValue: 0.1,
    transitionSteps: 10,
    decayRate: 0.5,
    staircase: true,
  }),
  exponential_decay_begin_end: S.exponentialDecay({
    initValue: 0.1,
    transitionSteps: 10,
    decayRate: 0.5,
    transitionBegin: 15,
    endValue: 0.01,
  }),
  piecewise_constant_schedule: S.piecewiseConstantSchedule(0.1, { 20: 0.5, 50: 0.2, 80: 0.1 }),
  cosine_decay_schedule: S.cosineDecaySchedule({ initValue: 0.1, decaySteps: 100, alpha: 0.01 }),
  linear_schedule: S.linearSchedule({
    initValue: 0.1,
    endValue: 0.0,
    transitionSteps: 80,
    transitionBegin: 10,
  }),
  polynomial_schedule: S.polynomialSchedule({
    initValue: 0.1,
    endValue: 0.001,
    power: 2,
    transitionSteps: 80,
  }),
  warmup_exponential_decay_schedule: S.warmupExponentialDecaySchedule({
    initValue: 0.0,
    peakValue: 0.1,
    warmupSteps: 10,
    transitionSteps: 10,
    decayRate: 0.5,
    endValue: 0.001,
  }),
  cosine_onecycle_schedule: S.cosineOnecycleSchedule({ transitionSteps: 100, peakValue: 1.0 }),
};

function close(got: number, want: number, what: string) {
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(
    1e-12 * Math.abs(want) + 1e-300,
  );
}

describe('lr_schedules.json', () => {
  it('covers all 30 schedules', () => {
    expect(F.schedules.length).toBe(30);
    expect(F.schedules.map((s) => s.name).filter((n) => !(n in TORCH) && !(n in OPTAX))).toEqual([]);
  });
  for (const s of F.schedules) {
    it(`${s.name} (${s.source})`, () => {
      if (s.source === 'optax') {
        s.lr.forEach((want, t) => close(OPTAX[s.name](t), want, `lr[${t}]`));
        return;
      }
      const p = tensor([0], { dtype: 'float64', requiresGrad: true });
      const opt = new SGD([p], { lr: F.base_lr, momentum: s.momentum ? 0.9 : 0 });
      const sched = TORCH[s.name](opt);
      const lrs = [opt.paramGroups[0].lr];
      const moms = [opt.paramGroups[0].momentum];
      for (let t = 0; t < 100; t++) {
        p.grad = tensor([0], { dtype: 'float64' });
        opt.step();
        sched.step(s.metrics?.[t]);
        lrs.push(opt.paramGroups[0].lr);
        moms.push(opt.paramGroups[0].momentum);
      }
      s.lr.forEach((want, t) => close(lrs[t], want, `lr[${t}]`));
      s.momentum?.forEach((want, t) => close(moms[t], want, `momentum[${t}]`));
    });
  }
});

describe('lecture schedule forms', () => {
  it('follow their formulas', () => {
    expect(S.powerSchedule(0.1, -0.5)(3)).toBeCloseTo(0.1 * 4 ** -0.5, 15);
    expect(S.geometricSchedule(0.1, 0.9)(2)).toBeCloseTo(0.1 * 0.81, 15);
    expect(S.exponentialSchedule(0.1, 0.5)(2)).toBeCloseTo(0.1 * Math.exp(-1), 15);
    expect(S.inverseTimeSchedule(0.1, 0.5, 2)(3)).toBeCloseTo(0.1 * 7 ** -0.5, 15);
  });
});

describe('closed forms (step(epoch)) are the schedule functions and agree with the recursive steps', () => {
  const sched: Record<string, (o: SGD) => S.LRScheduler> = {
    StepLR: (o) => new S.StepLR(o, { stepSize: 7, gamma: 0.5 }),
    MultiStepLR: (o) => new S.MultiStepLR(o, { milestones: [5, 12, 12, 30], gamma: 0.3 }),
    ConstantLR: (o) => new S.ConstantLR(o, { factor: 0.25, totalIters: 6 }),
    LinearLR: (o) => new S.LinearLR(o, { startFactor: 0.2, endFactor: 0.9, totalIters: 15 }),
    ExponentialLR: (o) => new S.ExponentialLR(o, { gamma: 0.93 }),
    PolynomialLR: (o) => new S.PolynomialLR(o, { totalIters: 20, power: 2 }),
    CosineAnnealingLR: (o) => new S.CosineAnnealingLR(o, { tMax: 25, etaMin: 0.001 }),
    CosineAnnealingWarmRestarts: (o) =>
      new S.CosineAnnealingWarmRestarts(o, { t0: 5, tMult: 2, etaMin: 0.001 }),
  };
  for (const [name, make] of Object.entries(sched)) {
    it(name, () => {
      const a = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
      const b = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
      const sa = make(a);
      const sb = make(b);
      for (let t = 1; t <= 60; t++) {
        sa.step();
        sb.step(t); // the closed form
        const [x, y] = [sa.getLastLr()[0], sb.getLastLr()[0]];
        expect(Math.abs(x - y), `${name} epoch ${t}: ${x} vs ${y}`).toBeLessThanOrEqual(
          1e-12 * Math.abs(x) + 1e-15,
        );
      }
    });
  }

  it("sgdrSchedule and cosineAnnealingSchedule give the schedulers' values", () => {
    const o = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
    const s = new S.CosineAnnealingWarmRestarts(o, { t0: 4, tMult: 3, etaMin: 0.01 });
    const f = S.sgdrSchedule({ initValue: 0.1, t0: 4, tMult: 3, etaMin: 0.01 });
    for (let t = 1; t < 80; t++) {
      s.step();
      expect(f(t)).toBeCloseTo(s.getLastLr()[0], 13);
    }
    const c = S.cosineAnnealingSchedule({ initValue: 0.1, tMax: 10, etaMin: 0.02 });
    expect(c(0)).toBeCloseTo(0.1, 15);
    expect(c(10)).toBeCloseTo(0.02, 15);
    expect(c(20)).toBeCloseTo(0.1, 15); // rises again past tMax, as PyTorch's
    expect(() => S.sgdrSchedule({ initValue: 1, t0: 0 })).toThrow(/t0 must be a positive integer/);
  });
  it("cyclicSchedule gives CyclicLR's values in every mode, and the triangle by hand", () => {
    for (const mode of ['triangular', 'triangular2', 'exp_range'] as const) {
      const o = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
      const opts = { baseLr: 0.001, maxLr: 0.01, stepSizeUp: 3, stepSizeDown: 5, mode, gamma: 0.97 };
      const s = new S.CyclicLR(o, { ...opts, cycleMomentum: false });
      const f = S.cyclicSchedule({
        baseValue: 0.001,
        maxValue: 0.01,
        stepSizeUp: 3,
        stepSizeDown: 5,
        mode,
        gamma: 0.97,
      });
      for (let t = 1; t < 40; t++) {
        s.step();
        expect(f(t), `${mode} step ${t}`).toBeCloseTo(s.getLastLr()[0], 14);
      }
    }
    // Up 0.001 -> 0.01 in 3 steps, down in 5: step 3 is the peak, step 8 the base again, step 11 the peak.
    const f = S.cyclicSchedule({ baseValue: 0.001, maxValue: 0.01, stepSizeUp: 3, stepSizeDown: 5 });
    expect([0, 3, 8, 11].map(f)).toEqual([0.001, 0.01, 0.001, 0.01].map((v) => expect.closeTo(v, 15)));
    expect(f(1)).toBeCloseTo(0.004, 15);
    const t2 = S.cyclicSchedule({ baseValue: 0, maxValue: 1, stepSizeUp: 2, mode: 'triangular2' });
    expect([2, 6, 10].map(t2)).toEqual([1, 0.5, 0.25]);
  });
});
