/** Conformance with PyTorch: every case of fixtures/autodiff.json, output and input gradients. */
import { describe, expect, it } from 'vitest';
import type { DType, Tensor } from '../src/index.js';
import { assertClose, decode, type Encoded, fixture } from './helpers.js';
import { CASES } from './conformance.cases.js';
import { forEachBackend, skipReason } from './backends.js';

interface Case {
  name: string;
  expr: string;
  inputs: Record<string, Encoded>;
  output: Encoded;
  upstream_grad: Encoded;
  grads: Record<string, Encoded>;
}
const file = fixture<{ cases: Case[] }>('autodiff.json');

const TOLERANCES: Record<string, { rtol: number; atol: number }> = {
  float64: { rtol: 1e-10, atol: 1e-12 },
  float32: { rtol: 1e-4, atol: 1e-5 },
};

it('covers all 95 reference cases', () => {
  expect(file.cases.length).toBe(95);
  expect(file.cases.map((c) => c.name).filter((n) => !(n in CASES))).toEqual([]);
});

forEachBackend((backendName) => {
  for (const dtype of ['float64', 'float32'] as DType[]) {
    describe(`autodiff.json in ${dtype}`, () => {
      const { rtol, atol } = TOLERANCES[dtype];
      for (const c of file.cases) {
        const reason = skipReason(backendName, c.name);
        it.skipIf(reason !== undefined)(
          `${c.name}: ${c.expr}${reason ? ` (skipped: ${reason})` : ''}`,
          () => {
            const inputs: Record<string, Tensor> = {};
            for (const [k, e] of Object.entries(c.inputs)) {
              const t = decode(e, dtype);
              if (e.requires_grad) t.requiresGrad_(true);
              inputs[k] = t;
            }
            const out = CASES[c.name](inputs);
            assertClose(out, c.output, rtol, atol, `${c.name} output`);
            out.backward(decode(c.upstream_grad, dtype).reshape(out.shape));
            for (const [k, g] of Object.entries(c.grads)) {
              const got = inputs[k].grad;
              expect(got, `${c.name}: no gradient for ${k}`).not.toBeNull();
              assertClose(got!, g, rtol, atol, `${c.name} d/d${k}`);
            }
          },
        );
      }
    });
  }
});
