/**
 * Minor page faults per training step in steady state, as issue 18 defines it: an MLP (784-256-128-10,
 * batch 128, Adam) trains 100 steps in one process and 200 in another; faults per step =
 * (faults(200) - faults(100)) / 100, which cancels what a process costs once (loading, JIT, pools).
 * Medians of 3 processes each; peak RSS of the 200-step runs. The tanh(x)x+1 workload likewise (--work=tanh).
 *   npx tsx bench/page-faults.ts [--work=mlp|tanh]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as d from '../src/index.js';
import { benchMlp } from './models.js';
import { Adam } from '../src/optim/index.js';

const opt_ = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const arg = opt_('backend');
const work = opt_('work') ?? 'mlp';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
if (!arg) {
  const one = (b: string, n: number) => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), `--backend=${b}`, `--steps=${n}`, `--work=${work}`],
      { encoding: 'utf8' },
    );
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
      faults: number;
      rss: number;
      ms: number;
    };
    return out;
  };
  for (const b of d.listBackends()) {
    const f100 = [0, 1, 2].map(() => one(b, 100));
    const f200 = [0, 1, 2].map(() => one(b, 200));
    const a = median(f100.map((r) => r.faults));
    const c = median(f200.map((r) => r.faults));
    console.log(
      `${work} ${b.padEnd(6)} minor page faults per step ${((c - a) / 100).toFixed(1)} (median process totals: 100 steps ${a}, 200 steps ${c}); ${((median(f200.map((r) => r.ms)) - median(f100.map((r) => r.ms))) / 100).toFixed(2)} ms/step; peak RSS ${median(f200.map((r) => r.rss)).toFixed(0)} MB`,
    );
  }
} else {
  d.setBackend(arg);
  d.manualSeed(0);
  const n = Number(opt_('steps') ?? 100);
  const f0 = process.resourceUsage().minorPageFault;
  const t0 = performance.now();
  if (work === 'tanh') {
    const xt = d.randn([1_000_000]).requiresGrad_();
    for (let i = 0; i < n; i++) {
      xt.grad = null;
      d.tanh(xt).mul(xt).add(1).sum().backward();
    }
  } else mlp(n);
  console.log(
    JSON.stringify({
      faults: process.resourceUsage().minorPageFault - f0,
      ms: performance.now() - t0,
      rss: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function mlp(n: number): void {
  const model = benchMlp();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = d.rand([128, 784]);
  const y = d.randint(0, 10, [128]);
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    d.crossEntropy(model.call(x) as d.Tensor, y).backward();
    opt.step();
  }
}
