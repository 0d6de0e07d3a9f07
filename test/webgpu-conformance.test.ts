/**
 * The PyTorch conformance cases (fixtures/autodiff.json) on the WebGPU backend, in float32 with the
 * float32 tolerances of conformance.test.ts: outputs and input gradients, read back asynchronously.
 * Dawn in Node on SwiftShader; skipped, saying why, where there is no adapter.
 */
import { describe, it } from 'vitest';
import * as d from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { useWebGPU } from './webgpu-setup.js';
import { assertCloseAsync, decode, fixture } from './helpers.js';
import { type AutodiffCase, CASES, TOLERANCES } from './conformance.cases.js';

const file = fixture<{ cases: AutodiffCase[] }>('autodiff.json');
const { rtol, atol } = TOLERANCES.float32!;

const wg = useWebGPU('webgpu conformance tests');

describe('autodiff.json in float32 on WebGPU', () => {
  for (const c of file.cases)
    it(`${c.name}: ${c.expr}`, async (ctx) => {
      const gpu = wg.gpu;
      if (!gpu) return ctx.skip(wg.why);
      d.setBackend('webgpu');
      const inputs: Record<string, Tensor> = {};
      for (const [k, e] of Object.entries(c.inputs)) {
        const t = decode(e, 'float32');
        if (e.requires_grad) t.requiresGrad_(true);
        inputs[k] = t;
      }
      const out = CASES[c.name]!(inputs);
      await assertCloseAsync(out, c.output, rtol, atol, `${c.name} output`);
      out.backward(decode(c.upstream_grad, 'float32').reshape(out.shape));
      for (const [k, g] of Object.entries(c.grads)) {
        const got = inputs[k]!.grad;
        if (!got) throw new Error(`${c.name}: no gradient for ${k}`);
        await assertCloseAsync(got, g, rtol, atol, `${c.name} d/d${k}`);
      }
    }, 30_000);
});
