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
import type { BinaryOp } from '../src/backends/backend.js';

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
    expect(() => gpu!.matmul()).toThrow(WebGPUNotYetError);
    expect(() => gpu!.matmul()).toThrow(/^webgpu.matmul: this kernel is not on WebGPU yet/);
    // The counters see every kernel, buffer and read back.
    const before = { ...gpu.counters };
    await gpu.readAsync(gpu.unary('exp', t['_storage' as never] as never, 'float32'));
    expect(gpu.counters.dispatches - before.dispatches).toBe(1);
    expect(gpu.counters.readbacks - before.readbacks).toBe(1);
  }, 60_000);
});
