/**
 * The WebGPU backend in headless Chromium on SwiftShader (`--enable-unsafe-webgpu
 * --use-webgpu-adapter=swiftshader`). The page imports the built library from the site. It checks
 * every unary and binary op code against the JS backend's formulas, the async read and the typed
 * sync-read error. Then it runs the 95 PyTorch conformance cases and the gradient table, whose outputs
 * and gradients are compared with the JS backend's, all in float32. Skipped, saying why, without
 * Chromium.
 */
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForSite, chromiumPath, noteIfNoChromium, type Site, startSite } from './chromium.js';

noteIfNoChromium('browser WebGPU tests');

const root = resolve(import.meta.dirname, '..');
// Its own copy of the site: other browser tests build theirs at the same time.
const siteDir = join(root, 'build/webgpu-site');

/**
 * The conformance cases and the gradient table, bundled for the page: their imports of ../src/ become
 * the site's /lib/ (the built library), and the fixture is copied beside them.
 */
async function bundleCases(): Promise<void> {
  await bundleForSite(
    [join(root, 'test/conformance.cases.ts'), join(root, 'test/ops.table.ts')],
    join(siteDir, 'cases'),
  );
  copyFileSync(join(root, 'test/fixtures/autodiff.json'), join(siteDir, 'cases/autodiff.json'));
}

describe.skipIf(!chromiumPath)('WebGPU in headless Chromium (SwiftShader)', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite(siteDir, bundleCases, [
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

  it('the PyTorch conformance cases and the gradient table on WebGPU in the page (float32)', async () => {
    const page = await site.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(site.base);
    const r = await page.evaluate(async () => {
      const load = new Function('p', 'return import(p)') as (p: string) => Promise<unknown>;
      const d = (await load(`${location.origin}/lib/index.js`)) as typeof import('../src/index.js');
      const { initWebGPU } = (await load(
        `${location.origin}/lib/webgpu/index.js`,
      )) as typeof import('../src/webgpu/index.js');
      const { CASES } = (await load(
        `${location.origin}/cases/conformance.cases.js`,
      )) as typeof import('./conformance.cases.js');
      const { OPS } = (await load(
        `${location.origin}/cases/ops.table.js`,
      )) as typeof import('./ops.table.js');
      type Enc = { shape: number[]; data: (number | string)[]; dtype?: string; requires_grad?: boolean };
      type Case = {
        name: string;
        inputs: Record<string, Enc>;
        output: Enc;
        upstream_grad: Enc;
        grads: Record<string, Enc>;
      };
      const file = (await (await fetch('/cases/autodiff.json')).json()) as { cases: Case[] };
      const num = (v: number | string) =>
        v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
      const decode = (e: Enc) => {
        const dtype = e.dtype?.startsWith('int') ? 'int32' : e.dtype === 'bool' ? 'bool' : 'float32';
        return d.tensor(e.data.map(num), { dtype }).reshape(e.shape);
      };
      const bad: string[] = [];
      /** |got - want| <= atol + rtol |want|, NaN only for NaN, infinities equal. */
      const compare = (what: string, got: ArrayLike<number>, want: ArrayLike<number>) => {
        if (got.length !== want.length) return bad.push(`${what}: ${got.length} values, want ${want.length}`);
        for (let i = 0; i < got.length; i++) {
          const [g, w] = [got[i]!, want[i]!];
          const ok = Number.isNaN(w)
            ? Number.isNaN(g)
            : !Number.isFinite(w)
              ? g === w
              : Math.abs(g - w) <= 1e-5 + 1e-4 * Math.abs(w);
          if (!ok) return bad.push(`${what}[${i}] = ${g}, want ${w}`);
        }
      };
      const gpu = await initWebGPU();
      d.setBackend('webgpu');
      for (const c of file.cases) {
        try {
          const inputs: Record<string, import('../src/index.js').Tensor> = {};
          for (const [k, e] of Object.entries(c.inputs)) {
            const t = decode(e);
            if (e.requires_grad) t.requiresGrad_(true);
            inputs[k] = t;
          }
          const out = CASES[c.name]!(inputs);
          compare(`${c.name} output`, await out.data(), c.output.data.map(num));
          out.backward(decode(c.upstream_grad).reshape(out.shape));
          for (const [k, g] of Object.entries(c.grads)) {
            const got = inputs[k]!.grad;
            if (!got) bad.push(`${c.name}: no gradient for ${k}`);
            else compare(`${c.name} d/d${k}`, await got.data(), g.data.map(num));
          }
        } catch (e) {
          bad.push(`${c.name}: ${(e as Error).message}`);
        }
      }
      // The gradient table: the JS backend's output and gradients, then WebGPU's, same cotangent.
      const run = (backend: string, op: (typeof OPS)[number], xs: [number[], number[]][]) => {
        d.setBackend(backend);
        const leaves = xs.map(([v, s]) => d.tensor(v, { dtype: 'float32' }).reshape(s).requiresGrad_(true));
        const out = op.fn(...leaves);
        const w = d
          .tensor(Array.from({ length: out.size }, (_, i) => Math.fround(Math.sin(i + 1) * 1.5)))
          .reshape([...out.shape]);
        const loss = out.mul(w).sum();
        if (loss.requiresGrad) loss.backward();
        return [out, ...leaves.map((l) => l.grad)];
      };
      let ops = 0;
      for (const op of OPS) {
        try {
          d.setBackend('js');
          const sample = op
            .samples(new d.Generator(1234))[0]!
            .map((x) => [Array.from(x.dataSync()), [...x.shape]] as [number[], number[]]);
          const want = run('js', op, sample);
          const got = run('webgpu', op, sample);
          for (let i = 0; i < want.length; i++) {
            const [g, w] = [got[i], want[i]];
            if (!w) continue;
            if (!g) bad.push(`${op.name}: no gradient for input ${i - 1}`);
            else compare(`${op.name} ${i ? `d/dx${i - 1}` : 'output'}`, await g.data(), w.dataSync());
          }
          ops++;
        } catch (e) {
          bad.push(`${op.name}: ${(e as Error).message}`);
        }
      }
      return { bad, cases: file.cases.length, ops, counters: gpu.counters };
    });
    console.log(
      `browser webgpu: ${r.cases} conformance cases and ${r.ops} ops of the gradient table; ${JSON.stringify(r.counters)}`,
    );
    expect(r.bad).toEqual([]);
    expect(r.cases).toBe(95);
    expect(r.ops).toBeGreaterThan(130);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
