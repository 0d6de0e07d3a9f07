/**
 * The WebGPU backend's first slice in headless Chromium on SwiftShader (`--enable-unsafe-webgpu
 * --use-webgpu-adapter=swiftshader`): the page imports the built backend from the site and checks every
 * unary and binary op code against the JS backend's formulas, the async read and the typed sync-read
 * error. Skipped, saying why, without Chromium.
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, noteIfNoChromium, type Site, startSite } from './chromium.js';

noteIfNoChromium('browser WebGPU tests');

const root = resolve(import.meta.dirname, '..');
// Its own copy of the site: other browser tests build theirs at the same time.
const siteDir = join(root, 'build/webgpu-site');

describe.skipIf(!chromiumPath)('WebGPU in headless Chromium (SwiftShader)', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite(siteDir, undefined, [
      '--enable-unsafe-webgpu',
      '--use-webgpu-adapter=swiftshader',
    ]);
  }, 120_000);
  afterAll(async () => {
    await site?.close();
  });

  it('every unary and binary op code matches the JS backend in the page; sync reads are typed errors', async () => {
    const page = await site.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(site.base);
    const r = await page.evaluate(async () => {
      // Imported from the served site, through a Function so that vitest's transform leaves import() alone.
      const load = new Function('p', 'return import(p)') as (p: string) => Promise<unknown>;
      const lib = (p: string) => load(`${location.origin}/lib/${p}`);
      const dev = (await lib(
        'backends/webgpu/device.js',
      )) as typeof import('../src/backends/webgpu/device.js');
      const { WebGPUBackend } = (await lib(
        'backends/webgpu/backend.js',
      )) as typeof import('../src/backends/webgpu/backend.js');
      const { UNARY, BINARY } = (await lib(
        'backends/js/math.js',
      )) as typeof import('../src/backends/js/math.js');
      const codes = (await lib('backends/op-codes.js')) as typeof import('../src/backends/op-codes.js');
      const { Tensor } = (await lib('tensor/tensor.js')) as typeof import('../src/tensor/tensor.js');
      const { device, name } = await dev.requestWebGPU();
      const gpu = new WebGPUBackend(device, name);
      const f = Math.fround;
      const xs = [
        ...Array.from({ length: 41 }, (_, i) => f(-2 + i * 0.1)),
        0,
        -0,
        0.5,
        2.5,
        30,
        -30,
        Infinity,
        -Infinity,
        NaN,
      ];
      const close = (g: number, w: number, tol: number) =>
        (Number.isNaN(w) && Number.isNaN(g)) || g === w || Math.abs(g - w) <= tol * (1 + Math.abs(w));
      const bad: string[] = [];
      const x = gpu.fromArray('float32', xs);
      const boolOut = [
        'isnan',
        'isinf',
        'isfinite',
        'logicalNot',
        'eq',
        'ne',
        'lt',
        'le',
        'gt',
        'ge',
        'logicalAnd',
        'logicalOr',
        'logicalXor',
      ];
      for (const op of codes.UNARY_OPS) {
        const got = await gpu.readAsync(gpu.unary(op, x, boolOut.includes(op) ? 'bool' : 'float32'));
        xs.forEach((v, i) => {
          if (['sin', 'cos', 'tan'].includes(op) && Math.abs(v) >= 30) return;
          const w = f((UNARY as Record<string, (x: number) => number>)[op]!(v));
          if (!close(got[i]!, w, 2e-5)) bad.push(`${op}(${v}) = ${got[i]}, want ${w}`);
        });
      }
      const a = gpu.fromArray('float32', xs);
      const b = gpu.fromArray('float32', [2]);
      for (const op of codes.ELEMENTWISE_BINARY_OPS) {
        if ((codes.ACTIVATION_GRAD_OPS as readonly string[]).includes(op)) continue;
        const got = await gpu.readAsync(
          gpu.binary(
            op as never,
            a,
            [xs.length],
            b,
            [1],
            [xs.length],
            boolOut.includes(op) ? 'bool' : 'float32',
          ),
        );
        xs.forEach((v, i) => {
          const w = f((BINARY as Record<string, (a: number, b: number) => number>)[op]!(v, 2));
          if (!close(got[i]!, w, 2e-5)) bad.push(`${op}(${v}, 2) = ${got[i]}, want ${w}`);
        });
      }
      const t = new Tensor(gpu.fromArray('float32', [1, 2, 3]), [3]);
      let syncError = '';
      try {
        t.dataSync();
      } catch (e) {
        syncError = (e as Error).message;
      }
      return { name, bad, data: Array.from(await t.data()), syncError, counters: gpu.counters };
    });
    console.log(`browser webgpu: adapter '${r.name}', ${JSON.stringify(r.counters)}`);
    expect(r.bad).toEqual([]);
    expect(r.data).toEqual([1, 2, 3]);
    expect(r.syncError).toMatch(/cannot be read synchronously: use await t.data\(\)/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
