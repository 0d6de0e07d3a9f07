/**
 * Gradient agreement on the WebGPU backend: every differentiable op of ops.table.ts (the gradcheck
 * table), its output and its inputs' gradients under a random cotangent, against the JS backend in
 * float32 at conformance.test.ts's float32 tolerances. Dawn in Node on SwiftShader; skipped, saying
 * why, where there is no adapter.
 */
import { describe, it } from 'vitest';
import * as d from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { useWebGPU } from './webgpu-setup.js';
import { assertCloseAsync } from './helpers.js';
import { OPS } from './ops.table.js';

const wg = useWebGPU('webgpu gradient tests');

/** The same values as a float32 tensor on `backend` (host values, so it crosses backends). */
const on = (backend: string, values: number[], shape: readonly number[]) =>
  d.withBackend(backend, () => d.tensor(values, { dtype: 'float32' }).reshape([...shape]));

/** fn's output and the gradients of sum(out * w) on `backend` (w: the cotangent, or random). */
function run(
  backend: string,
  fn: (...xs: Tensor[]) => Tensor,
  xs: [number[], number[]][],
  w?: number[],
): { out: Tensor; grads: (Tensor | null)[]; w: number[] } {
  d.setBackend(backend);
  const leaves = xs.map(([v, s]) => on(backend, v, s).requiresGrad_(true));
  const out = fn(...leaves);
  const ws = w ?? Array.from({ length: out.size }, (_, i) => Math.fround(Math.sin(i + 1) * 1.5));
  // A piecewise-constant op (binaryStep) has no graph: its output is compared alone.
  const loss = out.mul(on(backend, ws, out.shape)).sum();
  if (loss.requiresGrad) loss.backward();
  return { out, grads: leaves.map((l) => l.grad), w: ws };
}

const TOL = { rtol: 1e-4, atol: 1e-5 };

describe('gradients on WebGPU agree with the JS backend (float32)', () => {
  for (const op of OPS)
    it(
      op.name,
      async (ctx) => {
        const gpu = wg.gpu;
        if (!gpu) return ctx.skip(wg.why);
        d.setBackend('js');
        const sample = op
          .samples(new d.Generator(1234))[0]!
          .map((x) => [Array.from(x.dataSync()), [...x.shape]] as [number[], number[]]);
        const want = run('js', op.fn, sample);
        const got = run('webgpu', op.fn, sample, want.w);
        d.setBackend('js');
        await assertCloseAsync(got.out, want.out, TOL.rtol, TOL.atol, `${op.name} output`);
        for (let i = 0; i < sample.length; i++) {
          const [g, w] = [got.grads[i], want.grads[i]];
          if (!w) continue;
          if (!g) throw new Error(`${op.name}: no gradient for input ${i} on WebGPU`);
          await assertCloseAsync(g, w, TOL.rtol, TOL.atol, `${op.name} d/dx${i}`);
        }
      },
      30_000,
    );
});
