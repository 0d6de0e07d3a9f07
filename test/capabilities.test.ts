/**
 * The backend core and its capabilities: the core stays small, and every capability's composed path
 * (src/backends/composed/, written with core kernels only) agrees with the fused kernels of every backend
 * here, edge cases included. The shared suites also run whole on the core-only backend (test/backends.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composedKernels, kernelsOf } from '../src/backends/kernels.js';
import type { Backend, Window2d } from '../src/backends/backend.js';
import { ACTIVATION_GRAD_OPS } from '../src/backends/op-codes.js';
import { jsBackend, nativeBackend, wasmBackend, type DType } from '../src/index.js';
import { CAPABILITIES, CoreOnlyBackend } from './core-only-backend.js';

const BACKENDS: Backend[] = ([jsBackend, nativeBackend, wasmBackend()] as (Backend | null)[]).filter(
  (b): b is Backend => b !== null,
);

function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.round(((s / 2147483648) * 8 - 4) * 2) / 2; // a coarse grid: many ties
  });
}

function geometry(n: number, c: number, h: number, w: number, k: number[], s: number, p: number, d: number) {
  const [kh, kw] = k;
  const oh = Math.floor((h + 2 * p - d * (kh - 1) - 1) / s) + 1;
  const ow = Math.floor((w + 2 * p - d * (kw - 1) - 1) / s) + 1;
  return { n, c, h, w, kh, kw, sh: s, sw: s, ph: p, pw: p, dh: d, dw: d, oh, ow } satisfies Window2d;
}

const GEOMETRIES: Window2d[] = [
  geometry(2, 3, 7, 6, [3, 2], 1, 1, 1),
  geometry(1, 2, 9, 11, [2, 2], 2, 0, 1),
  geometry(2, 1, 9, 8, [3, 3], 2, 1, 2),
  geometry(1, 1, 3, 3, [2, 2], 1, 1, 1),
  geometry(1, 4, 5, 5, [1, 1], 1, 0, 1),
];

describe('the backend core', () => {
  it('has at most 20 required methods (docs/backends.md lists them)', () => {
    const src = readFileSync('src/backends/backend.ts', 'utf8');
    const body = src.slice(src.indexOf('export interface Backend {'));
    const core = body.slice(0, body.indexOf('\n}\n'));
    const methods = [...core.matchAll(/^ {2}([a-zA-Z0-9]+)\(/gm)].map((m) => m[1]);
    const optional = [...core.matchAll(/^ {2}readonly ([a-zA-Z0-9]+)\?:/gm)].map((m) => m[1]);
    expect(methods.length).toBeLessThanOrEqual(20);
    expect(methods).toContain('matmul');
    expect(optional).toEqual([...CAPABILITIES]);
  });
  it('the core-only test backend has no capability, and ops still run on it', () => {
    const b: Backend = new CoreOnlyBackend();
    for (const k of CAPABILITIES) expect(b[k]).toBeUndefined();
    expect(kernelsOf(b).conv).not.toBe(kernelsOf(jsBackend).conv);
  });
});

for (const b of BACKENDS) {
  describe(`composed capabilities equal ${b.name}'s kernels`, () => {
    const mine = kernelsOf(b);
    const composed = composedKernels(b);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      it(`unfold and fold, zero, -Infinity and NaN padding, ${dtype}`, () => {
        for (const g of GEOMETRIES) {
          const x = b.fromArray(dtype, values(g.n * g.c * g.h * g.w, 3));
          for (const pad of [0, -Infinity, NaN]) {
            const want = Array.from(b.read(mine.window.im2col(x, g, pad)));
            expect(Array.from(b.read(composed.window.im2col(x, g, pad))), JSON.stringify(g)).toEqual(want);
          }
          const cols = b.fromArray(dtype, values(g.n * g.c * g.kh * g.kw * g.oh * g.ow, 5));
          const want = b.read(mine.window.col2im(cols, g));
          const got = b.read(composed.window.col2im(cols, g));
          // Overlapping taps sum in another order: equal up to rounding.
          for (let i = 0; i < want.length; i++)
            expect(got[i]).toBeCloseTo(want[i], dtype === 'float32' ? 4 : 10);
        }
      });
      it(`max pooling's choices: ties, -Infinity windows, NaN, padding, ${dtype}`, () => {
        for (const g of GEOMETRIES) {
          const v = values(g.n * g.c * g.h * g.w, 7).map((x, i) =>
            i < g.w + 1 ? -Infinity : i % 13 === 4 || i % 13 === 5 ? NaN : x,
          );
          const x = b.fromArray(dtype, v);
          const want = Array.from(b.read(mine.pool.poolArgmax(x, g)));
          expect(Array.from(b.read(composed.pool.poolArgmax(x, g))), JSON.stringify(g)).toEqual(want);
        }
        // The hand-worked case (test/kernels.test.ts): padding never wins, a NaN at once, first of a tie.
        const g = geometry(1, 1, 3, 3, [2, 2], 1, 1, 1);
        const x = b.fromArray(dtype, [-Infinity, -Infinity, 5, 2, NaN, 5, 2, 1, 7]);
        expect(Array.from(b.read(composed.pool.poolArgmax(x, g)))).toEqual([
          0, 0, 2, 2, 3, 4, 4, 2, 3, 4, 4, 8, 6, 6, 8, 8,
        ]);
      });
      it(`convolution and its gradients, ${dtype}`, () => {
        for (const g of GEOMETRIES) {
          const o = 3;
          const x = b.fromArray(dtype, values(g.n * g.c * g.h * g.w, 11));
          const w = b.fromArray(dtype, values(o * g.c * g.kh * g.kw, 13));
          const gy = b.fromArray(dtype, values(g.n * o * g.oh * g.ow, 17));
          const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
            expect(got.length).toBe(want.length);
            for (let i = 0; i < want.length; i++)
              expect(Math.abs(got[i] - want[i])).toBeLessThan(dtype === 'float32' ? 1e-3 : 1e-9);
          };
          close(b.read(composed.conv.conv2d(x, w, g, o)), b.read(mine.conv.conv2d(x, w, g, o)));
          close(
            b.read(composed.conv.conv2dWeightGrad(x, gy, g, o)),
            b.read(mine.conv.conv2dWeightGrad(x, gy, g, o)),
          );
          close(
            b.read(composed.conv.conv2dInputGrad(gy, w, g, o)),
            b.read(mine.conv.conv2dInputGrad(gy, w, g, o)),
          );
        }
      });
      it(`activation VJPs under broadcasting, NaN and relu's kink, ${dtype}`, () => {
        const y = b.fromArray(dtype, [0, -0.5, 0.25, 0.5, NaN, 1, -1, 0.75]);
        const g = b.fromArray(dtype, [1, 2, -3, 0.5]);
        for (const op of ACTIVATION_GRAD_OPS) {
          const run = (k: typeof mine) =>
            b.read(k.activations.activationGrad(op, g, [4, 1], y, [4, 2], [4, 2], dtype));
          const [got, want] = [run(composed), run(mine)];
          for (let i = 0; i < want.length; i++)
            if (Number.isNaN(want[i])) expect(got[i], op).toBeNaN();
            else expect(got[i], `${op} ${i}`).toBeCloseTo(want[i], 6);
        }
      });
    }
    it('linear algebra on a host copy: solve, eigh, eigvalsh; a singular matrix is an error', () => {
      const a = b.fromArray('float64', [4, 1, 0, 1, 3, 1, 0, 1, 2]);
      const rhs = b.fromArray('float64', [1, 2, 3, 4, 5, 6]);
      expect(Array.from(b.read(composed.linalg.solve(a, rhs, 3, 2)))).toEqual(
        Array.from(b.read(mine.linalg.solve(a, rhs, 3, 2))),
      );
      expect(Array.from(b.read(composed.linalg.eigvalsh(a, 3)))).toEqual(
        Array.from(b.read(mine.linalg.eigvalsh(a, 3))),
      );
      expect(Array.from(b.read(composed.linalg.eigh(a, 3).vectors))).toEqual(
        Array.from(b.read(mine.linalg.eigh(a, 3).vectors)),
      );
      const singular = b.fromArray('float64', [1, 2, 2, 4]);
      expect(() => composed.linalg.solve(singular, b.fromArray('float64', [1, 1]), 2, 1)).toThrow(/singular/);
    });
  });
}
