/**
 * Optimizers racing from one start on a 2-D test function: the trajectories and losses behind
 * `descend race` and the playground's race panel.
 */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import * as O from '../optim/index.js';
import type { TestFunction } from './surfaces.js';

/** Hyperparameters of one racer: lr and any option of its optimizer class (momentum, betas, eps, ...). */
export type RaceHyper = { lr: number } & Record<string, unknown>;

/** The racers, with default learning rates tuned for these scales (as in the lectures' figures). */
export const RACE_OPTIMIZERS: Record<
  string,
  { lr: number; make: (p: Tensor[], o: RaceHyper) => O.Optimizer<object> }
> = {
  sgd: { lr: 5e-4, make: (p, o) => new O.SGD(p, { ...o }) as unknown as O.Optimizer<object> },
  momentum: {
    lr: 2e-4,
    make: (p, o) => new O.SGD(p, { momentum: 0.9, ...o }) as unknown as O.Optimizer<object>,
  },
  nesterov: {
    lr: 2e-4,
    make: (p, o) => new O.SGD(p, { momentum: 0.9, nesterov: true, ...o }) as unknown as O.Optimizer<object>,
  },
  adagrad: { lr: 0.5, make: (p, o) => new O.Adagrad(p, { ...o }) as unknown as O.Optimizer<object> },
  rmsprop: {
    lr: 0.01,
    make: (p, o) => new O.RMSprop(p, { alpha: 0.9, ...o }) as unknown as O.Optimizer<object>,
  },
  adadelta: { lr: 10, make: (p, o) => new O.Adadelta(p, { ...o }) as unknown as O.Optimizer<object> },
  adam: { lr: 0.05, make: (p, o) => new O.Adam(p, { ...o }) as unknown as O.Optimizer<object> },
  adamw: { lr: 0.05, make: (p, o) => new O.AdamW(p, { ...o }) as unknown as O.Optimizer<object> },
  nadam: { lr: 0.05, make: (p, o) => new O.NAdam(p, { ...o }) as unknown as O.Optimizer<object> },
  radam: { lr: 0.002, make: (p, o) => new O.RAdam(p, { ...o }) as unknown as O.Optimizer<object> },
  yogi: { lr: 0.05, make: (p, o) => new O.Yogi(p, { ...o }) as unknown as O.Optimizer<object> },
  adabelief: { lr: 0.05, make: (p, o) => new O.AdaBelief(p, { ...o }) as unknown as O.Optimizer<object> },
  lion: {
    lr: 0.01,
    make: (p, o) => new O.Lion(p, { weightDecay: 0, ...o }) as unknown as O.Optimizer<object>,
  },
  lbfgs: {
    lr: 1,
    make: (p, o) =>
      new O.LBFGS(p, { maxIter: 1, lineSearchFn: 'strong_wolfe', ...o }) as unknown as O.Optimizer<object>,
  },
  newton: {
    lr: 1,
    make: (p, o) =>
      new O.Newton(p, { damping: 1e-3, lineSearch: 'backtracking', ...o }) as unknown as O.Optimizer<object>,
  },
};

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
    const spec = RACE_OPTIMIZERS[name];
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
