/** Cosine schedulers: CosineAnnealingLR and CosineAnnealingWarmRestarts (SGDR). */
import { ValueError } from '../errors.js';
import { LRScheduler, type SchedulableOptimizer } from './base.js';
import { cosineAnneal, cosineAnnealingSchedule, sgdrPosition } from './functions.js';

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
