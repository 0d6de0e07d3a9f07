/** ReduceLROnPlateau: the one scheduler driven by a metric rather than the step count. */
import { ValueError } from '../errors.js';
import { type SchedulableOptimizer, groupsOf } from './base.js';

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
