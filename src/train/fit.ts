/**
 * The training loop: `fit(model, { loss, optimizer, data, epochs, ... })` with validation, metrics,
 * schedulers, callbacks, a progress bar, and a stop (with the step named) when the loss is not finite.
 */
import { noGrad } from '../autograd/mode.js';
import { DescendError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { argmax } from '../ops/primitives/reduce.js';
import { eq } from '../ops/primitives/elementwise.js';
import { cat } from '../ops/primitives/shape.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { LRScheduler, ReduceLROnPlateau } from '../schedules/schedulers.js';
import { GradientHealthMonitor, type HealthOptions, type HealthWarning } from './health.js';
import { type ProgressWriter, progressBarFor } from './progress.js';
import type { DataLoaderState } from '../data/dataset.js';

/** The loss or a metric became NaN/Inf during training. */
export class NonFiniteError extends DescendError {}

/** The loss rose far above where it started: the step size is too large for the problem. */
export class DivergenceError extends DescendError {}

/**
 * A metric of a batch: output and target in, a number out (averaged over samples). A metric may return
 * a scalar tensor instead, which fit reads with the losses (on a device backend, every `readEvery`
 * steps, without a wait in each step).
 */
export type Metric = (output: Tensor, target: Tensor) => number | Tensor;

/** Fraction of rows whose argmax equals the int32 label. @example accuracy(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 1], { dtype: 'int32' })) // 0.5 */
export function accuracy(output: Tensor, target: Tensor): number {
  return accuracyTensor(output, target).item();
}

/** accuracy as a scalar tensor, not read: what fit uses for `accuracy`. */
function accuracyTensor(output: Tensor, target: Tensor): Tensor {
  // float64 where the backend has it (exact fractions); a device computes in float32.
  const dtype = output.backend.readsAsyncOnly ? 'float32' : 'float64';
  return noGrad(() => eq(argmax(output, -1), target).to(dtype).mean());
}

export interface EpochLog {
  epoch: number;
  loss: number;
  metrics: Record<string, number>;
  valLoss?: number;
  valMetrics?: Record<string, number>;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

export interface History {
  epochs: EpochLog[];
  stoppedEarly: boolean;
  stopReason?: string;
  warnings: HealthWarning[];
  /** Set when `shouldStop` ended training: where (the state passed to onCheckpoint resumes there). */
  interrupted?: { epoch: number; step: number };
}

/** Data that can say where it is in an epoch and continue there (a DataLoader). */
export interface ResumableData {
  stateDict(): DataLoaderState;
  loadStateDict(state: DataLoaderState): void;
}

/** A callback with state of its own to checkpoint (EarlyStopping's best value and weights). */
export interface StatefulCallback extends Callback {
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

/**
 * Everything `fit` needs, besides the model's, the optimizer's and the default generator's states, to
 * continue a run exactly where it stopped: at an epoch boundary (`step` 0) or mid-epoch. JSON apart from
 * callbacks' tensors and non-finite numbers (saveCheckpoint's `progress` keeps both).
 */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  /** Steps done in epoch `epoch + 1` (0: at the boundary). */
  step: number;
  globalStep: number;
  /** The epoch under way's sums: loss x samples, samples, metric x samples. */
  running: { total: number; n: number; sums: Record<string, number> };
  /**
   * The divergence check's first loss, running average (NaN before the first step), the batches it has
   * seen and the losses of the first few.
   */
  divergence: { startLoss: number; smoothed: number; seen?: number; early?: number[] };
  history: History;
  data: DataLoaderState | null;
  scheduler: Record<string, unknown> | null;
  /** Each callback's stateDict (null for those without one), in the order of `callbacks`. */
  callbacks: (Record<string, unknown> | null)[];
}

/** Why onCheckpoint was called. */
export type CheckpointReason = 'epoch' | 'time' | 'interrupt';

/** What callbacks see and may change. */
export interface TrainContext {
  model: Module;
  optimizer: Optimizer<object>;
  epoch: number;
  step: number;
  /** Set to stop training after the current epoch (or batch). */
  stop: boolean;
  stopReason?: string;
  history: History;
}

export interface Callback {
  onTrainBegin?(ctx: TrainContext): void;
  onEpochBegin?(ctx: TrainContext): void;
  onBatchEnd?(ctx: TrainContext, batch: { loss: number; size: number }): void;
  onEpochEnd?(ctx: TrainContext, log: EpochLog): void;
  onTrainEnd?(ctx: TrainContext): void;
}

/** A minibatch: [inputs, targets]. */
export type Batch = readonly Tensor[];

export interface FitOptions {
  /** loss(output, target). */
  loss: (output: Tensor, target: Tensor) => Tensor;
  optimizer: Optimizer<object>;
  /** Minibatches [x, y] (a DataLoader re-shuffles each epoch). */
  data: Iterable<Batch>;
  epochs: number;
  /** Added to the loss each step (e.g. () => l2Penalty(weights, 1e-3)). */
  regularization?: () => Tensor;
  validation?: Iterable<Batch>;
  metrics?: Record<string, Metric>;
  scheduler?: LRScheduler | ReduceLROnPlateau;
  /** Step the scheduler after every batch or every epoch (default). */
  schedulerInterval?: 'step' | 'epoch';
  /** The metric ReduceLROnPlateau watches (default valLoss, else loss). */
  schedulerMonitor?: string;
  callbacks?: Callback[];
  /** Progress bar / lines: true, false, or a writer (default: stdout). */
  progress?: boolean | ProgressWriter;
  /**
   * What to do when training fails: the loss (or a validation metric) is NaN/Inf, or the loss diverges.
   * 'stop' (default) ends training, records why in `history.stopReason` and prints one line; 'throw'
   * raises a NonFiniteError or DivergenceError.
   */
  onNonFinite?: 'stop' | 'throw';
  /**
   * A running average of the batch losses (weight 0.1 on each new batch, so one batch of outliers does
   * not trip it) above this many times the start level counts as divergence (default 100; false turns
   * the check off, e.g. for losses that may legitimately grow). The start level is the larger of the
   * first loss and the median of the first 5 (at least 1e-6), so one lucky first batch (1e-8, then
   * 0.25) is not divergence; during those 5 batches the bar is factor² times the first loss (at least
   * 1e-4), which a run exploding at once still crosses. A NaN or Inf loss is caught at once.
   */
  divergenceFactor?: number | false;
  /** Gradient-health checks every N steps (warnings go to the history and the progress output). */
  health?: HealthOptions & { every?: number };
  /**
   * Continue from a state that onCheckpoint received (with the model, optimizer and default generator
   * restored by the caller, e.g. loadCheckpoint). `epochs` is then the run's total, so epochs are
   * numbered on from the state's (Keras's initial_epoch).
   */
  resumeFrom?: FitState;
  /** Polled after every step: true stops training there, after a last onCheckpoint('interrupt'). */
  shouldStop?: () => boolean;
  /** Receives the resumable state after every epoch, every `checkpointEveryMs` within one, and on a stop. */
  onCheckpoint?: (state: FitState, reason: CheckpointReason) => void;
  /** Also checkpoint within an epoch when this long has passed since the last one (default: only per epoch). */
  checkpointEveryMs?: number;
  /**
   * Read the loss (and tensor metrics) back every this many steps, in one read (default: 1 on the CPU
   * backends, whose reads are free; 10 on a device backend, whose step would otherwise wait for the
   * device). Above 1, a NaN/Inf or diverging loss is found up to readEvery - 1 steps late, and the
   * steps between have been taken; the error names the step where it happened.
   */
  readEvery?: number;
}

function isResumable(d: unknown): d is ResumableData {
  return (
    typeof (d as ResumableData).stateDict === 'function' &&
    typeof (d as ResumableData).loadStateDict === 'function'
  );
}
function isStateful(c: Callback): c is StatefulCallback {
  return (
    typeof (c as StatefulCallback).stateDict === 'function' &&
    typeof (c as StatefulCallback).loadStateDict === 'function'
  );
}

/** Values fit needs from the device: it yields scalar tensors and receives their numbers. */
type Reads<T> = Generator<Tensor[], T, number[]>;

function* evaluate(
  model: Module,
  data: Iterable<Batch>,
  loss: FitOptions['loss'],
  metrics: Record<string, Metric>,
): Reads<{ loss: number; metrics: Record<string, number> }> {
  const wasTraining = model.training;
  model.eval();
  // Every batch's loss and metrics, read in one go at the end.
  const parts: { b: number; loss: Tensor; metrics: [string, number | Tensor][] }[] = [];
  noGrad(() => {
    for (const [x, y] of data) {
      const out = (model.call as (x: Tensor) => Tensor).call(model, x);
      const m = Object.entries(metrics).map(([k, f]) => [k, f(out, y)] as [string, number | Tensor]);
      parts.push({ b: x.shape[0], loss: loss(out, y), metrics: m });
    }
  });
  model.train(wasTraining);
  // No batches is not a loss of 0: say so (an empty split, or dropLast with a batch larger than it).
  if (parts.length === 0)
    throw new ValueError(
      'fit',
      'the validation data gave no batches (it is empty, or dropLast dropped every batch)',
    );
  const tensors = parts.flatMap((p) => [
    p.loss,
    ...p.metrics.flatMap(([, v]) => (typeof v === 'number' ? [] : [v])),
  ]);
  const values = yield tensors;
  let at = 0;
  let total = 0;
  let n = 0;
  const sums: Record<string, number> = {};
  for (const p of parts) {
    total += values[at++]! * p.b;
    for (const [k, v] of p.metrics)
      sums[k] = (sums[k] ?? 0) + (typeof v === 'number' ? v : values[at++]!) * p.b;
    n += p.b;
  }
  return {
    loss: total / n,
    metrics: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(n, 1)])),
  };
}

/**
 * Trains `model` and returns the history (one entry per epoch).
 * @example
 * const history = fit(model, { loss: crossEntropy, optimizer: new Adam(model.parameters(), { lr: 1e-2 }),
 *   data: new DataLoader(new TensorDataset(xs, ys), { batchSize: 2, shuffle: true }), epochs: 5, metrics: { accuracy } });
 * history.epochs.length // 5
 */
export function fit(model: Module, o: FitOptions): History {
  const p = o.optimizer?.paramGroups[0]?.params[0];
  if (p?.backend.readsAsyncOnly)
    throw new ValueError(
      'fit',
      `the model is on ${p.backend.name}, whose reads are asynchronous: use await fitAsync(model, options)`,
    );
  const run = fitRun(model, o);
  for (let r = run.next(); ;) {
    if (r.done) return r.value;
    r = run.next(r.value.map((t) => t.item()));
  }
}

/**
 * fit for any backend, the device ones (WebGPU) included: the same loop, with the loss read back
 * asynchronously, every `readEvery` steps (10 by default on a device), in one read.
 * @example
 * const history = await fitAsync(model, { loss: crossEntropy, optimizer: new Adam(model.parameters(), { lr: 1e-2 }),
 *   data: new DataLoader(new TensorDataset(xs, ys), { batchSize: 2 }), epochs: 2 });
 * history.epochs.length // 2
 */
export async function fitAsync(model: Module, o: FitOptions): Promise<History> {
  const run = fitRun(model, o);
  for (let r = run.next(); ;) {
    if (r.done) return r.value;
    r = run.next(await readScalars(r.value));
  }
}

/** Scalar tensors' numbers: one read of them all on a device backend, item() on the CPU ones. */
async function readScalars(ts: Tensor[]): Promise<number[]> {
  if (!ts.length) return [];
  if (!ts[0]!.backend.readsAsyncOnly) return ts.map((t) => t.item());
  const all = noGrad(() => cat(ts.map((t) => t.detach().reshape([1]).to('float32'))));
  return Array.from(await all.data());
}

function* fitRun(model: Module, o: FitOptions): Reads<History> {
  if (!(Number.isInteger(o.epochs) && o.epochs > 0))
    throw new ValueError('fit', `epochs must be a positive integer, got ${o.epochs}`);
  // accuracy as a tensor: read with the losses, not in every step.
  const metrics = Object.fromEntries(
    Object.entries(o.metrics ?? {}).map(([k, m]) => [k, m === accuracy ? accuracyTensor : m]),
  );
  const params = o.optimizer.paramGroups[0]?.params[0];
  const readEvery = o.readEvery ?? (params?.backend.readsAsyncOnly ? 10 : 1);
  if (!(Number.isInteger(readEvery) && readEvery >= 1))
    throw new ValueError('fit', `readEvery must be a positive integer, got ${String(o.readEvery)}`);
  if (o.health && readEvery > 1)
    throw new ValueError(
      'fit',
      'health checks read gradients back every step: they need readEvery 1 (a CPU backend)',
    );
  const r = o.resumeFrom;
  if (r) checkResume(r, o);
  const bar = progressBarFor(o.progress);
  const history: History = r ? structuredClone(r.history) : { epochs: [], stoppedEarly: false, warnings: [] };
  delete history.interrupted;
  if (r) delete history.stopReason;
  const ctx: TrainContext = {
    model,
    optimizer: o.optimizer,
    epoch: r?.epoch ?? 0,
    step: r?.globalStep ?? 0,
    stop: false,
    history,
  };
  const callbacks = o.callbacks ?? [];
  if (r) {
    if (r.data) (o.data as unknown as ResumableData).loadStateDict(r.data);
    if (r.scheduler && o.scheduler) o.scheduler.loadStateDict(r.scheduler);
    callbacks.forEach((c, i) => {
      const st = r.callbacks[i];
      if (st && isStateful(c)) c.loadStateDict(st);
    });
  }
  const monitor = o.health ? new GradientHealthMonitor(model, o.health) : null;
  const healthEvery = o.health?.every ?? 1;
  const stepsPerEpoch = (o.data as { length?: number }).length ?? 0;
  callbacks.forEach((c) => c.onTrainBegin?.(ctx));
  model.train();
  const t0 = Date.now();
  let globalSamples = 0;
  const factor = o.divergenceFactor ?? 100;
  if (factor !== false && !(typeof factor === 'number' && factor > 1))
    throw new ValueError('fit', `divergenceFactor must be a number > 1 or false, got ${String(factor)}`);
  let startLoss = r?.divergence.startLoss ?? NaN;
  // A running average of the batch losses: one batch of outliers (heavy-tailed data) moves it by a tenth
  // of its excess, a diverging run (every batch huge) moves it past the threshold at once.
  let smoothed = r?.divergence.smoothed ?? NaN;
  let seen = r?.divergence.seen ?? (Number.isNaN(startLoss) ? 0 : DIVERGENCE_WARMUP);
  const early: number[] = [...(r?.divergence.early ?? [])];
  let lastCheckpoint = Date.now();
  const snapshot = (epoch: number, step: number, running: FitState['running']): FitState => ({
    epoch,
    step,
    globalStep: ctx.step,
    running: { ...running, sums: { ...running.sums } },
    divergence: { startLoss, smoothed, seen, early: [...early] },
    history: structuredClone(history),
    data: isResumable(o.data) ? o.data.stateDict() : null,
    scheduler: o.scheduler ? o.scheduler.stateDict() : null,
    callbacks: callbacks.map((c) => (isStateful(c) ? c.stateDict() : null)),
  });
  const checkpoint = (state: FitState, reason: CheckpointReason) => {
    lastCheckpoint = Date.now();
    o.onCheckpoint?.(state, reason);
  };
  /** Ends training for a reason; 'throw' raises instead. Returns nothing: the caller breaks out. */
  const failed = (kind: 'non-finite' | 'divergence', msg: string) => {
    if (o.onNonFinite === 'throw')
      throw kind === 'divergence' ? new DivergenceError('fit', msg) : new NonFiniteError('fit', msg);
    history.stoppedEarly = true;
    history.stopReason = `fit: ${msg}`;
    history.warnings.push({ kind, message: `fit: ${msg}` });
    bar?.line(`warning: fit: ${msg}; training stopped`);
  };

  const first = (r?.epoch ?? 0) + 1;
  try {
    yield* trainEpochs();
  } finally {
    // Also when a step throws: the gradient-health hooks never outlive fit.
    monitor?.detach();
  }
  callbacks.forEach((c) => c.onTrainEnd?.(ctx));
  return history;

  /** A step whose loss (and tensor metrics) wait to be read; `values` once read. */
  interface Pending {
    epoch: number;
    step: number;
    globalStep: number;
    b: number;
    loss: Tensor;
    metrics: [string, number | Tensor][];
    values?: number[];
  }

  /** The loss is finite and not diverging; otherwise training fails (false) at that entry's step. */
  function check(p: Pending): boolean {
    const lv = p.values![0]!;
    const at = `epoch ${p.epoch}, step ${p.step}`;
    if (!Number.isFinite(lv)) {
      failed('non-finite', `the loss became ${lv} at ${at} (global step ${p.globalStep})`);
      return false;
    }
    if (factor === false) return true;
    if (Number.isNaN(startLoss)) startLoss = smoothed = lv;
    smoothed = 0.9 * smoothed + 0.1 * lv;
    if (seen < DIVERGENCE_WARMUP) early.push(lv);
    seen++;
    const warm = seen >= DIVERGENCE_WARMUP;
    const start = warm
      ? Math.max(startLoss, median(early.length ? early : [startLoss]), 1e-6)
      : Math.max(startLoss, 1e-4);
    if (smoothed > (warm ? factor : factor * factor) * start) {
      failed(
        'divergence',
        `training diverged: the loss reached ${lv.toPrecision(3)} at ${at} (running average ${smoothed.toPrecision(3)}), over ${factor}x its start (${start.toPrecision(3)}); lower the learning rate`,
      );
      return false;
    }
    return true;
  }

  function* trainEpochs(): Reads<void> {
    outer: for (let epoch = first; epoch <= o.epochs; epoch++) {
      ctx.epoch = epoch;
      const midEpoch = r && epoch === first && r.step > 0 ? r : null;
      if (!midEpoch) callbacks.forEach((c) => c.onEpochBegin?.(ctx));
      const te = Date.now();
      let total = midEpoch?.running.total ?? 0;
      let n = midEpoch?.running.n ?? 0;
      let step = midEpoch?.step ?? 0;
      const sums: Record<string, number> = { ...midEpoch?.running.sums };
      const pending: Pending[] = [];
      /** Reads the pending steps in one go and checks them in order; false: training failed. */
      function* read(): Reads<boolean> {
        const todo = pending.filter((p) => !p.values);
        if (!todo.length) return true;
        const tensors = todo.flatMap((p) => [
          p.loss,
          ...p.metrics.flatMap(([, v]) => (typeof v === 'number' ? [] : [v])),
        ]);
        const values = yield tensors;
        let at = 0;
        for (const p of todo) {
          p.values = [
            values[at++]!,
            ...p.metrics.map(([, v]) => (typeof v === 'number' ? v : values[at++]!)),
          ];
          if (!check(p)) return false;
        }
        return true;
      }
      /** Adds the read steps to the epoch's sums, the callbacks and the progress bar. */
      const report = () => {
        while (pending[0]?.values) {
          const p = pending.shift()!;
          const [lv, ...mv] = p.values!;
          total += lv! * p.b;
          n += p.b;
          p.metrics.forEach(([k], i) => (sums[k] = (sums[k] ?? 0) + mv[i]! * p.b));
          callbacks.forEach((c) => c.onBatchEnd?.(ctx, { loss: lv!, size: p.b }));
          const elapsed = (Date.now() - t0) / 1000;
          const sps = globalSamples / Math.max(elapsed, 1e-9);
          const stepsLeft = (o.epochs - epoch) * stepsPerEpoch + (stepsPerEpoch - p.step);
          bar?.update(
            epoch,
            o.epochs,
            p.step,
            stepsPerEpoch,
            { loss: total / n, ...Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n])) },
            sps,
            stepsPerEpoch ? (stepsLeft * p.b) / sps : NaN,
          );
        }
      };
      for (const [x, y] of o.data) {
        step++;
        ctx.step++;
        o.optimizer.zeroGrad();
        const out = (model.call as (x: Tensor) => Tensor).call(model, x);
        let loss = o.loss(out, y);
        if (o.regularization) loss = loss.add(o.regularization());
        const b = x.shape[0];
        const detached = out.detach();
        pending.push({
          epoch,
          step,
          globalStep: ctx.step,
          b,
          loss: loss.detach(),
          metrics: Object.entries(metrics).map(([k, m]) => [k, m(detached, y)]),
        });
        // With readEvery 1 (the CPU) the loss is checked before backward, so a bad step changes nothing.
        if (pending.length >= readEvery && !(yield* read())) break outer;
        loss.backward();
        if (monitor && ctx.step % healthEvery === 0) {
          for (const w of monitor.check().warnings) {
            if (!history.warnings.some((h) => h.kind === w.kind))
              bar?.line(`warning at epoch ${epoch}, step ${step}: ${w.message}`);
            history.warnings.push(w);
          }
        }
        o.optimizer.step();
        globalSamples += b;
        if (o.scheduler instanceof LRScheduler && o.schedulerInterval === 'step') o.scheduler.step();
        report();
        const stop = Boolean(o.shouldStop?.());
        const due = o.checkpointEveryMs !== undefined && Date.now() - lastCheckpoint >= o.checkpointEveryMs;
        // A checkpoint holds every step's sums: what is pending is read first.
        if (stop || due) {
          if (!(yield* read())) break outer;
          report();
        }
        if (stop) {
          history.interrupted = { epoch, step };
          history.stopReason = `interrupted at epoch ${epoch}, step ${step} of ${stepsPerEpoch}`;
          checkpoint(snapshot(epoch - 1, step, { total, n, sums }), 'interrupt');
          break outer;
        }
        if (due) checkpoint(snapshot(epoch - 1, step, { total, n, sums }), 'time');
        if (ctx.stop) break;
      }
      if (!(yield* read())) break outer;
      report();
      if (step === 0 && !midEpoch)
        throw new ValueError(
          'fit',
          `epoch ${epoch} gave no batches: the data is empty (or dropLast dropped every batch, the batch size being larger than the data)`,
        );
      const seconds = (Date.now() - te) / 1000;
      const log: EpochLog = {
        epoch,
        loss: total / Math.max(n, 1),
        metrics: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(n, 1)])),
        lr: (o.optimizer.paramGroups[0] as { lr?: number }).lr ?? NaN,
        seconds,
        samplesPerSec: n / Math.max(seconds, 1e-9),
      };
      if (o.validation) {
        const v = yield* evaluate(model, o.validation, o.loss, metrics);
        log.valLoss = v.loss;
        log.valMetrics = v.metrics;
        const bad = Object.entries({ valLoss: v.loss, ...v.metrics }).find(([, x]) => !Number.isFinite(x));
        if (bad) {
          history.epochs.push(log);
          failed(
            'non-finite',
            `${bad[0]} is ${bad[1]} at epoch ${epoch}: the validation data or the model's outputs hold NaN/Inf`,
          );
          break;
        }
      }
      if (o.scheduler instanceof ReduceLROnPlateau) {
        const key = o.schedulerMonitor ?? (log.valLoss !== undefined ? 'valLoss' : 'loss');
        o.scheduler.step(pick(log, key));
      } else if (o.scheduler && o.schedulerInterval !== 'step') o.scheduler.step();
      history.epochs.push(log);
      callbacks.forEach((c) => c.onEpochEnd?.(ctx, log));
      if (ctx.stop) {
        history.stoppedEarly = true;
        history.stopReason = ctx.stopReason ?? 'stopped by a callback';
      }
      const stopNow = !ctx.stop && epoch < o.epochs && Boolean(o.shouldStop?.());
      if (stopNow) {
        history.interrupted = { epoch: epoch + 1, step: 0 };
        history.stopReason = `interrupted after epoch ${epoch}`;
      }
      checkpoint(snapshot(epoch, 0, { total: 0, n: 0, sums: {} }), stopNow ? 'interrupt' : 'epoch');
      // After the checkpoint: once an epoch's line is shown, that epoch is on disk.
      bar?.line(formatLog(log, o.epochs));
      if (ctx.stop || stopNow) break;
    }
  }
}

/** The first batches, whose median sets the divergence check's start level. */
const DIVERGENCE_WARMUP = 5;

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A resume state that this run can continue, or a ValueError saying why not. */
function checkResume(r: FitState, o: FitOptions): void {
  const ok =
    r !== null &&
    typeof r === 'object' &&
    Number.isInteger(r.epoch) &&
    Number.isInteger(r.step) &&
    r.epoch >= 0 &&
    r.step >= 0 &&
    Array.isArray(r.history?.epochs) &&
    Array.isArray(r.callbacks);
  if (!ok) throw new ValueError('fit', 'resumeFrom is not a state that onCheckpoint produced');
  if (r.history.stoppedEarly && !r.history.interrupted)
    throw new ValueError('fit', `resumeFrom is a run that already stopped: ${r.history.stopReason ?? ''}`);
  if (r.epoch >= o.epochs)
    throw new ValueError(
      'fit',
      `resumeFrom has finished ${r.epoch} epochs; epochs (${o.epochs}) counts the whole run, so pass more to train on`,
    );
  if (r.step > 0 && !isResumable(o.data))
    throw new ValueError(
      'fit',
      `resumeFrom stopped mid-epoch (step ${r.step}); data must have stateDict/loadStateDict (a DataLoader) to continue there`,
    );
  if (r.scheduler && !o.scheduler)
    throw new ValueError('fit', 'resumeFrom holds a scheduler state but no scheduler was given');
}

/** A logged value by name: 'loss', 'valLoss', 'lr', 'accuracy' or 'valAccuracy' style metric names. */
export function pick(log: EpochLog, key: string): number {
  if (key === 'loss' || key === 'valLoss' || key === 'lr') {
    const v = log[key];
    if (v === undefined) throw new ValueError('fit', `'${key}' is not logged (no validation data?)`);
    return v;
  }
  if (key.startsWith('val') && log.valMetrics) {
    const m = key[3].toLowerCase() + key.slice(4);
    if (m in log.valMetrics) return log.valMetrics[m];
  }
  if (key in log.metrics) return log.metrics[key];
  throw new ValueError(
    'fit',
    `unknown metric '${key}' (logged: loss, ${Object.keys(log.metrics).join(', ')})`,
  );
}

function formatLog(l: EpochLog, epochs: number): string {
  const parts = [`epoch ${l.epoch}/${epochs}`, `loss ${l.loss.toFixed(4)}`];
  for (const [k, v] of Object.entries(l.metrics)) parts.push(`${k} ${v.toFixed(4)}`);
  if (l.valLoss !== undefined) parts.push(`val loss ${l.valLoss.toFixed(4)}`);
  for (const [k, v] of Object.entries(l.valMetrics ?? {})) parts.push(`val ${k} ${v.toFixed(4)}`);
  parts.push(
    `lr ${l.lr.toPrecision(3)}`,
    `${l.samplesPerSec.toFixed(0)} samples/s`,
    `${l.seconds.toFixed(1)}s`,
  );
  return parts.join('  ');
}
