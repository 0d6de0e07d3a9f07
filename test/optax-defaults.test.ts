/**
 * Every recipe's and transform's defaults are optax 0.2.8's: for each function, its updates with default
 * options equal its updates with optax's defaults passed explicitly (names in camelCase). The defaults
 * come from optax's source at v0.2.8 (fixtures/optax/optax-defaults.json, made by extract_defaults.py
 * there). Options descend does not take are listed with the reason.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tensor } from '../src/index.js';
import * as optim from '../src/optim/index.js';
import { PROBLEMS } from './problems.js';

const here = dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(join(here, 'fixtures/optax/optax-defaults.json'), 'utf8')) as {
  optax: string;
  functions: Record<string, { defaults: Record<string, unknown> }>;
};

/** optax options that are not numerics (dtypes, masks that default to "all") or not taken, and why. */
const NOT_TAKEN: Record<string, string> = {
  mu_dtype: 'descend keeps state in the parameter dtype',
  accumulator_dtype: 'descend keeps state in the parameter dtype',
  mask: 'None (all parameters) is the default; tested with masks elsewhere',
  weight_decay_mask: 'None/True (all parameters) is the default',
  trust_ratio_mask: 'True (all parameters) is the default',
  learning_rate: "adadelta's optional rate: descend's recipes take lr first",
};

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

type Tx = ReturnType<typeof optim.sgd>;
const recipes = optim as unknown as Record<string, (lr: number, o?: object) => Tx>;
const transforms = optim as unknown as Record<string, (o?: object) => Tx>;

/** optax name -> [descend name, kind, required options]. */
const FUNCTIONS: [string, string, 'recipe' | 'transform', object?][] = [
  ['sgd', 'sgd', 'recipe'],
  ['adagrad', 'adagrad', 'recipe'],
  ['rmsprop', 'rmsprop', 'recipe'],
  ['adadelta', 'adadelta', 'recipe'],
  ['adam', 'adam', 'recipe'],
  ['adamw', 'adamw', 'recipe'],
  ['amsgrad', 'amsgrad', 'recipe'],
  ['adamax', 'adamax', 'recipe'],
  ['adamaxw', 'adamaxw', 'recipe'],
  ['radam', 'radam', 'recipe'],
  ['yogi', 'yogi', 'recipe'],
  ['adabelief', 'adabelief', 'recipe'],
  ['lamb', 'lamb', 'recipe'],
  ['lion', 'lion', 'recipe'],
  ['novograd', 'novograd', 'recipe'],
  ['adan', 'adan', 'recipe'],
  ['rprop', 'rprop', 'recipe'],
  ['lars', 'lars', 'recipe'],
  ['fromage', 'fromage', 'recipe'],
  ['scale_by_rss', 'scaleByRss', 'transform'],
  ['scale_by_rms', 'scaleByRms', 'transform'],
  ['scale_by_stddev', 'scaleByStddev', 'transform'],
  ['scale_by_adam', 'scaleByAdam', 'transform'],
  ['scale_by_amsgrad', 'scaleByAmsgrad', 'transform'],
  ['scale_by_adamax', 'scaleByAdamax', 'transform'],
  ['scale_by_adadelta', 'scaleByAdadelta', 'transform'],
  ['scale_by_radam', 'scaleByRadam', 'transform'],
  ['scale_by_yogi', 'scaleByYogi', 'transform'],
  ['scale_by_belief', 'scaleByBelief', 'transform'],
  ['scale_by_lion', 'scaleByLion', 'transform'],
  ['scale_by_novograd', 'scaleByNovograd', 'transform'],
  ['scale_by_adan', 'scaleByAdan', 'transform'],
  ['scale_by_trust_ratio', 'scaleByTrustRatio', 'transform'],
  ['scale_by_rprop', 'scaleByRprop', 'transform', { learningRate: 0.1 }],
  ['trace', 'trace', 'transform', { decay: 0.9 }],
  ['ema', 'ema', 'transform', { decay: 0.9 }],
  ['add_decayed_weights', 'addDecayedWeights', 'transform'],
];

/** Three steps from x0 on the quadratic: the trajectory's numbers. */
function run(tx: Tx): number[] {
  const r = optim.minimize(PROBLEMS.quadratic, tensor([-5, -2], { dtype: 'float64' }), {
    optimizer: tx,
    steps: 3,
  });
  return r.trajectory.flatMap((x) => Array.from(x.dataSync()));
}

describe(`optax ${ref.optax} defaults`, () => {
  for (const [optaxName, name, kind, required] of FUNCTIONS) {
    it(`${name} has ${optaxName}'s defaults`, () => {
      const spec = ref.functions[optaxName];
      expect(spec, `${optaxName} is not in the fixture`).toBeDefined();
      const explicit: Record<string, unknown> = { ...required };
      const skipped: string[] = [];
      for (const [k, v] of Object.entries(spec.defaults)) {
        if (k in NOT_TAKEN || v === null) {
          skipped.push(k);
          continue;
        }
        explicit[camel(k)] = v;
      }
      const make = (o: object) => (kind === 'recipe' ? recipes[name](0.1, o) : transforms[name](o));
      // Every optax option is accepted (an unknown option throws naming it).
      const withOptax = make(explicit);
      const withDefaults = make({ ...required });
      expect(run(withDefaults)).toEqual(run(withOptax));
      for (const k of skipped) expect(k in NOT_TAKEN || spec.defaults[k] === null).toBe(true);
    });
  }
});

describe('options optax 0.2.8 added', () => {
  const g = [tensor([0.5, -3, 0.01], { dtype: 'float64' })];
  const first = (tx: Tx) => {
    const s = tx.init(g);
    return Array.from((tx.update(g, s, g)[0] as typeof g)[0].dataSync());
  };
  it("scaleByLion's modes: sign, tanh(smoothBeta x), and linear below 1", () => {
    const x = [0.05, -0.3, 0.001]; // (1 - b1) g with mu = 0
    expect(first(optim.scaleByLion())).toEqual([1, -1, 1]);
    first(optim.scaleByLion({ mode: 'smooth', smoothBeta: 2 })).forEach((v, i) =>
      expect(v).toBeCloseTo(Math.tanh(2 * x[i]), 15),
    );
    first(optim.scaleByLion({ mode: 'refined' })).forEach((v, i) => expect(v).toBeCloseTo(x[i], 15));
    expect(() => optim.scaleByLion({ mode: 'soft' as never })).toThrow(/mode must be/);
  });
  it("amsgrad's bias corrections can be turned off (the paper's form)", () => {
    const plain = first(optim.scaleByAmsgrad({ biasCorrectionMu: false, biasCorrectionNu: false }));
    // One step from zero state: m = 0.1 g, v = 0.001 g^2, update = m / (sqrt(v) + eps).
    plain.forEach((v, i) => {
      const gi = [0.5, -3, 0.01][i];
      expect(v).toBeCloseTo((0.1 * gi) / (Math.sqrt(0.001 * gi * gi) + 1e-8), 12);
    });
    expect(() => optim.scaleByAdam({ biasCorrectionMu: false } as never)).toThrow(
      /unknown option 'biasCorrectionMu'/,
    );
  });
});
