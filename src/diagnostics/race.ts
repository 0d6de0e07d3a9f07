/**
 * Optimizers racing from one start on a 2-D test function: the trajectories and losses behind
 * `descend race` and the playground's race panel.
 */
import { noGrad } from '../autograd/mode.js';
import { ValueError, own } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import * as O from '../optim/index.js';
import type { TestFunction } from './surfaces.js';

/** Hyperparameters of one racer: lr and any option of its optimizer class (momentum, betas, eps, ...). */
export type RaceHyper = { lr: number } & Record<string, unknown>;

/**
 * The racers: optimizer classes from the optim registry, with learning rates tuned for these scales (as
 * in the lectures' figures) and a few presets of their own.
 */
const RACERS: Record<string, { lr: number; preset?: Record<string, unknown> }> = {
  sgd: { lr: 5e-4 },
  momentum: { lr: 2e-4 },
  nesterov: { lr: 2e-4 },
  adagrad: { lr: 0.5 },
  rmsprop: { lr: 0.01, preset: { alpha: 0.9 } },
  adadelta: { lr: 10 },
  adam: { lr: 0.05 },
  adamw: { lr: 0.05 },
  nadam: { lr: 0.05 },
  radam: { lr: 0.002 },
  yogi: { lr: 0.05 },
  adabelief: { lr: 0.05 },
  lion: { lr: 0.01, preset: { weightDecay: 0 } },
  lbfgs: { lr: 1, preset: { maxIter: 1, lineSearchFn: 'strong_wolfe' } },
  newton: { lr: 1, preset: { damping: 1e-3, lineSearch: 'backtracking' } },
};

export const RACE_OPTIMIZERS: Record<
  string,
  { lr: number; make: (p: Tensor[], o: RaceHyper) => O.Optimizer<object> }
> = Object.fromEntries(
  Object.entries(RACERS).map(([name, { lr, preset }]) => [
    name,
    { lr, make: (p: Tensor[], o: RaceHyper) => O.makeOptimizer(name, p, { ...preset, ...o }) },
  ]),
);

export interface RaceResult {
  name: string;
  path: [number, number][];
  losses: number[];
  /** First step whose loss is within tol of the minimum (or below tol when unknown), else null. */
  stepsToTol: number | null;
}

export function runRace(
  fn: TestFunction,
  names: string[],
  opts: {
    steps: number;
    tol: number;
    /** Learning rates by optimizer name (default: the race's own). */
    lrs?: Record<string, number>;
    /** Other options by optimizer name, passed to its class (e.g. `{ adam: { betas: [0.8, 0.99] } }`). */
    options?: Record<string, Record<string, unknown>>;
  },
): RaceResult[] {
  return names.map((name) => {
    const spec = own(RACE_OPTIMIZERS, name);
    if (!spec)
      throw new ValueError(
        'runRace',
        `unknown optimizer '${name}'; choose from ${Object.keys(RACE_OPTIMIZERS).join(', ')}`,
      );
    const p = tensor(fn.start, { dtype: 'float64', requiresGrad: true });
    const opt = spec.make([p], { ...opts.options?.[name], lr: opts.lrs?.[name] ?? spec.lr });
    const path: [number, number][] = [[fn.start[0], fn.start[1]]];
    const losses: number[] = [fn.f(p.detach()).item()];
    const closure = () => {
      opt.zeroGrad();
      const l = fn.f(p);
      l.backward();
      return l;
    };
    for (let s = 0; s < opts.steps; s++) {
      if (name === 'newton') opt.step(() => fn.f(p));
      else if (name === 'lbfgs') opt.step(closure);
      else {
        closure();
        opt.step();
      }
      const v = p.dataSync();
      if (!Number.isFinite(v[0]) || !Number.isFinite(v[1]) || Math.abs(v[0]) > 1e6 || Math.abs(v[1]) > 1e6)
        break;
      path.push([v[0], v[1]]);
      losses.push(noGrad(() => fn.f(p.detach()).item()));
    }
    const target = (fn.fMin ?? 0) + opts.tol;
    const hit = losses.findIndex((l) => l <= target);
    return { name, path, losses, stepsToTol: hit >= 0 ? hit : null };
  });
}
