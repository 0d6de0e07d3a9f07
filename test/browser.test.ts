/**
 * The wasm backend inside a real page: headless Chromium (Debian's `chromium`, driven by playwright-core;
 * nothing downloaded) loads the playground's built site, served cross-origin isolated, and runs the PyTorch
 * conformance cases and MLP training steps on the wasm backend (test/browser/harness.ts, bundled here
 * with descend left to the page's import map). Skipped, with the reason printed, only without Chromium.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, noteIfNoChromium, type Site, startSite } from './chromium.js';

noteIfNoChromium('browser tests');

const root = resolve(import.meta.dirname, '..');
// Its own copy of the site: the playground's tests rebuild apps/playground/dist at the same time.
const siteDir = join(root, 'build/browser-site');
// descend's entry points, which the page's import map provides: the bundle must share its instance.
const EXTERNAL: Record<string, string> = {
  [join(root, 'src/index.js')]: 'descend',
  [join(root, 'src/nn/index.js')]: 'descend/nn',
  [join(root, 'src/optim/index.js')]: 'descend/optim',
};

async function bundleHarness(): Promise<void> {
  await build({
    entryPoints: [join(root, 'test/browser/harness.ts')],
    bundle: true,
    format: 'esm',
    outfile: join(siteDir, 'wasm-harness.js'),
    logLevel: 'silent',
    plugins: [
      {
        name: 'descend-external',
        setup(b) {
          b.onResolve({ filter: /src\/(nn\/|optim\/)?index\.js$/ }, (args) => {
            const spec = EXTERNAL[resolve(args.resolveDir, args.path)];
            return spec ? { path: spec, external: true } : undefined;
          });
        },
      },
    ],
  });
}

interface PageResult {
  isolated: boolean;
  backend: string;
  reason: string;
  wasm: string;
  threads: number;
  conformance: { passed: number; failures: string[] };
  train: { losses: number[]; samplesPerSecond: number };
  copies: number;
}

describe.skipIf(!chromiumPath)('the wasm backend in headless Chromium', () => {
  let site: Site;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    site = await startSite(siteDir, bundleHarness);
  }, 60_000);
  afterAll(async () => {
    await site?.close();
  });

  it('runs the PyTorch conformance cases and MLP training on wasm, threaded, in a page', async () => {
    const page = await site.browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(site.base + `#net=${encodeURIComponent('{"steps":1}')}`);
    const cases = JSON.parse(readFileSync(join(root, 'test/fixtures/autodiff.json'), 'utf8')).cases;
    // A string, not a function: vitest would rewrite a function's import() for Node.
    const script = `(async (cases) => {
      const h = await import('/wasm-harness.js');
      const d = h.d;
      await d.wasmReady;
      const info = d.backendInfo();
      const w = d.wasmBackend();
      // Workers start asynchronously; then every op the kernels cover goes to them, however small.
      for (let i = 0; i < 300 && w.threads < 2; i++) await new Promise((ok) => setTimeout(ok, 10));
      w.minSize = 0;
      const conformance = h.conformance(cases);
      w.minSize = 128;
      w.kernels.bytesIn = w.kernels.bytesOut = 0;
      const train = h.train(20);
      return {
        isolated: crossOriginIsolated,
        backend: info.name,
        reason: info.reason,
        wasm: d.backendInfo().wasm,
        threads: w.threads,
        conformance,
        train,
        copies: w.kernels.bytesIn + w.kernels.bytesOut,
      };
    })(${JSON.stringify(cases)})`;
    const r = (await page.evaluate(script)) as PageResult;
    console.log(
      `browser: ${r.backend} (${r.reason}; ${r.wasm}), conformance ${r.conformance.passed} passed, ` +
        `MLP ${r.train.samplesPerSecond.toFixed(0)} samples/s`,
    );
    expect(pageErrors).toEqual([]);
    expect(r.isolated).toBe(true);
    // A page that chose nothing is on wasm: the browser's default where WebAssembly SIMD exists.
    expect(r.backend).toBe('wasm');
    expect(r.threads).toBeGreaterThan(1);
    expect(r.conformance.failures).toEqual([]);
    expect(r.conformance.passed).toBe(2 * cases.length);
    expect(r.train.losses.every(Number.isFinite)).toBe(true);
    expect(r.train.losses[19]).toBeLessThan(r.train.losses[0]);
    expect(r.copies).toBeGreaterThan(0);
  }, 120_000);
});
