/** gradcheck on every differentiable op, gradgradcheck on the twice-differentiable ones, nth derivatives. */
import { describe, expect, it } from 'vitest';
import {
  abs,
  amax,
  Generator,
  GradcheckError,
  customVjp,
  conv2d,
  cos,
  grad,
  gradcheck,
  gradgradcheck,
  matmul,
  mul,
  randn,
  sin,
  sub,
  tensor,
  type Tensor,
} from '../src/index.js';
import { OPS } from './ops.table.js';
import { bmmPrim } from '../src/ops/primitives/linalg.js';
import { forEachBackend, skipReason } from './backends.js';

forEachBackend((backendName) => {
  describe('gradcheck on every differentiable op (float64, several samples each)', () => {
    for (const op of OPS) {
      const reason = skipReason(backendName, op.name);
      it.skipIf(reason !== undefined)(reason ? `${op.name} (skipped: ${reason})` : op.name, () => {
        const samples = op.samples(new Generator(1234));
        for (const inputs of samples) {
          const leaves = inputs.map((x) => x.detach().requiresGrad_(true));
          expect(gradcheck(op.fn, leaves)).toBe(true);
        }
      });
    }
  });

  describe('gradgradcheck on every twice-differentiable op', () => {
    for (const op of OPS) {
      if (op.noSecondOrder) continue;
      const reason = skipReason(backendName, op.name);
      it.skipIf(reason !== undefined)(reason ? `${op.name} (skipped: ${reason})` : op.name, () => {
        const inputs = op.samples(new Generator(99))[0].map((x) => x.detach().requiresGrad_(true));
        expect(gradgradcheck(op.fn, inputs)).toBe(true);
      });
    }
  });
});

forEachBackend(() => {
  it('matmul with operands stored transposed equals the product of explicit transposes', () => {
    const g = new Generator(5);
    for (const dtype of ['float64', 'float32'] as const)
      for (const [ta, tb] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ] as const) {
        const a = randn(ta ? [2, 4, 3] : [2, 3, 4], { generator: g, dtype });
        const b = randn(tb ? [2, 5, 4] : [2, 4, 5], { generator: g, dtype });
        const want = matmul(ta ? a.transpose(1, 2) : a, tb ? b.transpose(1, 2) : b);
        const got = bmmPrim([a, b], { ta, tb });
        expect(got.shape).toEqual([2, 3, 5]);
        const tol = dtype === 'float64' ? 1e-12 : 1e-5;
        expect(amax(abs(sub(got, want))).item()).toBeLessThan(tol);
      }
  });
});

describe('gradcheck itself', () => {
  it('catches a wrong VJP and names the worst element', () => {
    const wrong = customVjp(
      (x: Tensor) => sin(x),
      (g, { inputs: [x] }) => [mul(g, cos(x)).mul(1.01)],
    );
    const x = tensor([0.1, 0.2, 0.3], { dtype: 'float64', requiresGrad: true });
    expect(() => gradcheck(wrong, [x])).toThrow(GradcheckError);
    expect(() => gradcheck(wrong, [x])).toThrow(/element \[\d\].*analytic .*numerical/);
    expect(gradcheck(wrong, [x], { raiseException: false })).toBe(false);
  });
  it('catches a wrong second derivative that gradcheck accepts', () => {
    // First derivative right, but the VJP is built from a detached input: its own derivative is lost.
    const f = customVjp(
      (x: Tensor) => x.pow(3),
      (g, { inputs: [x] }) => [g.mul(x.detach().pow(2).mul(3))],
    );
    const x = tensor([0.5, -1.2], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck(f, [x])).toBe(true);
    expect(() => gradgradcheck(f, [x])).toThrow(GradcheckError);
  });
  it('refuses float32 inputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => gradcheck((x) => x.mul(2), [x])).toThrow(/float64/);
  });
});

describe('higher-order derivatives by nested grad', () => {
  const f = (x: Tensor) => sin(x).mul(x.pow(3));
  const analytic = [
    (x: number) => Math.sin(x) * x ** 3,
    (x: number) => 3 * x ** 2 * Math.sin(x) + x ** 3 * Math.cos(x),
    (x: number) => 6 * x * Math.sin(x) + 6 * x ** 2 * Math.cos(x) - x ** 3 * Math.sin(x),
    (x: number) => 6 * Math.sin(x) + 18 * x * Math.cos(x) - 9 * x ** 2 * Math.sin(x) - x ** 3 * Math.cos(x),
    (x: number) => 24 * Math.cos(x) - 36 * x * Math.sin(x) - 12 * x ** 2 * Math.cos(x) + x ** 3 * Math.sin(x),
  ];
  for (const x0 of [-2.3, -0.4, 0.7, 1.9]) {
    it(`the first four derivatives of sin(x) x^3 at ${x0} match to 1e-10`, () => {
      let g: (x: Tensor) => Tensor = f;
      const x = tensor(x0, { dtype: 'float64' });
      for (let n = 1; n <= 4; n++) {
        g = grad(g);
        const got = g(x).item();
        expect(Math.abs(got - analytic[n](x0))).toBeLessThanOrEqual(
          1e-10 * Math.max(1, Math.abs(analytic[n](x0))),
        );
      }
    });
  }
});

forEachBackend(() => {
  it('conv2d has third derivatives: gradgradcheck of its gradient, whose VJPs are conv primitives too', () => {
    // The gradient of sum(conv(x, w)^2) is made of conv2dInputGrad and conv2dWeightGrad of conv2d's
    // output: checking it to second order checks the conv family's VJPs of VJPs.
    const g = new Generator(7);
    const x = randn([2, 2, 5, 4], { dtype: 'float64', generator: g }).requiresGrad_();
    const w = randn([3, 2, 3, 2], { dtype: 'float64', generator: g }).requiresGrad_();
    const f = (a: Tensor, b: Tensor) =>
      conv2d(a, b, null, { stride: [2, 1], padding: 1 })
        .pow(2)
        .sum();
    const dfdx = (a: Tensor, b: Tensor) => grad(f, { argnums: [0, 1] })(a, b)[0] as Tensor;
    const dfdw = (a: Tensor, b: Tensor) => grad(f, { argnums: [0, 1] })(a, b)[1] as Tensor;
    expect(gradgradcheck(dfdx, [x, w])).toBe(true);
    expect(gradgradcheck(dfdw, [x, w])).toBe(true);
  });
});
