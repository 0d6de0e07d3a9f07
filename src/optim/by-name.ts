/** Picking an optax recipe by name, as a command line or config file does. */
import { ValueError } from '../errors.js';
import type { GradientTransformation, ScalarOrSchedule } from './core.js';
import * as R from './recipes.js';

/** The recipes by name: the function's name in lower case (signSgd is 'signsgd', as in the class registry). */
export const RECIPES = {
  sgd: R.sgd,
  adagrad: R.adagrad,
  rmsprop: R.rmsprop,
  adadelta: R.adadelta,
  adam: R.adam,
  nadam: R.nadam,
  adamw: R.adamw,
  nadamw: R.nadamw,
  amsgrad: R.amsgrad,
  adamax: R.adamax,
  adamaxw: R.adamaxw,
  radam: R.radam,
  yogi: R.yogi,
  adabelief: R.adabelief,
  lamb: R.lamb,
  lion: R.lion,
  novograd: R.novograd,
  adan: R.adan,
  signsgd: R.signSgd,
  rprop: R.rprop,
  lars: R.lars,
  fromage: R.fromage,
} as const;

/** The names `optimizerByName` accepts. */
export type RecipeName = keyof typeof RECIPES;
export const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];

/**
 * The optax recipe called `name`, with its options (unknown options are refused by the recipe).
 * @example const tx = optimizerByName('adamw', 1e-3, { weightDecay: 0.01 });
 */
export function optimizerByName(
  name: string,
  lr: ScalarOrSchedule,
  options: Record<string, unknown> = {},
): GradientTransformation {
  const make = (RECIPES as Record<string, (lr: ScalarOrSchedule, o?: object) => GradientTransformation>)[
    name
  ];
  if (!make)
    throw new ValueError(
      'optimizerByName',
      `unknown optimizer '${name}' (known: ${RECIPE_NAMES.join(', ')})`,
    );
  return name === 'signsgd' ? R.signSgd(lr) : make(lr, options);
}
