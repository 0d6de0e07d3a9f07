/** The lectures' worked examples (fixtures/lecture_examples.json), reproduced through the public API. */
import { describe, expect, it } from 'vitest';
import { grad, noGrad, tensor, type Tensor } from '../src/index.js';
import { assertClose, fixture } from './helpers.js';

interface Lectures {
  add_mul_graph: Record<string, number | string>;
  linear_2_2_1: {
    inputs: number[];
    target: number;
    lr: number;
    weights_before: Record<string, number>;
    h1: number;
    h2: number;
    prediction_before: number;
    delta: number;
    loss_before: number;
    grads: Record<string, number>;
    weights_after: Record<string, number>;
    prediction_after: number;
    loss_after: number;
  };
  gd_quadratic: { lr: number; x: number[][]; f: number[]; grad: number[][] };
}
const L = fixture<Lectures>('lecture_examples.json');
const f64 = (v: number, requiresGrad = false) => tensor(v, { dtype: 'float64', requiresGrad });
const close = (a: number, b: number) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 + 1e-12 * Math.abs(b));

describe('lecture examples', () => {
  it('f = (x + y) z at (-2, 5, -4): values and every gradient, including the intermediate q', () => {
    const E = L.add_mul_graph as Record<string, number>;
    const x = f64(E.x, true);
    const y = f64(E.y, true);
    const z = f64(E.z, true);
    const q = x.add(y).retainGrad();
    const f = q.mul(z);
    f.backward();
    close(q.item(), E.q);
    close(f.item(), E.f);
    close(x.grad!.item(), E.df_dx);
    close(y.grad!.item(), E.df_dy);
    close(z.grad!.item(), E.df_dz);
    close(q.grad!.item(), E.df_dq);
  });

  it('the 2-2-1 linear network: forward values, gradients, one SGD step, and the loss after it', () => {
    const E = L.linear_2_2_1;
    const w = Object.fromEntries(Object.entries(E.weights_before).map(([k, v]) => [k, f64(v, true)]));
    const [i1, i2] = E.inputs;
    const forward = () => {
      const h1 = w.w1.mul(i1).add(w.w2.mul(i2));
      const h2 = w.w3.mul(i1).add(w.w4.mul(i2));
      const y = h1.mul(w.w5).add(h2.mul(w.w6));
      return { h1, h2, y, loss: y.sub(E.target).pow(2).mul(0.5) };
    };
    const before = forward();
    close(before.h1.item(), E.h1);
    close(before.h2.item(), E.h2);
    close(before.y.item(), E.prediction_before);
    close(before.y.item() - E.target, E.delta);
    close(before.loss.item(), E.loss_before);
    before.loss.backward();
    for (const k of Object.keys(E.grads)) close(w[k].grad!.item(), E.grads[k]);
    noGrad(() => Object.values(w).forEach((p) => p.sub_(p.grad!.mul(E.lr))));
    for (const k of Object.keys(E.weights_after)) close(w[k].item(), E.weights_after[k]);
    const after = forward();
    close(after.y.item(), E.prediction_after);
    close(after.loss.item(), E.loss_after);
  });

  it('gradient descent on x1^2 + 2 x2^2 from [-5, -2], lr 0.1: all 10 steps', () => {
    const E = L.gd_quadratic;
    const f = (x: Tensor) => x.index(0).pow(2).add(x.index(1).pow(2).mul(2));
    const df = grad(f);
    let x = tensor(E.x[0], { dtype: 'float64' });
    for (let t = 0; t < E.grad.length; t++) {
      close(f(x).item(), E.f[t]);
      const g = df(x);
      assertClose(g, E.grad[t], 1e-12, 1e-12, `grad at step ${t}`);
      x = x.sub(g.mul(E.lr));
      assertClose(x, E.x[t + 1], 1e-12, 1e-12, `x after step ${t + 1}`);
    }
    close(f(x).item(), E.f[E.f.length - 1]);
  });
});
