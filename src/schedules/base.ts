/**
 * PyTorch's learning-rate schedulers (torch.optim.lr_scheduler), driving an optimizer's param groups:
 * `scheduler.step()` after `optimizer.step()`, `getLastLr()`, `stateDict()`. Each keeps PyTorch's
 * recursive ("chainable") update, so the numbers match PyTorch's to the last bits, including
 * CosineAnnealingLR going back up past tMax. Closed forms are used where PyTorch uses them
 * (`step(epoch)`, SequentialLR's milestones).
 * @example
 * const opt = new SGD(params, { lr: 0.1, momentum: 0.9 });
 * const sched = new CosineAnnealingLR(opt, { tMax: 100 });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   opt.zeroGrad(); loss().backward(); opt.step(); sched.step();
 * }
 */
import { ValueError } from '../errors.js';

/** What a scheduler needs of an optimizer: its param groups and defaults (any descend optimizer). */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly object[];
  readonly defaults: object;
}

/** @internal a param group as schedulers see it. */
export type Group = Record<string, unknown> & { lr: number };

/** @internal */
export function groupsOf(o: SchedulableOptimizer): Group[] {
  return o.paramGroups as unknown as Group[];
}

/** @internal the number of xs <= x (xs sorted). */
export function bisectRight(xs: readonly number[], x: number): number {
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
  /**
   * Starts over from the first step (PyTorch's `_initial_step` on an existing scheduler): the step count
   * goes back to 0 and the first step is taken again. SequentialLR restarts its first scheduler with it.
   */
  restart(): void {
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
