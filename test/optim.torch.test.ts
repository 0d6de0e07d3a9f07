/**
 * Conformance with torch.optim: every run of fixtures/optimizers_torch.json (17 configurations x 3
 * problems x 30 steps): parameters and loss after every step and the final state, float64, rtol 1e-10.
 * State names map to PyTorch's by camelCase (exp_avg -> expAvg, momentum_buffer -> momentumBuffer, ...).
 */
import { describe, expect, it } from 'vitest';
import { type Tensor, tensor } from '../src/index.js';
import { assertClose } from './helpers.js';
import { PROBLEMS, TORCH_RUNS, camel, makeTorch } from './problems.js';

const F = { runs: TORCH_RUNS };

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
