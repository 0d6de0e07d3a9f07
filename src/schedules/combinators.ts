/** Schedulers of functions and of other schedulers: LambdaLR, MultiplicativeLR, SequentialLR, ChainedScheduler. */
import { ValueError } from '../errors.js';
import { LRScheduler, type SchedulableOptimizer, bisectRight } from './base.js';

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
    schedulers[0].restart();
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
