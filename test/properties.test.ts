/**
 * Property-based tests (fast-check, fixed seed): for every binary op, over random broadcast-compatible
 * shapes, the result shape is the broadcast shape and each input's gradient has that input's shape.
 * For the arithmetic ops the values and gradients are also checked against a direct broadcasting loop.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as d from '../src/index.js';
import { Generator, type Tensor } from '../src/index.js';

type Shape = number[];

/** An output shape and two input shapes that broadcast to it (dims dropped from the left or set to 1). */
const broadcastTriple = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((out) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: out.length }),
        fc.integer({ min: 0, max: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      )
      .map(([ra, rb, onesA, onesB]) => {
        const a = out.slice(out.length - ra).map((dim, i) => (onesA[i] ? 1 : dim));
        const b = out.slice(out.length - rb).map((dim, i) => (onesB[i] ? 1 : dim));
        return { a, b };
      }),
  );

function offsetIn(shape: Shape, out: Shape, flat: number): number {
  let rem = flat;
  const idx = new Array<number>(out.length);
  for (let i = out.length - 1; i >= 0; i--) {
    idx[i] = rem % out[i];
    rem = Math.floor(rem / out[i]);
  }
  let off = 0;
  for (let i = 0; i < shape.length; i++) {
    const j = i + out.length - shape.length;
    off = off * shape[i] + (shape[i] === 1 ? 0 : idx[j]);
  }
  return off;
}

interface BinaryCase {
  name: string;
  fn: (a: Tensor, b: Tensor) => Tensor;
  /** Value and local partial derivatives, for the ops whose values are also checked. */
  ref?: (a: number, b: number) => [number, number, number];
  positiveB?: boolean;
  differentiable?: boolean;
}

const CASES: BinaryCase[] = [
  { name: 'add', fn: d.add, ref: (a, b) => [a + b, 1, 1] },
  { name: 'sub', fn: d.sub, ref: (a, b) => [a - b, 1, -1] },
  { name: 'mul', fn: d.mul, ref: (a, b) => [a * b, b, a] },
  { name: 'div', fn: d.div, ref: (a, b) => [a / b, 1 / b, -a / (b * b)], positiveB: true },
  { name: 'pow', fn: d.pow, positiveB: true },
  { name: 'maximum', fn: d.maximum },
  { name: 'minimum', fn: d.minimum },
  { name: 'atan2', fn: d.atan2 },
  { name: 'where', fn: (a, b) => d.where(a.gt(0), a, b) },
  { name: 'eq', fn: d.eq, differentiable: false },
  { name: 'lt', fn: d.lt, differentiable: false },
  { name: 'ge', fn: d.ge, differentiable: false },
];

describe('binary ops over random broadcast shapes (1,000 runs each)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      let seed = 0;
      fc.assert(
        fc.property(broadcastTriple, ({ a: sa, b: sb }) => {
          const g = new Generator(seed++);
          const a = d.randn(sa, { dtype: 'float64', generator: g }).requiresGrad_();
          let b0 = d.randn(sb, { dtype: 'float64', generator: g });
          if (c.positiveB) b0 = d.abs(b0).add(0.5);
          const b = b0.detach().requiresGrad_();
          const expected = d.broadcastShapes('test', sa, sb);
          const y = c.fn(c.name === 'pow' ? d.abs(a).add(0.5) : a, b);
          expect(y.shape).toEqual(expected);
          if (c.differentiable === false) {
            expect(y.dtype).toBe('bool');
            return;
          }
          const up = d.randn(expected, { dtype: 'float64', generator: g });
          y.backward(up);
          expect(a.grad!.shape).toEqual(sa);
          expect(b.grad!.shape).toEqual(sb);
          if (!c.ref) return;
          const av = a.dataSync();
          const bv = b.dataSync();
          const yv = y.dataSync();
          const uv = up.dataSync();
          const ga = new Float64Array(av.length);
          const gb = new Float64Array(bv.length);
          for (let i = 0; i < yv.length; i++) {
            const ia = offsetIn(sa, expected, i);
            const ib = offsetIn(sb, expected, i);
            const [v, da, db] = c.ref(av[ia], bv[ib]);
            expect(Math.abs(yv[i] - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
            ga[ia] += uv[i] * da;
            gb[ib] += uv[i] * db;
          }
          const close = (x: ArrayLike<number>, e: Float64Array) =>
            Array.from(x).every((v, i) => Math.abs(v - e[i]) <= 1e-10 * Math.max(1, Math.abs(e[i])));
          expect(close(a.grad!.dataSync(), ga)).toBe(true);
          expect(close(b.grad!.dataSync(), gb)).toBe(true);
        }),
        { numRuns: 1000, seed: 20261123 },
      );
    });
  }
});
