/** Conformance with PyTorch: every case of fixtures/autodiff.json, output and input gradients. */
import { describe, expect, it } from 'vitest';
import type { DType, Tensor } from '../src/index.js';
import { assertClose, decode, fixture } from './helpers.js';
import { type AutodiffCase, CASES, TOLERANCES } from './conformance.cases.js';
import { forEachBackend, skipReason } from './backends.js';

const file = fixture<{ cases: AutodiffCase[] }>('autodiff.json');

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
