/**
 * The fast backends' kernels (native, wasm) against the JS reference backend, op by op, on the same
 * inputs (special values included), plus backend selection. The shared suites (conformance, gradcheck)
 * also run on both.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend,
  backendInfo,
  type DType,
  Generator,
  jsBackend,
  nativeBackend,
  type ReduceOp,
  type Storage,
  type UnaryOp,
  randn,
  setBackend,
  type Tensor,
  type Backend,
  wasmBackend,
  WasmBackend,
  WasmKernels,
} from '../src/index.js';
import { compileKernels } from '../src/backends/wasm/kernels.js';
import { kernelsOf } from '../src/backends/kernels.js';
import {
  ELEMENTWISE_BINARY_OPS,
  type ElementwiseBinaryOp,
  isActivationGrad,
  UNARY_OPS,
} from '../src/backends/op-codes.js';
import { sizeOf, stridesOf } from '../src/tensor/shape.js';
import { adamRule, sgdRule } from '../src/optim/torch/index.js';
import { Adam, SGD } from '../src/optim/index.js';

const native = nativeBackend;
const wasm = wasmBackend();
/** The backends under test: name, instance (null: not available here), why it is not. */
const FAST: [string, Backend | null, string][] = [
  ['native', native, backendInfo().native],
  ['wasm', wasm, backendInfo().wasm],
];

// Every op of the shared table (src/backends/op-codes.ts).
const UNARY: readonly UnaryOp[] = UNARY_OPS;
// The shared table's binary ops but the logical ones: no backend compiles those (they take bool operands and run the JS loops everywhere).
const BINARY: readonly ElementwiseBinaryOp[] = ELEMENTWISE_BINARY_OPS.filter(
  (op) => !op.startsWith('logical'),
);
const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  NaN,
  Infinity,
  -Infinity,
  1e-30,
  -1e-30,
  88,
  -88,
  700,
  -750,
  20,
  1e-8,
];

function values(n: number, seed: number, scale = 3): number[] {
  const g = new Generator(seed);
  const out = [...SPECIAL];
  while (out.length < n) out.push((g.random() * 2 - 1) * scale);
  return out.slice(0, n);
}

/** Same within `ulps` units in the last place of the dtype (NaN equals NaN, infinities exactly). */
function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  dtype: DType,
  ulps: number,
  what: string,
) {
  expect(got.length, what).toBe(want.length);
  const eps = dtype === 'float32' ? 2 ** -23 : 2 ** -52;
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    if (Number.isNaN(b) || !Number.isFinite(b)) {
      expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), `${what}[${i}]: ${a} vs ${b}`).toBe(
        true,
      );
      continue;
    }
    const tol = ulps * eps * Math.max(Math.abs(b), dtype === 'float32' ? 1.2e-38 : 2.3e-308);
    if (Math.abs(a - b) > tol) expect.fail(`${what}[${i}]: ${a} vs ${b} (more than ${ulps} ulp)`);
  }
}

/**
 * Each of `want`'s elements is a sum of `terms` products, which `got` summed in another order (BLAS, in
 * float32 for float32): allows 2 (terms + 1) roundings of the sum of the products' magnitudes `mag`.
 */
function expectSumsClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  mag: ArrayLike<number>,
  terms: number,
  dtype: DType,
  what: string,
) {
  expect(got.length, what).toBe(want.length);
  const eps = dtype === 'float32' ? 2 ** -23 : 2 ** -52;
  const bad = Array.from(want).findIndex((w, i) => !(Math.abs(got[i] - w) <= 2 * (terms + 1) * eps * mag[i]));
  expect(bad, `${what}[${bad}]: ${got[bad]} vs ${want[bad]}`).toBe(-1);
}

/** run(name) and run('js') (run switches to the backend it is given), the current backend restored. */
function onBackendAndJs<T>(name: string, run: (b: string) => T): [T, T] {
  const before = backend();
  try {
    return [run(name), run('js')];
  } finally {
    setBackend(before);
  }
}

for (const [label, fast, absent] of FAST) {
  const nb = fast;
  const pair = (dtype: DType, v: number[]): [Storage, Storage] => [
    nb!.fromArray(dtype, v),
    jsBackend.fromArray(dtype, v),
  ];
  describe.skipIf(!nb)(`${label} kernels equal the JS reference${nb ? '' : ` (skipped: ${absent})`}`, () => {
    if (label === 'native' && native) {
      // Products and convolutions big enough to split (pool.h) run on two threads, whatever the machine.
      const threads = native.getNumThreads();
      beforeAll(() => native.setNumThreads(2));
      afterAll(() => native.setNumThreads(threads));
    }
    if (label === 'wasm' && wasm) {
      // Every op the kernels cover goes to them, however small, and every job is split across the
      // threads (once the workers have started).
      const saved = { ...wasm };
      beforeAll(async () => {
        wasm.minSize = 0;
        wasm.parallelGemm = 0;
        wasm.parallelElementwise = 0;
        for (let i = 0; i < 300 && wasm.kernels.shared && wasm.threads < 2; i++)
          await new Promise((r) => setTimeout(r, 10));
      });
      afterAll(() => {
        wasm.minSize = saved.minSize;
        wasm.parallelGemm = saved.parallelGemm;
        wasm.parallelElementwise = saved.parallelElementwise;
      });
      it('runs on more than one thread where shared memory exists', () => {
        expect(wasm.threads).toBeGreaterThan(wasm.kernels.shared ? 1 : 0);
      });
      it('a kernel that traps on a worker throws on the caller, and the pool keeps working', () => {
        const k = wasm.kernels;
        // With one thread (no shared memory) there is no worker to fail; the test above asserts which.
        if (k.threads < 2) return;
        // A GEMM whose operands lie past the end of memory: every share traps.
        k.i32.set([1, 0, 0x7ff00000, 0x7ff00000, 0x7ff00000, 1, 64, 64, 64, 0, 0, k.work, 0], k.job >> 2);
        expect(() => k.run(2)).toThrow();
        // A batch of two 4x4 products whose second lies past the end: only the worker's share traps.
        const end = k.memory.buffer.byteLength - 64;
        k.i32.set([1, 0, end, end, end, 2, 4, 4, 4, 0, 0, k.work, 0], k.job >> 2);
        expect(() => k.run(2)).toThrow(/worker 1 failed/);
        const a = jsBackend.fromArray('float32', [1, 2, 3, 4]);
        expect(Array.from(wasm.read(wasm.matmul(a, a, { batch: 1, m: 2, k: 2, n: 2 })))).toEqual([
          7, 10, 15, 22,
        ]);
      });
      it('pins what Adam updates in place into wasm memory, so later steps copy less', () => {
        const before = backend();
        setBackend('wasm');
        try {
          const p = randn([4096]).requiresGrad_();
          const opt = new Adam([p], { lr: 0.01 });
          const k = wasm.kernels;
          const step = () => {
            opt.zeroGrad();
            p.mul(p).sum().backward();
            k.bytesIn = k.bytesOut = 0;
            opt.step();
            return k.bytesIn + k.bytesOut;
          };
          // Unpinned: p, g, m and v in, p, m and v out. Pinned (p, m and v moved into wasm memory at
          // the first step): only the gradient comes in.
          const copied = (k.shared ? 1 : 7) * 4096 * 4;
          const held = k.pinnedBytes;
          expect(step()).toBe(copied);
          expect(step()).toBe(copied);
          expect(k.pinnedBytes - held).toBe(k.shared ? 3 * 4096 * 4 : 0);
          // The parameter itself now lives in wasm memory (with shared memory; else nothing is pinned).
          expect(k.owns((p._storage as unknown as { data: Float32Array }).data)).toBe(k.shared);
        } finally {
          setBackend(before);
        }
      });
    }
    for (const dtype of ['float32', 'float64'] as DType[]) {
      // float32 math runs in double and rounds once, as the JS backend does: within 1 ulp of it; exp, tanh
      // and sigmoid run in float lanes, within 2 ulp (measured: 1.0, 1.0 and 1.8 ulp at worst). float64
      // calls libm where JS calls V8's own: a couple of ulps apart at most.
      const ulps = dtype === 'float32' ? 1 : 4;
      const fast = (op: string) =>
        dtype === 'float32' && ['exp', 'tanh', 'sigmoid'].includes(op) ? 2 : ulps;
      it(`every unary op, ${dtype}`, () => {
        const v = values(3000, 1);
        const [a, b] = pair(dtype, v);
        for (const op of UNARY) {
          const outDtype = ['isnan', 'isinf', 'isfinite', 'logicalNot'].includes(op) ? 'bool' : dtype;
          expectClose(
            nb!.read(nb!.unary(op, a, outDtype)),
            jsBackend.read(jsBackend.unary(op, b, outDtype)),
            dtype,
            fast(op),
            `${op} ${dtype}`,
          );
        }
      });
      it(`tanh, exp and sigmoid across their whole range, ${dtype}`, () => {
        const v: number[] = [];
        for (let x = -100; x <= 100; x += 0.0137) v.push(x);
        for (let e = -40; e <= 2; e += 0.05) v.push(10 ** e, -(10 ** e));
        const [a, b] = pair(dtype, v);
        for (const op of ['tanh', 'exp', 'sigmoid'] as UnaryOp[])
          expectClose(
            nb!.read(nb!.unary(op, a, dtype)),
            jsBackend.read(jsBackend.unary(op, b, dtype)),
            dtype,
            fast(op),
            `${op} ${dtype}`,
          );
      });
      it(`every binary op under broadcasting, ${dtype}`, () => {
        const shapes: [number[], number[], number[]][] = [
          [
            [7, 5],
            [7, 5],
            [7, 5],
          ],
          [[7, 5], [5], [7, 5]],
          [
            [7, 1],
            [1, 5],
            [7, 5],
          ],
          [[], [7, 5], [7, 5]],
          [[7, 5], [], [7, 5]],
          [
            [2, 1, 5],
            [3, 1],
            [2, 3, 5],
          ],
          [[], [], []],
          [[0, 5], [5], [0, 5]],
        ];
        for (const [sa, sb, so] of shapes) {
          const va = values(sizeOf(sa), 2);
          const vb = values(sizeOf(sb), 3).reverse();
          const [a1, a2] = pair(dtype, va);
          const [b1, b2] = pair(dtype, vb);
          for (const op of BINARY) {
            const outDtype = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(op) ? 'bool' : dtype;
            // Activation VJPs run through the backends' `activations` capability, the rest the core.
            const run = (b: Backend, x: Storage, y: Storage) =>
              isActivationGrad(op)
                ? kernelsOf(b).activations.activationGrad(op, x, sa, y, sb, so, outDtype)
                : b.binary(op, x, sa, y, sb, so, outDtype);
            expectClose(
              nb!.read(run(nb!, a1, b1)),
              jsBackend.read(run(jsBackend, a2, b2)),
              dtype,
              ulps,
              `${op} ${JSON.stringify([sa, sb])} ${dtype}`,
            );
          }
        }
      });
      it(`where under broadcasting, ${dtype}`, () => {
        const c = [1, 0, 0, 1, 1, 0, 1];
        const [a1, a2] = pair(dtype, values(35, 4));
        const [b1, b2] = pair(dtype, [2.5]);
        const [c1, c2] = [nb!.fromArray('bool', c), jsBackend.fromArray('bool', c)];
        expectClose(
          nb!.read(nb!.where(c1, [7, 1], a1, [7, 5], b1, [], [7, 5])),
          jsBackend.read(jsBackend.where(c2, [7, 1], a2, [7, 5], b2, [], [7, 5])),
          dtype,
          0,
          'where',
        );
      });
      it(`reductions over every set of axes, ${dtype}`, () => {
        const v = values(60, 5).map((x, i) => (i === 17 ? NaN : x === Infinity || x === -Infinity ? 1 : x));
        const [a, b] = pair(dtype, v);
        // Size-1 dims and neighbouring reduced dims are merged before the kernel runs (reduce-dims.ts).
        for (const shape of [
          [3, 4, 5],
          [3, 1, 4, 5, 1],
          [1, 60, 1],
        ])
          for (const op of ['sum', 'prod', 'max', 'min'] as ReduceOp[])
            for (let mask = 0; mask < 1 << shape.length; mask++) {
              const axes = shape.map((_, i) => i).filter((i) => mask & (1 << i));
              expectClose(
                nb!.read(nb!.reduce(op, a, shape, axes)),
                jsBackend.read(jsBackend.reduce(op, b, shape, axes)),
                dtype,
                8,
                `${op} over ${axes} of ${shape} ${dtype}`,
              );
            }
      });
      it(`matmul, batched and degenerate shapes, ${dtype}`, () => {
        for (const [batch, m, k, n] of [
          [1, 5, 7, 3],
          [3, 4, 6, 2],
          [2, 1, 9, 1],
          [1, 3, 0, 4],
          [1, 64, 64, 64],
          // A short inner dimension and long rows: the AVX2 micro-kernel, with a row and a column tail.
          [2, 7, 20, 300],
          [1, 13, 32, 272],
          // A small result and a long inner dimension (the native dot-product kernel when b is stored
          // transposed), with row, column and inner tails.
          [2, 7, 300, 30],
          // Split across the native backend's threads: by rows of C, and by columns (C wider than tall).
          [1, 100, 110, 120],
          [2, 50, 150, 200],
        ]) {
          const [a1, a2] = pair(
            dtype,
            values(batch * m * k, 6, 1).map((x) => (Number.isFinite(x) ? x : 0.25)),
          );
          const [b1, b2] = pair(
            dtype,
            values(batch * k * n, 7, 1).map((x) => (Number.isFinite(x) ? x : -0.75)),
          );
          // Every operand layout: the same data read as [m, k] / [k, n], or stored transposed.
          for (const [ta, tb] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            const got = nb!.read(nb!.matmul(a1, b1, { batch, m, k, n, transA: ta, transB: tb }));
            const want = jsBackend.read(jsBackend.matmul(a2, b2, { batch, m, k, n, transA: ta, transB: tb }));
            const mag = jsBackend.read(
              jsBackend.matmul(jsBackend.unary('abs', a2, dtype), jsBackend.unary('abs', b2, dtype), {
                batch,
                m,
                k,
                n,
                transA: ta,
                transB: tb,
              }),
            );
            expectSumsClose(got, want, mag, k, dtype, `matmul ${[batch, m, k, n, ta, tb]}`);
          }
        }
      });
      it(`strided copies and their scatter-add adjoints, ${dtype}`, () => {
        const base = values(60, 8);
        const [a1, a2] = pair(dtype, base);
        const cases: [number[], number[], number][] = [
          [[5, 12], [1, 5], 0], // transpose
          [[3, 5, 4], [20, 1, 5], 0], // batched transpose
          [[4, 3, 5], [5, 20, 1], 0], // permute
          [[2, 6], [24, 2], 7], // slice with steps and an offset
          [[3, 4, 5], [0, 5, 1], 0], // expand
          [[], [], 11], // one element
        ];
        for (const [shape, strides, offset] of cases) {
          expectClose(
            nb!.read(nb!.strided(a1, shape, strides, offset)),
            jsBackend.read(jsBackend.strided(a2, shape, strides, offset)),
            dtype,
            0,
            `strided ${shape}`,
          );
          const [g1, g2] = pair(
            dtype,
            values(sizeOf(shape), 9, 1).map((x) => (Number.isFinite(x) ? x : 1)),
          );
          expectClose(
            nb!.read(nb!.stridedScatterAdd(g1, shape, 60, strides, offset)),
            jsBackend.read(jsBackend.stridedScatterAdd(g2, shape, 60, strides, offset)),
            dtype,
            4,
            `stridedScatterAdd ${shape}`,
          );
        }
      });
      it(`argmax/argmin, gather and scatterAdd along every axis, ${dtype}`, () => {
        const shape = [3, 4, 5];
        const v = values(60, 12).map((x, i) => (i === 7 ? NaN : x));
        const [a, b] = pair(dtype, v);
        for (let axis = 0; axis < 3; axis++) {
          for (const op of ['argmax', 'argmin'] as const)
            expect(Array.from(nb!.read(nb!.argReduce(op, a, shape, axis))), `${op} ${axis}`).toEqual(
              Array.from(jsBackend.read(jsBackend.argReduce(op, b, shape, axis))),
            );
          const idxShape = shape.map((d, i) => (i === axis ? 2 * d : d - (i % 2)));
          const g = new Generator(axis);
          const ix = Array.from(
            { length: sizeOf(idxShape) },
            () => Math.floor(g.random() * 2 * shape[axis]) - shape[axis],
          );
          const [i1, i2] = [nb!.fromArray('int32', ix), jsBackend.fromArray('int32', ix)];
          expectClose(
            nb!.read(nb!.gather(a, shape, axis, i1, idxShape)),
            jsBackend.read(jsBackend.gather(b, shape, axis, i2, idxShape)),
            dtype,
            0,
            `gather ${axis}`,
          );
          const [s1, s2] = pair(
            dtype,
            values(sizeOf(idxShape), 13, 1).map((x) => (Number.isFinite(x) ? x : 2)),
          );
          const [z1, z2] = pair(dtype, new Array<number>(60).fill(0.5));
          expectClose(
            nb!.read(nb!.scatterAdd(z1, shape, axis, i1, idxShape, s1)),
            jsBackend.read(jsBackend.scatterAdd(z2, shape, axis, i2, idxShape, s2)),
            dtype,
            0,
            `scatterAdd ${axis}`,
          );
        }
        const bad = nb!.fromArray('int32', [0, 9]);
        expect(() => nb!.gather(a, [60], 0, bad, [2])).not.toThrow();
        expect(() => nb!.gather(a, [60], 0, nb!.fromArray('int32', [0, 60]), [2])).toThrow(
          /gather: index 60 is out of bounds for dim 0 with size 60/,
        );
        expect(() =>
          nb!.scatterAdd(a, [60], 0, nb!.fromArray('int32', [-61]), [1], nb!.fromArray(dtype, [1])),
        ).toThrow(/scatterAdd: index -61 is out of bounds/);
      });
      it(`im2col and col2im with stride, padding and dilation, ${dtype}`, () => {
        // Strides, paddings (even wider than the kernel) and dilations, in both directions.
        const geometries: [number, number, number][] = [
          [1, 2, 2],
          [2, 1, 1],
          [3, 0, 2],
          [1, 4, 1],
          [2, 3, 3],
        ];
        for (const [s, p, dl] of geometries) {
          const [h, w, kh, kw] = [7, 6, 3, 2];
          const oh = Math.floor((h + 2 * p - dl * (kh - 1) - 1) / s) + 1;
          const ow = Math.floor((w + 2 * p - dl * (kw - 1) - 1) / s) + 1;
          const g = { n: 2, c: 3, h, w, kh, kw, sh: s, sw: s, ph: p, pw: p, dh: dl, dw: dl, oh, ow };
          const [x1, x2] = pair(dtype, values(2 * 3 * h * w, 10, 1));
          const c1 = kernelsOf(nb!).window.im2col(x1, g, -Infinity);
          const c2 = kernelsOf(jsBackend).window.im2col(x2, g, -Infinity);
          expectClose(nb!.read(c1), jsBackend.read(c2), dtype, 0, `im2col ${[s, p, dl]}`);
          const [y1, y2] = pair(
            dtype,
            values(c1.size, 11, 1).map((x) => (Number.isFinite(x) ? x : 0)),
          );
          const want = jsBackend.read(kernelsOf(jsBackend).window.col2im(y2, g));
          expectClose(nb!.read(kernelsOf(nb!).window.col2im(y1, g)), want, dtype, 4, `col2im ${[s, p, dl]}`);
        }
      });
      it(`conv2d and its two gradients, strides, padding, dilation and batches, ${dtype}`, () => {
        // [n, c, h, w, o, kh, kw, stride, padding, dilation]; the second is LeNet's first layer (a short
        // inner dimension and long rows: the AVX2 micro-kernel), the last an empty batch.
        const cases: number[][] = [
          [2, 3, 7, 6, 4, 3, 2, 1, 1, 1],
          [3, 1, 20, 20, 6, 5, 5, 1, 2, 1],
          [2, 2, 9, 8, 3, 3, 3, 2, 1, 2],
          [1, 4, 5, 5, 2, 1, 1, 1, 0, 1],
          [0, 2, 5, 5, 3, 3, 3, 1, 1, 1],
          // Big enough for the native backend to split the images across threads (an odd count).
          [9, 3, 20, 20, 8, 5, 5, 1, 2, 1],
        ];
        for (const [n, c, h, w, o, kh, kw, s, p, dl] of cases) {
          const oh = Math.floor((h + 2 * p - dl * (kh - 1) - 1) / s) + 1;
          const ow = Math.floor((w + 2 * p - dl * (kw - 1) - 1) / s) + 1;
          const g = { n, c, h, w, kh, kw, sh: s, sw: s, ph: p, pw: p, dh: dl, dw: dl, oh, ow };
          const finite = (v: number[]) => v.map((x) => (Number.isFinite(x) ? x : 0.5));
          const xv = finite(values(n * c * h * w, 13, 1));
          const wv = finite(values(o * c * kh * kw, 14, 1));
          const gv = finite(values(n * o * oh * ow, 15, 1));
          const [x1, x2] = pair(dtype, xv);
          const [w1, w2] = pair(dtype, wv);
          const [g1, g2] = pair(dtype, gv);
          const abs = (v: number[]) => jsBackend.fromArray(dtype, v.map(Math.abs));
          const check = (what: string, got: Storage, want: Storage, mag: Storage, terms: number) =>
            expectSumsClose(
              nb!.read(got),
              jsBackend.read(want),
              jsBackend.read(mag),
              terms,
              dtype,
              `${what} ${[n, c, h, w, o, kh, kw, s, p, dl]}`,
            );
          check(
            'conv2d',
            kernelsOf(nb!).conv.conv2d(x1, w1, g, o),
            kernelsOf(jsBackend).conv.conv2d(x2, w2, g, o),
            kernelsOf(jsBackend).conv.conv2d(abs(xv), abs(wv), g, o),
            c * kh * kw,
          );
          check(
            'conv2dWeightGrad',
            kernelsOf(nb!).conv.conv2dWeightGrad(x1, g1, g, o),
            kernelsOf(jsBackend).conv.conv2dWeightGrad(x2, g2, g, o),
            kernelsOf(jsBackend).conv.conv2dWeightGrad(abs(xv), abs(gv), g, o),
            n * oh * ow,
          );
          check(
            'conv2dInputGrad',
            kernelsOf(nb!).conv.conv2dInputGrad(g1, w1, g, o),
            kernelsOf(jsBackend).conv.conv2dInputGrad(g2, w2, g, o),
            kernelsOf(jsBackend).conv.conv2dInputGrad(abs(gv), abs(wv), g, o),
            o * kh * kw,
          );
        }
      });
      it(`poolArgmax over 2x2, 3x3 and 3x2 windows, ties, -Infinity and NaN, ${dtype}`, () => {
        // [kh, kw, stride, padding, dilation]: the native kernel unrolls 2x2 and 3x3 interior windows.
        const geometries: [number, number, number, number, number][] = [
          [2, 2, 2, 0, 1],
          [2, 2, 1, 1, 1],
          [3, 3, 1, 1, 1],
          [3, 3, 2, 1, 2],
          [3, 2, 2, 1, 1],
          [2, 2, 3, 0, 1],
        ];
        for (const [kh, kw, s, p, dl] of geometries) {
          const [h, w] = [9, 11];
          const oh = Math.floor((h + 2 * p - dl * (kh - 1) - 1) / s) + 1;
          const ow = Math.floor((w + 2 * p - dl * (kw - 1) - 1) / s) + 1;
          const g = { n: 2, c: 3, h, w, kh, kw, sh: s, sw: s, ph: p, pw: p, dh: dl, dw: dl, oh, ow };
          // Values on a coarse grid make ties common; a run of -Infinity and scattered NaNs (two in
          // some windows) test the rules: the first maximum, the first NaN, never padding.
          const v = values(2 * 3 * h * w, 12, 1).map((x, i) =>
            i < 2 * w ? -Infinity : i % 37 === 5 || i % 37 === 6 ? NaN : Math.round(x * 2) / 2,
          );
          const [p1, p2] = pair(dtype, v);
          const got = Array.from(nb!.read(kernelsOf(nb!).pool.poolArgmax(p1, g)));
          expect(got, `poolArgmax ${[kh, kw, s, p, dl]}`).toEqual(
            Array.from(jsBackend.read(kernelsOf(jsBackend).pool.poolArgmax(p2, g))),
          );
        }
      });
    }
    it('the fused Adam kernel equals the composed update bit for bit, every option, both dtypes', () => {
      for (const dtype of ['float32', 'float64'] as DType[])
        for (const amsgrad of [false, true])
          for (const [weightDecay, decoupledWeightDecay] of [
            [0, false],
            [0.1, false],
            [0.1, true],
          ] as const)
            for (const maximize of [false, true])
              for (const betas of [
                [0.9, 0.999],
                [0.3, 0.9],
              ] as [number, number][]) {
                const o = {
                  lr: 0.01,
                  betas,
                  eps: 1e-8,
                  weightDecay,
                  amsgrad,
                  maximize,
                  decoupledWeightDecay,
                };
                const rule = adamRule(o);
                const run = (b: string) => {
                  setBackend(b);
                  const g = new Generator(3);
                  let p = randn([257], { dtype, generator: g });
                  let s = rule.init(p);
                  for (let k = 0; k < 4; k++) [p, s] = rule.step(p, randn([257], { dtype, generator: g }), s);
                  return [p, s.expAvg, s.expAvgSq, s.maxExpAvgSq]
                    .filter(Boolean)
                    .map((t) => Array.from((t as Tensor).dataSync()));
                };
                const [fused, composed] = onBackendAndJs(label, run);
                expect(fused, JSON.stringify({ dtype, ...o })).toEqual(composed);
              }
    });
    it('the fused SGD kernel equals the composed update bit for bit, every option, both dtypes', () => {
      for (const dtype of ['float32', 'float64'] as DType[])
        for (const momentum of [0, 0.9])
          for (const dampening of [0, 0.3])
            for (const nesterov of momentum && !dampening ? [false, true] : [false])
              for (const weightDecay of [0, 0.05])
                for (const maximize of [false, true]) {
                  const o = { lr: 0.1, momentum, dampening, nesterov, weightDecay, maximize };
                  const rule = sgdRule(o);
                  const run = (b: string) => {
                    setBackend(b);
                    const g = new Generator(4);
                    let p = randn([129], { dtype, generator: g });
                    let s = rule.init(p);
                    for (let k = 0; k < 3; k++)
                      [p, s] = rule.step(p, randn([129], { dtype, generator: g }), s);
                    const buf = s.momentumBuffer as Tensor | undefined;
                    return [p, buf].filter(Boolean).map((t) => Array.from((t as Tensor).dataSync()));
                  };
                  const [fused, composed] = onBackendAndJs(label, run);
                  expect(fused, JSON.stringify({ dtype, ...o })).toEqual(composed);
                }
    });
    it("optim.SGD with momentum updates in place with the JS backend's numbers", () => {
      const run = (b: string) => {
        setBackend(b);
        const g = new Generator(9);
        const p = randn([50], { generator: g }).requiresGrad_();
        const storage = p._storage;
        const opt = new SGD([p], { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
        for (let k = 0; k < 4; k++) {
          opt.zeroGrad();
          p.mul(p)
            .mul(randn([50], { generator: g }))
            .sum()
            .backward();
          opt.step();
        }
        return {
          p: Array.from(p.dataSync()),
          same: p._storage === storage,
          s: JSON.stringify(opt.stateDict().state[0]),
        };
      };
      const [fused, js] = onBackendAndJs(label, run);
      expect(fused.same).toBe(true);
      expect(fused.p).toEqual(js.p);
      expect(fused.s).toEqual(js.s);
    });
    it(`optim.Adam updates in place on the ${label} backend, with the same numbers as the JS backend`, () => {
      const run = (b: string) => {
        setBackend(b);
        const g = new Generator(8);
        const p = randn([300], { generator: g }).requiresGrad_();
        const storage = p._storage;
        const opt = new Adam([p], { lr: 0.05, amsgrad: true, weightDecay: 0.01 });
        for (let k = 0; k < 5; k++) {
          opt.zeroGrad();
          p.mul(p)
            .mul(randn([300], { generator: g }))
            .sum()
            .backward();
          opt.step();
        }
        const s = opt.stateDict().state[0] as Record<string, unknown>;
        return {
          p: Array.from(p.dataSync()),
          same: p._storage === storage,
          version: p._version.value,
          s: JSON.stringify(s),
        };
      };
      const [fused, js] = onBackendAndJs(label, run);
      expect(fused.same).toBe(true);
      expect(fused.version).toBe(5);
      expect(fused.p).toEqual(js.p);
      expect(fused.s).toEqual(js.s);
    });
    if (label === 'native')
      it('the op lists above cover every op the addon implements', () => {
        expect(native!.addon.unaryOps.filter((op) => !UNARY.includes(op as UnaryOp))).toEqual([]);
        expect(native!.addon.binaryOps.filter((op) => !BINARY.includes(op as ElementwiseBinaryOp))).toEqual(
          [],
        );
      });
    if (label === 'native')
      it('every op the addon compiled has its name in the shared op table (src/backends/op-codes.ts)', () => {
        const table = new Set<string>([...UNARY_OPS, ...ELEMENTWISE_BINARY_OPS]);
        expect(
          [...native!.addon.unaryOps, ...native!.addon.binaryOps].filter((op) => !table.has(op)),
        ).toEqual([]);
      });
    it('integer and bool kernels fall back to the reference loops', () => {
      const a = nb!.fromArray('int32', [1, -2, 3]);
      expect(Array.from(nb!.read(nb!.binary('mul', a, [3], a, [3], [3], 'int32')))).toEqual([1, 4, 9]);
      expect(Array.from(nb!.read(nb!.reduce('sum', nb!.fromArray('bool', [1, 0, 1]), [3], [0])))).toEqual([
        2,
      ]);
      expect(stridesOf([2, 3])).toEqual([3, 1]);
    });
  });
}

describe('backend selection', () => {
  // .ci/run sets this after installing OpenBLAS: there the native backend must have built.
  it.runIf(process.env.DESCEND_REQUIRE_NATIVE === '1')('the native backend is built (required in CI)', () => {
    expect(native, backendInfo().native).not.toBeNull();
  });
  const run = (env: Record<string, string>) =>
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('./src/index.ts').then((d) => console.log(JSON.stringify(d.backendInfo())))",
      ],
      {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  it('uses the native backend by default when it is built, else wasm, and says why', () => {
    const info = backendInfo();
    expect(info.name).toBe(backend());
    expect(info.available).toContain('js');
    expect(info.name).toBe(native ? 'native' : wasm ? 'wasm' : 'js');
    expect(info.reason.length).toBeGreaterThan(10);
  });
  it('DESCEND_NATIVE=0 falls back to the wasm backend and reports why', () => {
    const info = JSON.parse(run({ DESCEND_NATIVE: '0', DESCEND_BACKEND: '' })) as ReturnType<
      typeof backendInfo
    >;
    expect(info.name).toBe('wasm');
    expect(info.native).toContain('DESCEND_NATIVE=0');
    expect(info.reason).toContain('WebAssembly');
  });
  it('DESCEND_NATIVE=0 DESCEND_WASM=0 falls back to the JS backend and says why', () => {
    const info = JSON.parse(
      run({ DESCEND_NATIVE: '0', DESCEND_WASM: '0', DESCEND_BACKEND: '' }),
    ) as ReturnType<typeof backendInfo>;
    expect(info.name).toBe('js');
    expect(info.wasm).toContain('DESCEND_WASM=0');
  });
  it('DESCEND_BACKEND chooses, and an unavailable choice is an error naming what is available', () => {
    expect(JSON.parse(run({ DESCEND_BACKEND: 'js' })).name).toBe('js');
    let err = '';
    try {
      run({ DESCEND_BACKEND: 'webgpu' });
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
    }
    expect(err).toMatch(/DESCEND_BACKEND: backend 'webgpu' is not available.*available: js/);
  });
});

describe('the wasm kernels', () => {
  it('without shared memory (a page that is not cross-origin isolated): one thread, same numbers', () => {
    // The plain-memory build, as a browser without cross-origin isolation gets it.
    const { module, shared } = compileKernels(false);
    const single = new WasmBackend(() => new WasmKernels(module, shared, { workers: 3 }));
    expect(single.kernels.shared).toBe(false);
    expect(single.threads).toBe(1);
    const g = new Generator(5);
    const a = jsBackend.fromArray(
      'float32',
      Array.from({ length: 67 * 130 }, () => g.random() - 0.5),
    );
    const b = jsBackend.fromArray(
      'float32',
      Array.from({ length: 130 * 90 }, () => g.random() - 0.5),
    );
    const got = single.read(single.matmul(a, b, { batch: 1, m: 67, k: 130, n: 90 }));
    const want = jsBackend.read(jsBackend.matmul(a, b, { batch: 1, m: 67, k: 130, n: 90 }));
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4);
    expect(Array.from(single.read(single.unary('relu', a, 'float32')))).toEqual(
      Array.from(jsBackend.read(jsBackend.unary('relu', a, 'float32'))),
    );
    // Nothing is pinned: growing a plain memory would detach the arrays.
    const p = jsBackend.fromArray('float32', [1, 2, 3, 4, 5]);
    const m = jsBackend.fromArray('float32', [0, 0, 0, 0, 0]);
    const v = jsBackend.fromArray('float32', [0, 0, 0, 0, 0]);
    const args = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false };
    single.optim.adamStep(p, p, m, v, null, { ...args, maximize: false, stepSize: 1, bc2Sqrt: 1 }, true);
    expect(single.kernels.owns(single.read(p))).toBe(false);
    expect(single.kernels.pinnedBytes).toBe(0);
  });
  it('committed in src/backends/wasm/kernels.generated.ts are what wasm/src compiles to', () => {
    // Exits 1, naming the file, when the AssemblyScript source changed without `npm run build:wasm`.
    execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { stdio: 'pipe' });
  }, 120_000);
});

describe('poolArgmax (the JS reference)', () => {
  it('picks the first maximum in window order, a NaN at once, and never padding', () => {
    // One 3x3 plane, 2x2 windows, stride 1, padding 1: 4x4 outputs.
    const g = {
      n: 1,
      c: 1,
      h: 3,
      w: 3,
      kh: 2,
      kw: 2,
      sh: 1,
      sw: 1,
      ph: 1,
      pw: 1,
      dh: 1,
      dw: 1,
      oh: 4,
      ow: 4,
    };
    const x = [-Infinity, -Infinity, 5, 2, NaN, 5, 2, 1, 7];
    const got = Array.from(
      jsBackend.read(kernelsOf(jsBackend).pool.poolArgmax(jsBackend.fromArray('float64', x), g)),
    );
    // Worked by hand: row 0 of windows: [pad pad; pad x0] -> 0 (the only real one, -Infinity), [x0 x1]
    // -> 0 (first of the tie), [x1 x2] -> 2, [x2 pad] -> 2. Windows touching x4 (NaN) pick it; the ties
    // x2 = x5 and x3 = x6 go to the first in window order.
    expect(got).toEqual([0, 0, 2, 2, 3, 4, 4, 2, 3, 4, 4, 8, 6, 6, 8, 8]);
  });
});
