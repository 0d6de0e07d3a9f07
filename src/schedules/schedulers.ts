/**
 * PyTorch's learning-rate schedulers (torch.optim.lr_scheduler), driving an optimizer's param groups:
 * `scheduler.step()` after `optimizer.step()`, `getLastLr()`, `stateDict()`. Each keeps PyTorch's
 * recursive ("chainable") update, so the numbers match PyTorch's to the last bits, including
 * CosineAnnealingLR going back up past tMax. Closed forms are used where PyTorch uses them
 * (`step(epoch)`, SequentialLR's milestones).
 * @example
 * const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
 * const sched = new CosineAnnealingLR(opt, { tMax: 100 });
 * for (...) { ...; opt.step(); sched.step(); }
 */
import { ValueError } from '../errors.js';
import {
  constantSchedule,
  cosineAnneal,
  cosineAnnealingSchedule,
  exponentialDecay,
  joinSchedules,
  linearAnneal,
  linearSchedule,
  piecewiseConstantSchedule,
  polynomialSchedule,
  sgdrPosition,
} from './functions.js';

/** What a scheduler needs of an optimizer: its param groups and defaults (any descend optimizer). */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly object[];
  readonly defaults: object;
}

type Group = Record<string, unknown> & { lr: number };

function groupsOf(o: SchedulableOptimizer): Group[] {
  return o.paramGroups as unknown as Group[];
}

function bisectRight(xs: readonly number[], x: number): number {
  let i = 0;
  while (i < xs.length && xs[i] <= x) i++;
  return i;
}

/** The base class: PyTorch's LRScheduler. */
export abstract class LRScheduler {
  readonly optimizer: SchedulableOptimizer;
  baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: SchedulableOptimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    const groups = groupsOf(optimizer);
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new ValueError(
            this.constructor.name,
            `param group ${i} has no initialLr; needed when resuming with lastEpoch ${lastEpoch}`,
          );
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** PyTorch's `_initial_step`: subclasses call it at the end of their constructor. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }
  /** @internal SequentialLR restarts its first scheduler with this. */
  initialStepPublic(): void {
    this.initialStep();
  }

  protected get groups(): Group[] {
    return groupsOf(this.optimizer);
  }

  /** The next learning rates (PyTorch's chainable `get_lr`). */
  protected abstract getLr(): number[];
  /** The closed form at `lastEpoch`, where one exists. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advances one step (or jumps to `epoch`, using the closed form when there is one). */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.groups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The learning rates set by the last step, one per param group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Everything but the optimizer (and functions), like PyTorch's `state_dict()`. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function' || v instanceof LRScheduler) continue;
      out[k] = Array.isArray(v) ? [...v] : v;
    }
    return out;
  }
  loadStateDict(sd: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(sd)) {
      if (!(k in this)) throw new ValueError(`${this.constructor.name}.loadStateDict`, `unknown key '${k}'`);
      (this as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
    }
  }
}

/** lr * gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { stepSize: number; gamma?: number; lastEpoch?: number },
  ) {
    super(optimizer, opts.lastEpoch);
    if (!(opts.stepSize > 0)) throw new ValueError('StepLR', `stepSize must be > 0, got ${opts.stepSize}`);
    this.initialStep();
  }
  private get gamma() {
    return this.opts.gamma ?? 0.1;
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.opts.stepSize !== 0)
      return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) =>
      exponentialDecay({
        initValue: b,
        transitionSteps: this.opts.stepSize,
        decayRate: this.gamma,
        staircase: true,
      })(this.lastEpoch),
    );
  }
}

/** lr * gamma at each milestone. */
export class MultiStepLR extends LRScheduler {
  private readonly milestones: number[];
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { milestones: readonly number[]; gamma?: number; lastEpoch?: number },
  ) {
    super(optimizer, opts.lastEpoch);
    this.milestones = [...opts.milestones].sort((a, b) => a - b);
    this.initialStep();
  }
  protected getLr(): number[] {
    const n = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (n === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (this.opts.gamma ?? 0.1) ** n);
  }
  protected override closedFormLr(): number[] {
    // A milestone listed k times scales by gamma^k, as in PyTorch.
    const scales: Record<number, number> = {};
    for (const m of this.milestones) scales[m] = (scales[m] ?? 1) * (this.opts.gamma ?? 0.1);
    return this.baseLrs.map((b) => piecewiseConstantSchedule(b, scales)(this.lastEpoch));
  }
}

/** lr * factor until totalIters, then lr. */
export class ConstantLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { factor?: number; totalIters?: number; lastEpoch?: number } = {},
  ) {
    super(optimizer, opts.lastEpoch);
    const f = this.factor;
    if (!(f >= 0 && f <= 1)) throw new ValueError('ConstantLR', `factor must be in [0, 1], got ${f}`);
    this.initialStep();
  }
  private get factor() {
    return this.opts.factor ?? 1 / 3;
  }
  private get totalIters() {
    return this.opts.totalIters ?? 5;
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) =>
      joinSchedules(
        [constantSchedule(b * this.factor), constantSchedule(b)],
        [this.totalIters],
      )(this.lastEpoch),
    );
  }
}

/** Linear change of the multiplier from startFactor to endFactor over totalIters. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {},
  ) {
    super(optimizer, opts.lastEpoch);
    if (!(this.start > 0 && this.start <= 1))
      throw new ValueError('LinearLR', `startFactor must be in (0, 1], got ${this.start}`);
    if (!(this.end >= 0 && this.end <= 1))
      throw new ValueError('LinearLR', `endFactor must be in [0, 1], got ${this.end}`);
    this.initialStep();
  }
  private get start() {
    return this.opts.startFactor ?? 1 / 3;
  }
  private get end() {
    return this.opts.endFactor ?? 1;
  }
  private get total() {
    return this.opts.totalIters ?? 5;
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.start);
    if (this.lastEpoch > this.total) return this.groups.map((g) => g.lr);
    const d = this.end - this.start;
    return this.groups.map((g) => g.lr * (1 + d / (this.total * this.start + (this.lastEpoch - 1) * d)));
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) =>
      linearSchedule({ initValue: b * this.start, endValue: b * this.end, transitionSteps: this.total })(
        this.lastEpoch,
      ),
    );
  }
}

/** lr * gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { gamma: number; lastEpoch?: number },
  ) {
    super(optimizer, opts.lastEpoch);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.opts.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) =>
      exponentialDecay({ initValue: b, transitionSteps: 1, decayRate: this.opts.gamma })(this.lastEpoch),
    );
  }
}

/** base (1 - t/totalIters)^power. */
export class PolynomialLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { totalIters?: number; power?: number; lastEpoch?: number } = {},
  ) {
    super(optimizer, opts.lastEpoch);
    this.initialStep();
  }
  private get total() {
    return this.opts.totalIters ?? 5;
  }
  private get power() {
    return this.opts.power ?? 1;
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.total) return this.groups.map((g) => g.lr);
    const f = ((1 - this.lastEpoch / this.total) / (1 - (this.lastEpoch - 1) / this.total)) ** this.power;
    return this.groups.map((g) => g.lr * f);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) =>
      polynomialSchedule({ initValue: b, endValue: 0, power: this.power, transitionSteps: this.total })(
        this.lastEpoch,
      ),
    );
  }
}

/** Cosine annealing from the base lr to etaMin over tMax epochs (PyTorch's recursive form). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { tMax: number; etaMin?: number; lastEpoch?: number },
  ) {
    super(optimizer, opts.lastEpoch);
    if (!(opts.tMax > 0)) throw new ValueError('CosineAnnealingLR', `tMax must be > 0, got ${opts.tMax}`);
    this.initialStep();
  }
  private get etaMin() {
    return this.opts.etaMin ?? 0;
  }
  protected getLr(): number[] {
    const T = this.opts.tMax;
    const e = this.etaMin;
    const t = this.lastEpoch;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) return this.closedFormLr();
    if ((t - 1 - T) % (2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i] - e) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map(
      (g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - e) + e,
    );
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) =>
      cosineAnnealingSchedule({ initValue: b, tMax: this.opts.tMax, etaMin: this.etaMin })(this.lastEpoch),
    );
  }
}

/** SGDR: cosine annealing restarted every tI epochs, tI growing by tMult. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  tI: number;
  tCur: number;
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: { t0: number; tMult?: number; etaMin?: number; lastEpoch?: number },
  ) {
    super(optimizer, opts.lastEpoch);
    if (!(Number.isInteger(opts.t0) && opts.t0 > 0))
      throw new ValueError('CosineAnnealingWarmRestarts', `t0 must be a positive integer, got ${opts.t0}`);
    const m = opts.tMult ?? 1;
    if (!(Number.isInteger(m) && m >= 1))
      throw new ValueError('CosineAnnealingWarmRestarts', `tMult must be an integer >= 1, got ${m}`);
    this.tI = opts.t0;
    this.tCur = this.lastEpoch;
    this.initialStep();
  }
  protected getLr(): number[] {
    const e = this.opts.etaMin ?? 0;
    return this.baseLrs.map((b) => cosineAnneal(b, e, this.tCur / this.tI));
  }
  override step(epoch?: number): void {
    const t0 = this.opts.t0;
    const m = this.opts.tMult ?? 1;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= m;
      }
    } else {
      if (epoch < 0) throw new ValueError('CosineAnnealingWarmRestarts', `epoch must be >= 0, got ${epoch}`);
      ({ tCur: this.tCur, tI: this.tI } = sgdrPosition(epoch, t0, m));
    }
    this.lastEpoch = Math.floor(epoch);
    this.stepCount += 1;
    const values = this.getLr();
    this.groups.forEach((g, i) => (g.lr = values[i]));
    this.lastLr = this.groups.map((g) => g.lr);
  }
}

/** base * lrLambda(epoch) (one function, or one per group). */
export class LambdaLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[],
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    this.initialStep();
  }
  private fn(i: number) {
    return typeof this.lrLambda === 'function' ? this.lrLambda : this.lrLambda[i];
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.fn(i)(this.lastEpoch));
  }
}

/** lr * lrLambda(epoch) every epoch after the first. */
export class MultiplicativeLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly lrLambda: (epoch: number) => number,
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g) => g.lr * this.lrLambda(this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
}

function momentumKey(op: string, optimizer: SchedulableOptimizer): 'betas' | 'momentum' {
  if ('betas' in optimizer.defaults) return 'betas';
  if ('momentum' in optimizer.defaults) return 'momentum';
  throw new ValueError(
    op,
    'cycleMomentum needs an optimizer with a momentum or betas option (or pass cycleMomentum: false)',
  );
}

function setMomentum(g: Group, key: 'betas' | 'momentum', m: number): void {
  if (key === 'betas') g.betas = [m, ...(g.betas as number[]).slice(1)];
  else g.momentum = m;
}

export interface OneCycleOptions {
  maxLr: number;
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

/** The one-cycle policy: lr up then down (two or three phases), momentum (or beta1) the other way. */
export class OneCycleLR extends LRScheduler {
  private readonly phases: {
    endStep: number;
    startLr: string;
    endLr: string;
    startMomentum: string;
    endMomentum: string;
  }[];
  private readonly totalSteps: number;
  private readonly momentumKey: 'betas' | 'momentum' | null;
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: OneCycleOptions,
  ) {
    const total = opts.totalSteps ?? (opts.epochs ?? 0) * (opts.stepsPerEpoch ?? 0);
    if (!(total > 0)) throw new ValueError('OneCycleLR', 'give totalSteps > 0, or epochs and stepsPerEpoch');
    const pct = opts.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new ValueError('OneCycleLR', `pctStart must be in [0, 1], got ${pct}`);
    const div = opts.divFactor ?? 25;
    const finalDiv = opts.finalDivFactor ?? 1e4;
    const cycle = opts.cycleMomentum ?? true;
    const key = cycle ? momentumKey('OneCycleLR', optimizer) : null;
    if ((opts.lastEpoch ?? -1) === -1) {
      for (const g of groupsOf(optimizer)) {
        g.initialLr = opts.maxLr / div;
        g.maxLr = opts.maxLr;
        g.minLr = (g.initialLr as number) / finalDiv;
        if (key) {
          setMomentum(g, key, opts.maxMomentum ?? 0.95);
          g.maxMomentum = opts.maxMomentum ?? 0.95;
          g.baseMomentum = opts.baseMomentum ?? 0.85;
        }
      }
    }
    super(optimizer, opts.lastEpoch);
    this.totalSteps = total;
    this.momentumKey = key;
    this.phases = opts.threePhase
      ? [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: 2 * pct * total - 2,
            startLr: 'maxLr',
            endLr: 'initialLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'initialLr',
            endLr: 'minLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'maxMomentum',
          },
        ]
      : [
          {
            endStep: pct * total - 1,
            startLr: 'initialLr',
            endLr: 'maxLr',
            startMomentum: 'maxMomentum',
            endMomentum: 'baseMomentum',
          },
          {
            endStep: total - 1,
            startLr: 'maxLr',
            endLr: 'minLr',
            startMomentum: 'baseMomentum',
            endMomentum: 'maxMomentum',
          },
        ];
    this.initialStep();
  }
  private anneal(start: number, end: number, pct: number): number {
    return ((this.opts.annealStrategy ?? 'cos') === 'linear' ? linearAnneal : cosineAnneal)(start, end, pct);
  }
  protected getLr(): number[] {
    const t = this.lastEpoch;
    if (t > this.totalSteps) {
      throw new ValueError('OneCycleLR', `tried to step ${t} times, more than totalSteps ${this.totalSteps}`);
    }
    return this.groups.map((g) => {
      let start = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (t <= ph.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (ph.endStep - start);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.momentumKey) {
            setMomentum(
              g,
              this.momentumKey,
              this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct),
            );
          }
          break;
        }
        start = ph.endStep;
      }
      return lr;
    });
  }
}

export interface CyclicOptions {
  baseLr: number | readonly number[];
  maxLr: number | readonly number[];
  stepSizeUp?: number;
  stepSizeDown?: number;
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  gamma?: number;
  scaleFn?: (x: number) => number;
  scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  lastEpoch?: number;
}

/** Cyclical learning rates between baseLr and maxLr (triangular, triangular2, exp_range). */
export class CyclicLR extends LRScheduler {
  private readonly maxLrs: number[];
  private readonly totalSize: number;
  private readonly stepRatio: number;
  private readonly scaleFn: (x: number) => number;
  private readonly scaleMode: 'cycle' | 'iterations';
  private readonly momentumKey: 'betas' | 'momentum' | null;
  private readonly baseMomentums: number[];
  private readonly maxMomentums: number[];
  constructor(
    optimizer: SchedulableOptimizer,
    readonly opts: CyclicOptions,
  ) {
    const groups = groupsOf(optimizer);
    const per = (v: number | readonly number[], name: string) => {
      const arr = typeof v === 'number' ? groups.map(() => v) : [...v];
      if (arr.length !== groups.length)
        throw new ValueError(
          'CyclicLR',
          `${name} has ${arr.length} values for ${groups.length} param groups`,
        );
      return arr;
    };
    const baseLrs = per(opts.baseLr, 'baseLr');
    const lastEpoch = opts.lastEpoch ?? -1;
    if (lastEpoch === -1) groups.forEach((g, i) => (g.lr = baseLrs[i]));
    const cycle = opts.cycleMomentum ?? true;
    const key = cycle ? momentumKey('CyclicLR', optimizer) : null;
    const baseM = per(opts.baseMomentum ?? 0.8, 'baseMomentum');
    const maxM = per(opts.maxMomentum ?? 0.9, 'maxMomentum');
    if (key && lastEpoch === -1) {
      groups.forEach((g, i) => {
        setMomentum(g, key, maxM[i]);
        g.maxMomentum = maxM[i];
        g.baseMomentum = baseM[i];
      });
    }
    super(optimizer, lastEpoch);
    this.baseLrs = baseLrs;
    this.maxLrs = per(opts.maxLr, 'maxLr');
    const up = opts.stepSizeUp ?? 2000;
    const down = opts.stepSizeDown ?? up;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = opts.mode ?? 'triangular';
    const gamma = opts.gamma ?? 1;
    if (opts.scaleFn) {
      this.scaleFn = opts.scaleFn;
      this.scaleMode = opts.scaleMode ?? 'cycle';
    } else if (mode === 'triangular') {
      this.scaleFn = () => 1;
      this.scaleMode = 'cycle';
    } else if (mode === 'triangular2') {
      this.scaleFn = (x) => 1 / 2 ** (x - 1);
      this.scaleMode = 'cycle';
    } else if (mode === 'exp_range') {
      this.scaleFn = (x) => gamma ** x;
      this.scaleMode = 'iterations';
    } else {
      throw new ValueError(
        'CyclicLR',
        `mode must be 'triangular', 'triangular2' or 'exp_range', got '${String(mode)}'`,
      );
    }
    this.momentumKey = key;
    this.baseMomentums = baseM;
    this.maxMomentums = maxM;
    this.initialStep();
  }
  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const sf = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const s = this.scaleFn(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * sf * s);
    if (this.momentumKey) {
      const key = this.momentumKey;
      this.groups.forEach((g, i) =>
        setMomentum(g, key, this.maxMomentums[i] - (this.maxMomentums[i] - this.baseMomentums[i]) * sf * s),
      );
    }
    return lrs;
  }
}

/** Runs schedulers one after another, switching at the milestones. */
export class SequentialLR extends LRScheduler {
  constructor(
    optimizer: SchedulableOptimizer,
    readonly schedulers: readonly LRScheduler[],
    readonly milestones: readonly number[],
    lastEpoch = -1,
  ) {
    super(optimizer, lastEpoch);
    if (schedulers.length !== milestones.length + 1) {
      throw new ValueError(
        'SequentialLR',
        `expects ${milestones.length + 1} schedulers for ${milestones.length} milestones, got ${schedulers.length}`,
      );
    }
    this.lastEpoch = lastEpoch + 1;
    for (const g of this.groups) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStepPublic();
    this.lastLr = schedulers[0].getLastLr();
  }
  protected getLr(): number[] {
    return this.groups.map((g) => g.lr);
  }
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
}

/** Steps every scheduler each time (their effects multiply). */
export class ChainedScheduler extends LRScheduler {
  constructor(readonly schedulers: readonly LRScheduler[]) {
    if (schedulers.length === 0) throw new ValueError('ChainedScheduler', 'needs at least one scheduler');
    super(schedulers[0].optimizer, 0);
    this.lastLr = schedulers[schedulers.length - 1].getLastLr();
  }
  protected getLr(): number[] {
    return this.groups.map((g) => g.lr);
  }
  override step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.schedulers[this.schedulers.length - 1].getLastLr();
  }
}

export interface PlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}

/** Multiplies the lr by `factor` when a metric stops improving for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly optimizer: SchedulableOptimizer;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];
  private readonly o: Required<Omit<PlateauOptions, 'minLr'>> & { minLrs: number[] };
  constructor(optimizer: SchedulableOptimizer, opts: PlateauOptions = {}) {
    this.optimizer = optimizer;
    const groups = groupsOf(optimizer);
    const factor = opts.factor ?? 0.1;
    if (!(factor < 1)) throw new ValueError('ReduceLROnPlateau', `factor should be < 1.0, got ${factor}`);
    const minLr = opts.minLr ?? 0;
    const minLrs = typeof minLr === 'number' ? groups.map(() => minLr) : [...minLr];
    const mode = opts.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max')
      throw new ValueError('ReduceLROnPlateau', `mode must be 'min' or 'max', got '${String(mode)}'`);
    const thresholdMode = opts.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') {
      throw new ValueError(
        'ReduceLROnPlateau',
        `thresholdMode must be 'rel' or 'abs', got '${String(thresholdMode)}'`,
      );
    }
    this.o = {
      mode,
      factor,
      patience: opts.patience ?? 10,
      threshold: opts.threshold ?? 1e-4,
      thresholdMode,
      cooldown: opts.cooldown ?? 0,
      eps: opts.eps ?? 1e-8,
      minLrs,
    };
    this.best = mode === 'min' ? Infinity : -Infinity;
    this.lastLr = groups.map((g) => g.lr);
  }
  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode: tm, threshold: t } = this.o;
    if (mode === 'min' && tm === 'rel') return a < best * (1 - t);
    if (mode === 'min') return a < best - t;
    if (tm === 'rel') return a > best * (t + 1);
    return a > best + t;
  }
  /** Records the epoch's metric (e.g. validation loss) and reduces the lr when it has plateaued. */
  step(metric: number): void {
    const current = Number(metric);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.o.patience) {
      groupsOf(this.optimizer).forEach((g, i) => {
        const next = Math.max(g.lr * this.o.factor, this.o.minLrs[i]);
        if (g.lr - next > this.o.eps) g.lr = next;
      });
      this.cooldownCounter = this.o.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }
  getLastLr(): number[] {
    return [...this.lastLr];
  }
  stateDict(): Record<string, unknown> {
    return {
      best: this.best,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
    };
  }
  loadStateDict(sd: Record<string, unknown>): void {
    this.best = sd.best as number;
    this.numBadEpochs = sd.numBadEpochs as number;
    this.cooldownCounter = sd.cooldownCounter as number;
    this.lastEpoch = sd.lastEpoch as number;
  }
}
