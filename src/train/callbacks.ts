/** Callbacks for `fit`: early stopping and gradient-health monitoring (file-writing ones are in descend/io). */
import { noGrad } from '../autograd/mode.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Callback, EpochLog, StatefulCallback, TrainContext } from './fit.js';
import { ValueError } from '../errors.js';
import { pick } from './fit.js';

export interface EarlyStoppingOptions {
  /** The logged value to watch (default 'valLoss'). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** The least change that counts as improvement (default 0). */
  minDelta?: number;
  mode?: 'min' | 'max';
  /** Put back the best weights when stopping (default true). */
  restoreBest?: boolean;
}

/**
 * Stops training when the monitored value stops improving, optionally restoring the best weights.
 * @example
 * const data = new DataLoader(new TensorDataset(xs, ys), { batchSize: 3 });
 * fit(model, { loss: crossEntropy, optimizer: opt, data, validation: data, epochs: 5, callbacks: [new EarlyStopping({ patience: 2 })] });
 */
export class EarlyStopping implements StatefulCallback {
  best: number;
  wait = 0;
  bestEpoch = 0;
  private bestState: Record<string, Tensor> | null = null;
  private readonly o: Required<EarlyStoppingOptions>;
  constructor(opts: EarlyStoppingOptions = {}) {
    this.o = { monitor: 'valLoss', patience: 5, minDelta: 0, mode: 'min', restoreBest: true, ...opts };
    this.best = this.o.mode === 'min' ? Infinity : -Infinity;
  }
  /** best, wait, bestEpoch and the best weights (for a checkpoint that resumes exactly). */
  stateDict(): Record<string, unknown> {
    return { best: this.best, wait: this.wait, bestEpoch: this.bestEpoch, bestState: this.bestState };
  }
  loadStateDict(s: Record<string, unknown>): void {
    const { best, wait, bestEpoch, bestState } = s;
    if (typeof best !== 'number' || !Number.isInteger(wait) || !Number.isInteger(bestEpoch))
      throw new ValueError('EarlyStopping.loadStateDict', 'expected { best, wait, bestEpoch, bestState }');
    this.best = best;
    this.wait = wait as number;
    this.bestEpoch = bestEpoch as number;
    this.bestState = (bestState as Record<string, Tensor> | null) ?? null;
  }
  onEpochEnd(ctx: TrainContext, log: EpochLog): void {
    const v = pick(log, this.o.monitor);
    const better = this.o.mode === 'min' ? v < this.best - this.o.minDelta : v > this.best + this.o.minDelta;
    if (better) {
      this.best = v;
      this.wait = 0;
      this.bestEpoch = log.epoch;
      if (this.o.restoreBest) {
        this.bestState = Object.fromEntries(
          Object.entries(ctx.model.stateDict()).map(([k, t]) => [k, t.detach().clone()]),
        );
      }
      return;
    }
    this.wait++;
    if (this.wait >= this.o.patience) {
      ctx.stop = true;
      ctx.stopReason = `early stopping: ${this.o.monitor} did not improve for ${this.o.patience} epochs (best ${this.best.toPrecision(4)} at epoch ${this.bestEpoch})`;
      if (this.bestState) noGrad(() => ctx.model.loadStateDict(this.bestState!));
    }
  }
}

/** Calls `fn` with every epoch's log (e.g. to feed a live plot). */
export class LambdaCallback implements Callback {
  constructor(private readonly fn: (log: EpochLog, ctx: TrainContext) => void) {}
  onEpochEnd(ctx: TrainContext, log: EpochLog): void {
    this.fn(log, ctx);
  }
}
