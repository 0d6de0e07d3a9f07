/**
 * Conformance with torch.optim: every run of fixtures/optimizers_torch.json (17 configurations x 3
 * problems x 30 steps): parameters and loss after every step and the final state, float64, rtol 1e-10.
 * State names map to PyTorch's by camelCase (exp_avg -> expAvg, momentum_buffer -> momentumBuffer, ...).
 */
import { describe, expect, it } from 'vitest';
import { type Tensor, matmul, sum, tensor } from '../src/index.js';
import * as optim from '../src/optim/index.js';
import { assertClose, fixture } from './helpers.js';

interface Run {
  id: string;
  problem: 'quadratic' | 'rosenbrock' | 'least_squares';
  constructor_kwargs: Record<string, unknown>;
  params: number[][];
  loss: number[];
  final_state: Record<string, number | number[]>;
}
interface File {
  problems: { least_squares: { A: number[][]; b: number[] } };
  runs: Run[];
}
const F = fixture<File>('optimizers_torch.json');
const A = tensor(F.problems.least_squares.A, { dtype: 'float64' });
const b = tensor(F.problems.least_squares.b, { dtype: 'float64' });

export const PROBLEMS: Record<Run['problem'], (x: Tensor) => Tensor> = {
  quadratic: (x) => x.index(0).pow(2).add(x.index(1).pow(2).mul(2)),
  rosenbrock: (x) => {
    const [x0, x1] = [x.index(0), x.index(1)];
    return x0
      .neg()
      .add(1)
      .pow(2)
      .add(x1.sub(x0.pow(2)).pow(2).mul(100));
  },
  least_squares: (w) => sum(matmul(A, w).sub(b).pow(2)).mul(0.5),
};

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The descend class and options for a PyTorch constructor call. */
export function makeTorch(run: Run, params: Tensor[]): optim.Optimizer<object> {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.constructor_kwargs)) opts[camel(k)] = v;
  const source = (run as unknown as { source: string }).source.replace('torch.optim.', '');
  const classes: Record<string, new (p: Tensor[], o: object) => optim.Optimizer<object>> = {
    SGD: optim.SGD,
    Adagrad: optim.Adagrad,
    RMSprop: optim.RMSprop,
    Adadelta: optim.Adadelta,
    Adam: optim.Adam,
    AdamW: optim.AdamW,
    Adamax: optim.Adamax,
    NAdam: optim.NAdam,
    RAdam: optim.RAdam,
  } as unknown as Record<string, new (p: Tensor[], o: object) => optim.Optimizer<object>>;
  return new classes[source](params, opts);
}

describe('torch.optim reference runs', () => {
  it('has 51 runs', () => expect(F.runs.length).toBe(51));
  for (const run of F.runs) {
    it(`${run.id} on ${run.problem}`, () => {
      const x = tensor(run.params[0], { dtype: 'float64', requiresGrad: true });
      const opt = makeTorch(run, [x]);
      const f = PROBLEMS[run.problem];
      for (let k = 0; k < run.loss.length - 1; k++) {
        opt.zeroGrad();
        const loss = f(x);
        expect(Math.abs(loss.item() - run.loss[k])).toBeLessThanOrEqual(
          1e-10 * Math.abs(run.loss[k]) + 1e-300,
        );
        loss.backward();
        opt.step();
        assertClose(x.detach(), run.params[k + 1], 1e-10, 0, `${run.id} params after step ${k + 1}`);
      }
      const last = run.loss[run.loss.length - 1];
      expect(Math.abs(f(x).item() - last)).toBeLessThanOrEqual(1e-10 * Math.abs(last));
      const state = opt.state.get(x) ?? {};
      for (const [k, v] of Object.entries(run.final_state)) {
        const got = state[camel(k)];
        if (Array.isArray(v)) assertClose(got as Tensor, v, 1e-10, 0, `${run.id} state ${k}`);
        else expect(Math.abs((got as number) - v)).toBeLessThanOrEqual(1e-10 * Math.abs(v));
      }
      expect(Object.keys(state).sort()).toEqual(Object.keys(run.final_state).map(camel).sort());
    });
  }
});
