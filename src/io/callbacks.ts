/** fit callbacks that write files (Node only): checkpoints and metric logs. */
import type { Callback, EpochLog, TrainContext } from '../train/fit.js';
import { pick } from '../train/fit.js';
import { saveCheckpoint, writeFileAtomic } from './files.js';

export interface ModelCheckpointOptions {
  /** File for the latest weights (written every epoch when given). */
  last?: string;
  /** File for the best weights by `monitor`. */
  best?: string;
  monitor?: string;
  mode?: 'min' | 'max';
}

/** Saves the model (and optimizer and progress) each epoch and/or when the monitored value improves. */
export class ModelCheckpoint implements Callback {
  bestValue: number;
  constructor(private readonly o: ModelCheckpointOptions) {
    this.bestValue = (o.mode ?? 'min') === 'min' ? Infinity : -Infinity;
  }
  onEpochEnd(ctx: TrainContext, log: EpochLog): void {
    const progress = { epoch: log.epoch, step: ctx.step, log };
    if (this.o.last) saveCheckpoint(this.o.last, ctx.model, { optimizer: ctx.optimizer, progress });
    if (this.o.best) {
      const v = pick(log, this.o.monitor ?? (log.valLoss !== undefined ? 'valLoss' : 'loss'));
      const better = (this.o.mode ?? 'min') === 'min' ? v < this.bestValue : v > this.bestValue;
      if (better) {
        this.bestValue = v;
        saveCheckpoint(this.o.best, ctx.model, {
          optimizer: ctx.optimizer,
          progress: { ...progress, best: v },
        });
      }
    }
  }
}

function flat(log: EpochLog): Record<string, number> {
  const row: Record<string, number> = { epoch: log.epoch, loss: log.loss };
  for (const [k, v] of Object.entries(log.metrics)) row[k] = v;
  if (log.valLoss !== undefined) row.valLoss = log.valLoss;
  for (const [k, v] of Object.entries(log.valMetrics ?? {})) row[`val${k[0].toUpperCase()}${k.slice(1)}`] = v;
  row.lr = log.lr;
  row.seconds = log.seconds;
  return row;
}

/** Writes the epoch logs as CSV (rewritten atomically each epoch). */
export class CSVLogger implements Callback {
  private rows: Record<string, number>[] = [];
  constructor(private readonly path: string) {}
  onEpochEnd(_ctx: TrainContext, log: EpochLog): void {
    this.rows.push(flat(log));
    const cols = Object.keys(this.rows[0]);
    writeFileAtomic(
      this.path,
      [cols.join(','), ...this.rows.map((r) => cols.map((c) => r[c]).join(','))].join('\n') + '\n',
    );
  }
}

/** Writes the epoch logs as a JSON array (rewritten atomically each epoch). */
export class JSONLogger implements Callback {
  private rows: Record<string, number>[] = [];
  constructor(private readonly path: string) {}
  onEpochEnd(_ctx: TrainContext, log: EpochLog): void {
    this.rows.push(flat(log));
    writeFileAtomic(this.path, JSON.stringify(this.rows, null, 1));
  }
}
