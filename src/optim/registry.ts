/**
 * The PyTorch-style optimizer classes by name: the one list the command line, the optimizer race and the
 * playground pick from (the optax recipes have theirs in by-name.ts). 'momentum' and 'nesterov' are SGD
 * presets. Each class refuses options it does not take with a ValueError naming them, so a user's option
 * that does not apply is an error, not silently dropped.
 */
import { ValueError, own } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from './optimizer.js';
import * as torch from './torch/index.js';
import * as optaxClasses from './optax-classes.js';
import { LBFGS } from './lbfgs.js';
import { DiagonalNewton, Newton } from './second-order.js';

type Options = Record<string, unknown>;
const C = { ...torch, ...optaxClasses };
type Make = (params: Tensor[], options: Options) => Optimizer<object>;

// The classes' option types differ; each takes the caller's record and validates it itself.
const make =
  <T>(ctor: new (params: Tensor[], options: never) => T, preset: Options = {}): Make =>
  (params, options) =>
    new ctor(params, { ...preset, ...options } as never) as unknown as Optimizer<object>;

/** The optimizer classes by name. */
export const OPTIMIZERS = {
  sgd: make(C.SGD),
  momentum: make(C.SGD, { momentum: 0.9 }),
  nesterov: make(C.SGD, { momentum: 0.9, nesterov: true }),
  adagrad: make(C.Adagrad),
  rmsprop: make(C.RMSprop),
  adadelta: make(C.Adadelta),
  adam: make(C.Adam),
  adamw: make(C.AdamW),
  adamax: make(C.Adamax),
  nadam: make(C.NAdam),
  radam: make(C.RAdam),
  yogi: make(C.Yogi),
  adabelief: make(C.AdaBelief),
  lamb: make(C.LAMB),
  lion: make(C.Lion),
  novograd: make(C.Novograd),
  adan: make(C.Adan),
  signsgd: make(C.SignSGD),
  lbfgs: make(LBFGS),
  newton: make(Newton),
  diagonalnewton: make(DiagonalNewton),
} as const satisfies Record<string, Make>;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];

/**
 * A new optimizer of the class called `name` on `params` (options left undefined are dropped; the
 * class refuses any it does not take).
 * @example const opt = makeOptimizer('adamw', model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export function makeOptimizer(name: string, params: Tensor[], options: Options = {}): Optimizer<object> {
  const m = own(OPTIMIZERS as Record<string, Make>, name);
  if (!m)
    throw new ValueError(
      'makeOptimizer',
      `unknown optimizer '${name}' (known: ${OPTIMIZER_NAMES.join(', ')})`,
    );
  return m(params, Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
}
