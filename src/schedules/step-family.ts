/** Step-wise and monotone schedulers: StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR. */
import { ValueError } from '../errors.js';
import { LRScheduler, type SchedulableOptimizer } from './base.js';
import {
  constantSchedule,
  exponentialDecay,
  joinSchedules,
  linearSchedule,
  piecewiseConstantSchedule,
  polynomialSchedule,
} from './functions.js';

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
