/**
 * `npm run bench:browser`: the same workloads in headless Chromium for descend-webgpu, descend-wasm,
 * TensorFlow.js webgpu and jax-js webgpu, each in a fresh page, side by side; printed as a table and
 * written to bench/results/browser.json. Chromium gets SwiftShader's WebGPU adapter where there is no
 * GPU (`--use-webgpu-adapter=swiftshader`), where the times only prove that it runs; the kernels per
 * step carry over to a GPU. Flags: --gpu (Chromium's own adapter choice, for a machine with a GPU),
 * --steps=N (MLP steps per repeat, default 5), --repeats=N (default 3).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleForSite, startSite } from '../test/chromium.js';

const argv = process.argv.slice(2);
const num = (k: string, dflt: number) =>
  Number(argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? dflt);
const steps = num('steps', 5);
const repeats = num('repeats', 3);
const root = resolve(import.meta.dirname, '..');
const siteDir = join(root, 'build/bench-browser-site');

// descend comes from the site's built library, whose wasm backend loads its module from there.
const bundle = () =>
  bundleForSite(
    [join(root, 'bench/browser/peers.ts'), join(root, 'bench/browser/descend.ts')],
    join(siteDir, 'bench'),
  );

const flags = argv.includes('--gpu')
  ? ['--enable-unsafe-webgpu']
  : ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];
const site = await startSite(siteDir, bundle, flags);
const engines = ['descend-webgpu', 'descend-wasm', 'tfjs-webgpu', 'jax-js-webgpu'] as const;
const results: Record<string, Record<string, number | string> | string> = {};
try {
  for (const engine of engines) {
    process.stdout.write(`running ${engine} ...\n`);
    const page = await site.browser.newPage();
    try {
      await page.goto(site.base);
      results[engine] = await page.evaluate(
        async ({ engine, steps, repeats }) => {
          const load = new Function('p', 'return import(p)') as (p: string) => Promise<unknown>;
          if (engine.startsWith('descend')) {
            const m = (await load(
              `${location.origin}/bench/descend.js`,
            )) as typeof import('./browser/descend.js');
            return m.descend(engine === 'descend-webgpu' ? 'webgpu' : 'wasm', steps, repeats);
          }
          const p = (await load(`${location.origin}/bench/peers.js`)) as typeof import('./browser/peers.js');
          return engine === 'tfjs-webgpu' ? p.tfjs(steps, repeats) : p.jax(steps, repeats);
        },
        { engine, steps, repeats },
      );
    } catch (e) {
      results[engine] = `failed: ${String((e as Error).message).split('\n')[0]}`;
    } finally {
      await page.close();
    }
  }
} finally {
  await site.close();
}

const rows = [
  ...new Set(Object.values(results).flatMap((r) => (typeof r === 'object' ? Object.keys(r) : []))),
];
const cell = (v: number | string | undefined) =>
  v === undefined ? '-' : typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v.toPrecision(3)) : v;
const header = ['workload', ...engines];
const table = [
  header,
  ...rows.map((w) => [
    w,
    ...engines.map((e) => {
      const r = results[e];
      return typeof r === 'string' ? '-' : cell(r?.[w]);
    }),
  ]),
];
const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
console.log(table.map((r) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ')).join('\n'));
for (const e of engines) if (typeof results[e] === 'string') console.log(`${e}: ${results[e]}`);
console.log('units: matmul 256 in GFLOPS, mlp train in samples/s (784-256-128-10 ReLU MLP, Adam, batch 128)');
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/browser.json'),
  JSON.stringify({ flags, steps, repeats, results }, null, 2),
);
