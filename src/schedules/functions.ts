/**
 * Schedules as plain functions of the step count (optax's design): pass one anywhere a learning rate
 * is accepted. Definitions and defaults follow optax 0.2; the lectures' textbook forms are at the end.
 * @example
 * const lr = warmupCosineDecaySchedule({ initValue: 0, peakValue: 0.1, warmupSteps: 10, decaySteps: 100 });
 * const tx = adam(lr);
 */
import { ValueError, own } from '../errors.js';
import type { Schedule } from '../optim/core.js';

export type { Schedule };

/** Always `value`. @example constantSchedule(0.1)(50) // 0.1 */
export function constantSchedule(value: number): Schedule {
  return () => value;
}

/**
 * (init - end) (1 - t/T)^power + end, with t = clip(count - transitionBegin, 0, T).
 * @example polynomialSchedule({ initValue: 0.1, endValue: 0.001, power: 2, transitionSteps: 80 })
 */
export function polynomialSchedule(o: {
  initValue: number;
  endValue: number;
  power: number;
  transitionSteps: number;
  transitionBegin?: number;
}): Schedule {
  const begin = o.transitionBegin ?? 0;
  if (!(o.transitionSteps > 0)) return () => o.initValue;
  return (count) => {
    const c = Math.min(Math.max(count - begin, 0), o.transitionSteps);
    const frac = 1 - c / o.transitionSteps;
    return (o.initValue - o.endValue) * frac ** o.power + o.endValue;
  };
}

/** Linear from initValue to endValue over transitionSteps. @example linearSchedule({ initValue: 0.1, endValue: 0, transitionSteps: 80 }) */
export function linearSchedule(o: {
  initValue: number;
  endValue: number;
  transitionSteps: number;
  transitionBegin?: number;
}): Schedule {
  return polynomialSchedule({ ...o, power: 1 });
}

/** exponentialDecay's options (optax's names). */
export interface ExponentialDecayOptions {
  initValue: number;
  transitionSteps: number;
  decayRate: number;
  transitionBegin?: number;
  staircase?: boolean;
  endValue?: number;
}

/**
 * init * decayRate^((count - transitionBegin) / transitionSteps), floored with `staircase`, held at init
 * before transitionBegin and clipped at endValue.
 * @example exponentialDecay({ initValue: 0.1, transitionSteps: 10, decayRate: 0.5 })
 */
export function exponentialDecay(o: ExponentialDecayOptions): Schedule {
  if (!(o.transitionSteps > 0))
    throw new ValueError('exponentialDecay', `transitionSteps must be > 0, got ${o.transitionSteps}`);
  const begin = o.transitionBegin ?? 0;
  return (count) => {
    const dc = count - begin;
    let p = dc / o.transitionSteps;
    if (o.staircase) p = Math.floor(p);
    let v = dc <= 0 ? o.initValue : o.initValue * o.decayRate ** p;
    if (o.endValue !== undefined) v = o.decayRate < 1 ? Math.max(v, o.endValue) : Math.min(v, o.endValue);
    return v;
  };
}

/**
 * init times the product of the scales of every boundary <= count (scales multiply cumulatively).
 * @example piecewiseConstantSchedule(0.1, { 20: 0.5, 50: 0.2 })
 */
export function piecewiseConstantSchedule(
  initValue: number,
  boundariesAndScales: Record<number, number> = {},
): Schedule {
  const items = Object.entries(boundariesAndScales)
    .map(([b, s]) => [Number(b), s] as const)
    .sort((a, b) => a[0] - b[0]);
  return (count) => {
    let v = initValue;
    for (const [b, s] of items) if (count >= b) v *= s;
    return v;
  };
}

/**
 * init ((1 - alpha) (0.5 (1 + cos(pi min(count, T) / T)))^exponent + alpha).
 * @example cosineDecaySchedule({ initValue: 0.1, decaySteps: 100, alpha: 0.01 })
 */
export function cosineDecaySchedule(o: {
  initValue: number;
  decaySteps: number;
  alpha?: number;
  exponent?: number;
}): Schedule {
  if (!(o.decaySteps > 0))
    throw new ValueError('cosineDecaySchedule', `decaySteps must be > 0, got ${o.decaySteps}`);
  const alpha = o.alpha ?? 0;
  const exponent = o.exponent ?? 1;
  return (count) => {
    const c = Math.min(count, o.decaySteps);
    const cos = 0.5 * (1 + Math.cos((Math.PI * c) / o.decaySteps));
    return o.initValue * ((1 - alpha) * cos ** exponent + alpha);
  };
}

/** From start to end along half a cosine as pct goes 0 -> 1 (the anneal of OneCycleLR and SGDR). */
export function cosineAnneal(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

/** From start to end along a line as pct goes 0 -> 1. */
export function linearAnneal(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/**
 * PyTorch's CosineAnnealingLR in closed form: etaMin + (init - etaMin)(1 + cos(pi count / tMax)) / 2. Past
 * tMax it rises again (a period of 2 tMax), as PyTorch's does; `cosineDecaySchedule` holds instead.
 * @example cosineAnnealingSchedule({ initValue: 0.1, tMax: 100, etaMin: 0.001 })
 */
export function cosineAnnealingSchedule(o: { initValue: number; tMax: number; etaMin?: number }): Schedule {
  if (!(o.tMax > 0)) throw new ValueError('cosineAnnealingSchedule', `tMax must be > 0, got ${o.tMax}`);
  const e = o.etaMin ?? 0;
  return (count) => cosineAnneal(o.initValue, e, count / o.tMax);
}

/** SGDR's position: the step within the current cycle and that cycle's length (t0, t0 tMult, ...). */
export function sgdrPosition(count: number, t0: number, tMult = 1): { tCur: number; tI: number } {
  if (count < t0) return { tCur: count, tI: t0 };
  if (tMult === 1) return { tCur: count % t0, tI: t0 };
  const n = Math.floor(Math.log((count / t0) * (tMult - 1) + 1) / Math.log(tMult));
  return { tCur: count - (t0 * (tMult ** n - 1)) / (tMult - 1), tI: t0 * tMult ** n };
}

/**
 * SGDR, cosine annealing with warm restarts (Loshchilov and Hutter 2017; PyTorch's
 * CosineAnnealingWarmRestarts): cycles of t0, t0 tMult, t0 tMult², ... steps, each a cosine from
 * initValue down to etaMin.
 * @example sgdrSchedule({ initValue: 0.1, t0: 10, tMult: 2, etaMin: 0.001 })
 */
export function sgdrSchedule(o: {
  initValue: number;
  t0: number;
  tMult?: number;
  etaMin?: number;
}): Schedule {
  if (!(Number.isInteger(o.t0) && o.t0 > 0))
    throw new ValueError('sgdrSchedule', `t0 must be a positive integer, got ${o.t0}`);
  const m = o.tMult ?? 1;
  if (!(Number.isInteger(m) && m >= 1))
    throw new ValueError('sgdrSchedule', `tMult must be an integer >= 1, got ${m}`);
  const e = o.etaMin ?? 0;
  return (count) => {
    const { tCur, tI } = sgdrPosition(count, o.t0, m);
    return cosineAnneal(o.initValue, e, tCur / tI);
  };
}

/**
 * Where `count` is in triangular cycles of `stepSizeUp` rising then `stepSizeDown` falling steps (PyTorch's
 * CyclicLR): the cycle, counted from 1, and the height in [0, 1] within it.
 */
export function cyclicPosition(
  count: number,
  stepSizeUp: number,
  stepSizeDown = stepSizeUp,
): { cycle: number; height: number } {
  const total = stepSizeUp + stepSizeDown;
  const ratio = stepSizeUp / total;
  const cycle = Math.floor(1 + count / total);
  const x = 1 + count / total - cycle;
  return { cycle, height: x <= ratio ? x / ratio : (x - 1) / (ratio - 1) };
}

export type CyclicMode = 'triangular' | 'triangular2' | 'exp_range';

/**
 * The amplitude scale of each cyclic mode: 1 (triangular), halved every cycle (triangular2), or gamma^count
 * (exp_range, per iteration).
 */
export const CYCLIC_SCALES: Record<
  CyclicMode,
  { scale: (gamma: number) => (x: number) => number; per: 'cycle' | 'iterations' }
> = {
  triangular: { scale: () => () => 1, per: 'cycle' },
  triangular2: { scale: () => (x) => 1 / 2 ** (x - 1), per: 'cycle' },
  exp_range: { scale: (gamma) => (x) => gamma ** x, per: 'iterations' },
};

/**
 * Cyclical learning rates (Smith 2017; PyTorch's CyclicLR): up from baseValue to maxValue in stepSizeUp
 * steps, down in stepSizeDown, the amplitude scaled by the mode.
 * @example cyclicSchedule({ baseValue: 0.001, maxValue: 0.01, stepSizeUp: 10 })(5) // 0.0055
 */
export function cyclicSchedule(o: {
  baseValue: number;
  maxValue: number;
  stepSizeUp: number;
  stepSizeDown?: number;
  mode?: CyclicMode;
  gamma?: number;
}): Schedule {
  if (!(o.stepSizeUp > 0))
    throw new ValueError('cyclicSchedule', `stepSizeUp must be > 0, got ${o.stepSizeUp}`);
  const { scale, per } = own(CYCLIC_SCALES, o.mode ?? 'triangular') ?? {};
  if (!scale)
    throw new ValueError(
      'cyclicSchedule',
      `mode must be triangular, triangular2 or exp_range, got '${String(o.mode)}'`,
    );
  const f = scale(o.gamma ?? 1);
  return (count) => {
    const { cycle, height } = cyclicPosition(count, o.stepSizeUp, o.stepSizeDown);
    return o.baseValue + (o.maxValue - o.baseValue) * height * f(per === 'cycle' ? cycle : count);
  };
}

/**
 * Runs schedules[0], then schedules[i] from boundaries[i-1] on, each with its own count from 0.
 * @example
 * const warm = linearSchedule({ initValue: 0, endValue: 0.1, transitionSteps: 10 });
 * const lr = joinSchedules([warm, cosineDecaySchedule({ initValue: 0.1, decaySteps: 90 })], [10]);
 * lr(5) // 0.05
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (schedules.length !== boundaries.length + 1) {
    throw new ValueError(
      'joinSchedules',
      `needs one more schedule than boundaries, got ${schedules.length} and ${boundaries.length}`,
    );
  }
  return (count) => {
    let out = schedules[0](count);
    boundaries.forEach((b, i) => {
      if (count >= b) out = schedules[i + 1](count - b);
    });
    return out;
  };
}

/**
 * Linear warmup from initValue to peakValue over warmupSteps, then cosine decay to endValue; decaySteps
 * includes the warmup (as in optax).
 * @example warmupCosineDecaySchedule({ initValue: 0, peakValue: 0.1, warmupSteps: 10, decaySteps: 100, endValue: 0.001 })
 */
export function warmupCosineDecaySchedule(o: {
  initValue: number;
  peakValue: number;
  warmupSteps: number;
  decaySteps: number;
  endValue?: number;
  exponent?: number;
}): Schedule {
  const end = o.endValue ?? 0;
  const alpha = o.peakValue === 0 ? 0 : end / o.peakValue;
  return joinSchedules(
    [
      linearSchedule({ initValue: o.initValue, endValue: o.peakValue, transitionSteps: o.warmupSteps }),
      cosineDecaySchedule({
        initValue: o.peakValue,
        decaySteps: o.decaySteps - o.warmupSteps,
        alpha,
        exponent: o.exponent,
      }),
    ],
    [o.warmupSteps],
  );
}

/**
 * Linear warmup to peakValue, then exponentialDecay from it.
 * @example warmupExponentialDecaySchedule({ initValue: 0, peakValue: 0.1, warmupSteps: 10, transitionSteps: 10, decayRate: 0.5 })
 */
export function warmupExponentialDecaySchedule(
  o: ExponentialDecayOptions & { peakValue: number; warmupSteps: number },
): Schedule {
  return joinSchedules(
    [
      linearSchedule({ initValue: o.initValue, endValue: o.peakValue, transitionSteps: o.warmupSteps }),
      exponentialDecay({
        initValue: o.peakValue,
        transitionSteps: o.transitionSteps,
        decayRate: o.decayRate,
        transitionBegin: o.transitionBegin,
        staircase: o.staircase,
        endValue: o.endValue,
      }),
    ],
    [o.warmupSteps],
  );
}

/**
 * Interpolates (linearly or by a half cosine) between the cumulative values init, init*s1, init*s1*s2, ...
 * placed at 0 and at each boundary.
 * @example piecewiseInterpolateSchedule('cosine', 0.04, { 30: 25, 100: 1e-5 })
 */
export function piecewiseInterpolateSchedule(
  interpolateType: 'linear' | 'cosine',
  initValue: number,
  boundariesAndScales: Record<number, number> = {},
): Schedule {
  const items = Object.entries(boundariesAndScales)
    .map(([b, s]) => [Number(b), s] as const)
    .sort((a, b) => a[0] - b[0]);
  if (items.some(([, s]) => s < 0))
    throw new ValueError('piecewiseInterpolateSchedule', 'scales must be non-negative');
  const bounds = [0, ...items.map(([b]) => b)];
  const values = [initValue];
  for (const [, s] of items) values.push(values[values.length - 1] * s);
  const interp = interpolateType === 'linear' ? linearAnneal : cosineAnneal;
  return (count) => {
    let out = 0;
    for (let i = 0; i < bounds.length - 1; i++) {
      if (bounds[i] <= count && count < bounds[i + 1]) {
        out += interp(values[i], values[i + 1], (count - bounds[i]) / (bounds[i + 1] - bounds[i]));
      }
    }
    if (bounds[bounds.length - 1] <= count) out += values[values.length - 1];
    return out;
  };
}

/**
 * One-cycle with cosine phases: peakValue/divFactor up to peakValue at pctStart, then down to
 * peakValue/(divFactor finalDivFactor).
 * @example cosineOnecycleSchedule({ transitionSteps: 100, peakValue: 1 })
 */
export function cosineOnecycleSchedule(o: {
  transitionSteps: number;
  peakValue: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
}): Schedule {
  const pctStart = o.pctStart ?? 0.3;
  const div = o.divFactor ?? 25;
  const finalDiv = o.finalDivFactor ?? 1e4;
  return piecewiseInterpolateSchedule('cosine', o.peakValue / div, {
    [Math.trunc(pctStart * o.transitionSteps)]: div,
    [Math.trunc(o.transitionSteps)]: 1 / (div * finalDiv),
  });
}

/** One-cycle with linear phases (optax.linear_onecycle_schedule). */
export function linearOnecycleSchedule(o: {
  transitionSteps: number;
  peakValue: number;
  pctStart?: number;
  pctFinal?: number;
  divFactor?: number;
  finalDivFactor?: number;
}): Schedule {
  const { transitionSteps: T, peakValue } = o;
  const div = o.divFactor ?? 25;
  const finalDiv = o.finalDivFactor ?? 1e4;
  return piecewiseInterpolateSchedule('linear', peakValue / div, {
    [Math.trunc((o.pctStart ?? 0.3) * T)]: div,
    [Math.trunc((o.pctFinal ?? 0.85) * T)]: 1 / div,
    [T]: 1 / finalDiv,
  });
}

// The lectures' textbook forms, with t = count + 1 so that t^alpha is finite at the first step.

/** eta t^alpha, t = count + 1 (e.g. alpha = -0.5). @example powerSchedule(0.1, -0.5) */
export function powerSchedule(eta: number, alpha: number): Schedule {
  return (count) => eta * (count + 1) ** alpha;
}
/** eta alpha^t, t = count. @example geometricSchedule(0.1, 0.99) */
export function geometricSchedule(eta: number, alpha: number): Schedule {
  return (count) => eta * alpha ** count;
}
/** eta0 e^(-lambda t), t = count. @example exponentialSchedule(0.1, 0.01) */
export function exponentialSchedule(eta0: number, lambda: number): Schedule {
  return (count) => eta0 * Math.exp(-lambda * count);
}
/** eta0 (beta t + 1)^(-alpha), t = count. @example inverseTimeSchedule(0.1, 0.5, 0.01) */
export function inverseTimeSchedule(eta0: number, alpha: number, beta: number): Schedule {
  return (count) => eta0 * (beta * count + 1) ** -alpha;
}
