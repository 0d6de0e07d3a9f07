/**
 * The PyTorch conformance cases (fixtures/autodiff.json) on the WebGPU backend, in float32 with the
 * float32 tolerances of conformance.test.ts: outputs and input gradients, read back asynchronously.
 * Dawn in Node on SwiftShader; skipped, saying why, where there is no adapter.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as d from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { initWebGPU, type WebGPUBackend, WebGPUUnavailableError } from '../src/backends/webgpu/index.js';
import { assertCloseAsync, decode, type Encoded, fixture } from './helpers.js';
import { CASES } from './conformance.cases.js';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

interface Case {
  name: string;
  expr: string;
  inputs: Record<string, Encoded>;
  output: Encoded;
  upstream_grad: Encoded;
  grads: Record<string, Encoded>;
}
const file = fixture<{ cases: Case[] }>('autodiff.json');
const { rtol, atol } = { rtol: 1e-4, atol: 1e-5 };

let gpu: WebGPUBackend | null = null;
let why = '';
const before = d.backend();
beforeAll(async () => {
  try {
    gpu = await initWebGPU();
    d.setBackend('webgpu');
  } catch (e) {
    if (!(e instanceof WebGPUUnavailableError)) throw e;
    why = e.message;
  }
}, 60_000);
afterAll(() => {
  d.setBackend(before);
  gpu?.device.destroy();
});

describe('autodiff.json in float32 on WebGPU', () => {
  for (const c of file.cases)
    it(`${c.name}: ${c.expr}`, async (ctx) => {
      if (!gpu) return ctx.skip(why);
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
