/**
 * Answers that used to come back wrong without an error (issue 27, items 6-11): each case now gives the
 * right answer or a typed error naming the op, the argument and the value at fault.
 */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { DTypeError, type Tensor } from '../src/index.js';

describe('integer inputs to the transforms (JAX refuses them to grad)', () => {
  const xi = d.tensor([1, 2, 3], { dtype: 'int32' });
  const f = (x: Tensor) => x.to('float64').pow(2).sum();
  it('grad and valueAndGrad refuse an int32 or bool input, naming the argument; allowInt holds it constant', () => {
    expect(() => d.grad(f)(xi)).toThrow(DTypeError);
    expect(() => d.grad(f)(xi)).toThrow(
      /^grad: argument 0 is int32: only float inputs have a gradient; pass allowInt: true/,
    );
    expect(() =>
      d.valueAndGrad((a: Tensor, b: Tensor) => a.sum().add(b.to('float32').sum()), { argnums: [0, 1] })(
        d.ones([2]),
        d.tensor([true, false]),
      ),
    ).toThrow(/argument 1 is bool/);
    expect(() => d.grad((p: { w: Tensor; n: Tensor }) => p.w.sum())({ w: d.ones([2]), n: xi })).toThrow(
      /argument 0 \(leaf 0\) is int32/,
    );
    expect(Array.from((d.grad(f, { allowInt: true })(xi) as Tensor).dataSync())).toEqual([0, 0, 0]);
    // Integers outside argnums are fine, as in JAX.
    const g = d.grad((w: Tensor, idx: Tensor) => d.indexSelect(w, 0, idx).sum(), { argnums: 0 });
    expect(Array.from(g(d.ones([3]), d.tensor([0, 2], { dtype: 'int32' })).dataSync())).toEqual([1, 0, 1]);
  });
  it('jvp, jacrev and jacfwd refuse integer primals', () => {
    expect(() => d.jvp(f, [xi], [d.ones([3])])).toThrow(
      /^jvp: primal 0 is int32: only float primals have tangents/,
    );
    expect(() => d.jacrev((x: Tensor) => x.to('float32'))(xi)).toThrow(/^jacrev: the input is int32/);
    expect(() => d.jacfwd((x: Tensor) => x.to('float32'))(xi)).toThrow(/^jacfwd: the input is int32/);
  });
});
