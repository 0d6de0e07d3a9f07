/**
 * Learning-rate schedules by name: the one list the command line picks from (`--schedule`) and the docs
 * describe. Each makes a scheduler for a run of `epochs` epochs of `stepsPerEpoch` optimizer steps, and
 * says whether it steps after every batch or every epoch.
 */
import { ValueError } from '../errors.js';
import type { SchedulableOptimizer } from './base.js';
import { LRScheduler } from './base.js';
import { CosineAnnealingLR } from './cosine.js';
import { OneCycleLR } from './cyclic.js';
import { ExponentialLR, StepLR } from './step-family.js';

export interface ScheduleRun {
  epochs: number;
  stepsPerEpoch: number;
  /** The optimizer's learning rate (one-cycle's peak). */
  lr: number;
}

export interface SchedulePreset {
  description: string;
  /** When the scheduler steps: after every optimizer step, or after every epoch. */
  interval: 'step' | 'epoch';
  make(opt: SchedulableOptimizer, run: ScheduleRun): LRScheduler | null;
}

export const SCHEDULES = {
  none: { description: 'the constant learning rate', interval: 'epoch', make: () => null },
  cosine: {
    description: 'cosine annealing to 0 over the run, per step',
    interval: 'step',
    make: (opt, r) => new CosineAnnealingLR(opt, { tMax: r.epochs * r.stepsPerEpoch }),
  },
  step: {
    description: 'x0.3 every third of the epochs',
    interval: 'epoch',
    make: (opt, r) => new StepLR(opt, { stepSize: Math.max(1, Math.floor(r.epochs / 3)), gamma: 0.3 }),
  },
  exponential: {
    description: 'x0.9 every epoch',
    interval: 'epoch',
    make: (opt) => new ExponentialLR(opt, { gamma: 0.9 }),
  },
  onecycle: {
    description: 'one cycle up to the learning rate and down, per step (momentum cycled where there is one)',
    interval: 'step',
    make: (opt, r) =>
      new OneCycleLR(opt, {
        maxLr: r.lr,
        totalSteps: r.epochs * r.stepsPerEpoch,
        cycleMomentum: 'momentum' in opt.defaults || 'betas' in opt.defaults,
      }),
  },
} as const satisfies Record<string, SchedulePreset>;

export type ScheduleName = keyof typeof SCHEDULES;
export const SCHEDULE_NAMES = Object.keys(SCHEDULES) as ScheduleName[];

/** The scheduler called `name` for a run (null for 'none'), and when it steps. */
export function makeSchedule(
  name: string,
  opt: SchedulableOptimizer,
  run: ScheduleRun,
): { scheduler: LRScheduler | null; interval: 'step' | 'epoch' } {
  const preset = (SCHEDULES as Record<string, SchedulePreset>)[name];
  if (!preset)
    throw new ValueError('makeSchedule', `unknown schedule '${name}' (known: ${SCHEDULE_NAMES.join(', ')})`);
  return { scheduler: preset.make(opt, run), interval: preset.interval };
}
