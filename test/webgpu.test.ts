/**
 * The WebGPU backend's first slice, in Node on Dawn (the optional npm package `webgpu`) with SwiftShader's
 * software adapter: every unary and binary op code against the JS backend at float32 tolerance, with
 * broadcasting and the edge values; async reads on every backend; the typed errors for a synchronous read
 * and float64. Skipped, saying why, where there is no adapter (no `webgpu` package, no libvulkan1 or
 * no SwiftShader ICD).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Tensor } from '../src/index.js';
import { ELEMENTWISE_BINARY_OPS, UNARY_OPS, ACTIVATION_GRAD_OPS } from '../src/backends/op-codes.js';
import { BINARY, UNARY } from '../src/backends/js/math.js';
import { requestWebGPU, WebGPUUnavailableError } from '../src/backends/webgpu/device.js';
import { WebGPUBackend, WebGPUNotYetError } from '../src/backends/webgpu/backend.js';
import type { Backend, BinaryOp, Storage } from '../src/backends/backend.js';
import { JsBackend } from '../src/backends/js/index.js';
import type { DType } from '../src/index.js';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

let gpu: WebGPUBackend | null = null;
let why = '';
beforeAll(async () => {
  try {
    const { device, name } = await requestWebGPU();
    gpu = new WebGPUBackend(device, name);
  } catch (e) {
    if (!(e instanceof WebGPUUnavailableError)) throw e;
    why = e.message;
    console.warn(`webgpu tests skipped: ${why}`);
  }
}, 60_000);
// Dawn aborts a process that exits with a live device: release it first.
afterAll(() => gpu?.device.destroy());

describe('async reads on the CPU backends', () => {
  it('data(), array() and itemAsync() give what dataSync(), toArray() and item() give', async () => {
    for (const b of d.listBackends()) {
      await d.withBackend(b as never, async () => {
        const t = d.tensor([
          [1, 2],
          [3, 4],
        ]);
        expect(Array.from(await t.data()), b).toEqual([1, 2, 3, 4]);
        expect(await t.array(), b).toEqual([
          [1, 2],
          [3, 4],
        ]);
        expect(await t.sum().itemAsync(), b).toBe(10);
      });
    }
    await expect(d.tensor([1, 2]).itemAsync()).rejects.toThrow(/only one-element tensors/);
  });
});

describe('WebGPU (Dawn in Node, SwiftShader)', () => {
  const f32 = (v: number) => Math.fround(v);
  /** Values each op is checked on: a grid of ordinary numbers and the edge values. */
  const xs = [
    ...Array.from({ length: 61 }, (_, i) => f32(-3 + i * 0.1)),
    0,
    -0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    1e-6,
    30,
    -30,
    90,
    -110,
    Infinity,
    -Infinity,
    NaN,
  ];
  const close = (got: number, want: number, tol: number) =>
    (Number.isNaN(want) && Number.isNaN(got)) ||
    got === want ||
    Math.abs(got - want) <= tol * (1 + Math.abs(want));

  it('every unary op code matches the JS backend (float32 tolerance, NaN/Inf/±0 included)', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const x = gpu.fromArray('float32', xs);
    const bad: string[] = [];
    for (const op of UNARY_OPS) {
      const outDtype = ['isnan', 'isinf', 'isfinite', 'logicalNot'].includes(op) ? 'bool' : 'float32';
      const got = await gpu.readAsync(gpu.unary(op, x, outDtype));
      // Trigonometry and erf on a GPU: a few ulps more than libm.
      const tol = [
        'sin',
        'cos',
        'tan',
        'erf',
        'atan',
        'asin',
        'acos',
        'tanh',
        'sinh',
        'cosh',
        'expm1',
        'log1p',
      ].includes(op)
        ? 2e-5
        : 1e-6;
      xs.forEach((v, i) => {
        const want = f32(UNARY[op](v));
        // Out of float32's range, tan and friends are not comparable; skip |x| >= 30 for the periodic ones.
        if (['sin', 'cos', 'tan'].includes(op) && Math.abs(v) >= 30) return;
        if (!close(got[i]!, want, tol)) bad.push(`${op}(${v}) = ${got[i]}, want ${want}`);
      });
    }
    expect(bad).toEqual([]);
  }, 120_000);

  it('every binary op code matches the JS backend, with broadcasting ([3, 1, 4] with [5, 1])', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const g = new d.Generator(3);
    const av = Array.from({ length: 12 }, () => f32(g.random() * 6 - 3));
    const bv = Array.from({ length: 5 }, () => f32(g.random() * 6 - 3));
    av[0] = 0;
    av[1] = NaN;
    av[2] = -2;
    bv[0] = 2;
    bv[1] = 0;
    bv[2] = -1;
    const [aShape, bShape, out] = [
      [3, 1, 4],
      [5, 1],
      [3, 5, 4],
    ];
    const a = gpu.fromArray('float32', av);
    const b = gpu.fromArray('float32', bv);
    const bad: string[] = [];
    for (const op of ELEMENTWISE_BINARY_OPS) {
      if ((ACTIVATION_GRAD_OPS as readonly string[]).includes(op)) continue;
      const bool = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr', 'logicalXor'].includes(op);
      const got = await gpu.readAsync(
        gpu.binary(op as BinaryOp, a, aShape, b, bShape, out, bool ? 'bool' : 'float32'),
      );
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 5; j++)
          for (let k = 0; k < 4; k++) {
            const x = av[i * 4 + k]!;
            const y = bv[j]!;
            const want = f32(BINARY[op](x, y));
            const v = got[(i * 5 + j) * 4 + k]!;
            if (!close(v, want, op === 'pow' || op === 'atan2' ? 2e-5 : 1e-6))
              bad.push(`${op}(${x}, ${y}) = ${v}, want ${want}`);
          }
    }
    expect(bad).toEqual([]);
  }, 120_000);

  it('a synchronous read, float64 and a missing kernel are typed one-line errors saying what to do', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const t = new Tensor(gpu.fromArray('float32', [1, 2, 3]), [3]);
    expect(() => t.dataSync()).toThrow(
      /cannot be read synchronously: use await t.data\(\), await t.array\(\) or await t.itemAsync\(\)/,
    );
    expect(() => t.toArray()).toThrow(d.DescendError);
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
    expect(await t.array()).toEqual([1, 2, 3]);
    expect(() => gpu!.fromArray('float64', [1])).toThrow(
      /float64 stays on the CPU backends \(WebGPU computes in float32\)/,
    );
    const ints = gpu.fromArray('int32', [1, 2]);
    expect(() => gpu!.cumsum(ints, [2], 0, false)).toThrow(WebGPUNotYetError);
    expect(() => gpu!.cumsum(ints, [2], 0, false)).toThrow(
      /^webgpu.cumsum: int32 input is not on WebGPU yet \(float32 is\)/,
    );
    // The counters see every kernel, buffer and read back.
    const before = { ...gpu.counters };
    await gpu.readAsync(gpu.unary('exp', t['_storage' as never] as never, 'float32'));
    expect(gpu.counters.dispatches - before.dispatches).toBe(1);
    expect(gpu.counters.readbacks - before.readbacks).toBe(1);
  }, 60_000);
});

describe('WebGPU core kernels against the JS backend', () => {
  const js = new JsBackend();
  const g = new d.Generator(5);
  const rand = (n: number) => Array.from({ length: n }, () => Math.fround(g.random() * 4 - 2));
  /** Runs `f` on both backends with the same inputs; the GPU's result read back. */
  async function both(
    inputs: [DType, number[]][],
    f: (b: Backend, xs: Storage[]) => Storage,
  ): Promise<[number[], number[]]> {
    const want = Array.from(
      js.read(
        f(
          js,
          inputs.map(([t, v]) => js.fromArray(t, v)),
        ),
      ),
    );
    const got = Array.from(
      await gpu!.readAsync(
        f(
          gpu!,
          inputs.map(([t, v]) => gpu!.fromArray(t, v)),
        ),
      ),
    );
    return [got, want];
  }
  const expectClose = (got: number[], want: number[], tol = 1e-5) => {
    expect(got.length).toBe(want.length);
    got.forEach((v, i) => {
      if (Number.isNaN(want[i]!)) expect(v, `element ${i}`).toBeNaN();
      else
        expect(Math.abs(v - want[i]!), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(
          tol * (1 + Math.abs(want[i]!)),
        );
    });
  };

  it('cast, where (broadcast), strided views, concat', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const x = [1.7, -1.7, 0, 2.5, -0.2, 3];
    for (const to of ['int32', 'bool', 'float32'] as const)
      expectClose(...(await both([['float32', x]], (b, [s]) => b.cast(s!, to))));
    expectClose(...(await both([['int32', [3, -4, 0]]], (b, [s]) => b.cast(s!, 'float32'))));
    expectClose(...(await both([['bool', [1, 0, 1]]], (b, [s]) => b.cast(s!, 'float32'))));
    const cond: [DType, number[]] = ['bool', [1, 0, 1, 0]];
    expectClose(
      ...(await both([cond, ['float32', rand(12)], ['float32', rand(3)]], (b, [c, a, y]) =>
        b.where(c!, [4, 1], a!, [4, 3], y!, [3], [4, 3]),
      )),
    );
    // The transpose of [3, 4] and a slice at an offset.
    expectClose(...(await both([['float32', rand(12)]], (b, [s]) => b.strided(s!, [4, 3], [1, 4], 0))));
    expectClose(...(await both([['float32', rand(12)]], (b, [s]) => b.strided(s!, [2, 2], [4, 1], 5))));
    expectClose(
      ...(await both(
        [
          ['float32', rand(6)],
          ['float32', rand(4)],
        ],
        (b, [p, q]) =>
          b.concat(
            [p!, q!],
            [
              [2, 3],
              [2, 2],
            ],
            1,
            [2, 5],
          ),
      )),
    );
  }, 60_000);

  it('reductions over any axes (Kahan sums, NaN propagating), argmax/argmin, cumsum', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const v = rand(2 * 3 * 4);
    for (const op of ['sum', 'prod', 'max', 'min'] as const)
      for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]])
        expectClose(...(await both([['float32', v]], (b, [s]) => b.reduce(op, s!, [2, 3, 4], axes))));
    const withNaN = [...v];
    withNaN[5] = NaN;
    expectClose(...(await both([['float32', withNaN]], (b, [s]) => b.reduce('max', s!, [2, 3, 4], [2]))));
    // A long row (split into 196 chunks, whose partials are reduced again): a float32 running sum drifts; the compensated one
    // stays at float32 rounding.
    const long = Array.from({ length: 200_000 }, () => Math.fround(0.1));
    expectClose(...(await both([['float32', long]], (b, [s]) => b.reduce('sum', s!, [200_000], [0]))), 1e-6);
    for (const op of ['argmax', 'argmin'] as const)
      for (const axis of [0, 1, 2])
        expectClose(
          ...(await both([['float32', withNaN]], (b, [s]) => b.argReduce(op, s!, [2, 3, 4], axis))),
        );
    for (const axis of [0, 1])
      for (const reverse of [false, true])
        expectClose(
          ...(await both([['float32', rand(12)]], (b, [s]) => b.cumsum(s!, [3, 4], axis, reverse))),
        );
  }, 60_000);

  it('matmul: batched, every transpose combination, one tile and many', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    for (const transA of [false, true])
      for (const transB of [false, true]) {
        // Untiled, and tiled with ragged edges (tiles of 16: 37 x 19 outputs, k = 70).
        for (const [m, k, n] of [
          [5, 7, 3],
          [37, 70, 19],
        ] as const) {
          const shape = { batch: 2, m, k, n, transA, transB };
          expectClose(
            ...(await both(
              [
                ['float32', rand(2 * m * k)],
                ['float32', rand(2 * k * n)],
              ],
              (b, [x, y]) => b.matmul(x!, y!, shape),
            )),
          );
        }
      }
  }, 60_000);

  it('gather, scatterAdd (repeated indices), the adjoint of overlapping views, argsort', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const idx: [DType, number[]] = ['int32', [2, 0, -1, 1, 1, 0]];
    for (const axis of [0, 1])
      expectClose(
        ...(await both([['float32', rand(9)], idx], (b, [s, i]) => b.gather(s!, [3, 3], axis, i!, [2, 3]))),
      );
    // Repeated indices add up (atomics on the device).
    for (const [t, v] of [
      ['float32', rand(9)],
      ['int32', [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ] as [DType, number[]][])
      expectClose(
        ...(await both([[t, v], idx, [t, v.slice(0, 6)]], (b, [base, i, src]) =>
          b.scatterAdd(base!, [3, 3], 0, i!, [2, 3], src!),
        )),
      );
    // expand's adjoint: stride 0 sums over the broadcast axis; a transpose's adjoint.
    expectClose(
      ...(await both([['float32', rand(12)]], (b, [s]) => b.stridedScatterAdd(s!, [4, 3], 3, [0, 1], 0))),
    );
    expectClose(
      ...(await both([['float32', rand(12)]], (b, [s]) => b.stridedScatterAdd(s!, [4, 3], 12, [1, 4], 0))),
    );
    const ties = [3, 1, NaN, 1, -0, 0, 2, NaN, 3, -5, 1, 0];
    for (const axis of [0, 1])
      for (const desc of [false, true]) {
        expectClose(...(await both([['float32', ties]], (b, [s]) => b.argsort(s!, [3, 4], axis, desc))), 0);
        expectClose(
          ...(await both([['int32', [5, 1, 5, 2, 0, 1]]], (b, [s]) => b.argsort(s!, [6], 0, desc))),
          0,
        );
      }
  }, 60_000);

  it('int32 arithmetic and reductions are exact above 2^24, and wrap as Int32Array does', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const big: [DType, number[]] = ['int32', [16_777_217, -16_777_219, 2_147_483_647, 7, -7, 0]];
    const small: [DType, number[]] = ['int32', [1, 3, 1, 2, -2, 5]];
    for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum', 'eq', 'lt', 'ge', 'logicalXor'] as const) {
      const out = ['eq', 'lt', 'ge', 'logicalXor'].includes(op) ? 'bool' : 'int32';
      expectClose(...(await both([big, small], (b, [x, y]) => b.binary(op, x!, [6], y!, [6], [6], out))), 0);
    }
    expectClose(
      ...(await both([small, ['int32', [3, 2, 0, 5, 1, 2]]], (b, [x, y]) =>
        b.binary('pow', x!, [6], y!, [6], [6], 'int32'),
      )),
      0,
    );
    for (const op of ['neg', 'abs', 'sign', 'relu'] as const)
      expectClose(...(await both([big], (b, [x]) => b.unary(op, x!, 'int32'))), 0);
    for (const op of ['sum', 'max', 'min'] as const)
      expectClose(...(await both([big], (b, [x]) => b.reduce(op, x!, [2, 3], [1]))), 0);
  }, 60_000);

  it("an index out of bounds on the device is the CPU backends' error, at the next read", async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const x = gpu.fromArray('float32', [1, 2, 3]);
    const out = gpu.gather(x, [3], 0, gpu.fromArray('int32', [0, 3]), [2]);
    await expect(gpu.readAsync(out)).rejects.toThrow(
      /^gather: index 3 is out of bounds for dim 0 with size 3/,
    );
    // Reported once: the next read is clean.
    expect(Array.from(await gpu.readAsync(x))).toEqual([1, 2, 3]);
  }, 60_000);

  it('fused chains: one kernel, the value at the time of the op even after a write, nothing for what is never read', async (ctx) => {
    if (!gpu) return ctx.skip(why);
    const x = gpu.fromArray('float32', [1, 2, 3, 4, 5, 6]);
    const row = gpu.fromArray('float32', [10, 20, 30]);
    const before = gpu.counters.dispatches;
    // exp(x * 2) + row, row broadcast over [2, 3]: three ops, one kernel, the scalar 2 from the table.
    const two = gpu.full('float32', 1, 2);
    const e = gpu.unary('exp', gpu.binary('mul', x, [2, 3], two, [], [2, 3], 'float32'), 'float32');
    const y = gpu.binary('add', e, [2, 3], row, [3], [2, 3], 'float32');
    gpu.unary('sin', y, 'float32'); // never read: never run
    // A write into x after the ops: y still sees the old x.
    gpu.copyInto(x, gpu.fromArray('float32', [0, 0, 0, 0, 0, 0]));
    const got = Array.from(await gpu.readAsync(y));
    const want = [1, 2, 3, 4, 5, 6].map((v, i) => Math.fround(Math.exp(2 * v) + [10, 20, 30][i % 3]!));
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5 * want[i]!));
    expect(Array.from(await gpu.readAsync(x))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(gpu.counters.dispatches - before).toBe(1);
  }, 60_000);
});
