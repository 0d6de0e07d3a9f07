/**
 * Minor page faults per training step in steady state, as issue 18 defines it: an MLP (784-256-128-10,
 * batch 128, Adam) trains SHORT steps in one process and LONG in another; faults per step =
 * (faults(LONG) - faults(SHORT)) / (LONG - SHORT), which cancels what a process costs once (loading,
 * JIT, pools). Medians of 3 processes each; peak RSS of the long runs. The tanh(x)x+1 workload likewise
 * (--work=tanh). Defaults 1000 and 2000 steps: the heap settles within the first ~1,000 steps (V8's
 * young generation grows once), and a difference of 1,000 steps resolves 0.01 faults a step (100 against
 * 200 left +-10 of process-to-process noise per step).
 *   npx tsx bench/page-faults.ts [--work=mlp|tanh] [--short=1000] [--long=2000] [--only=native]
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
  const short = Number(opt_('short') ?? 1000);
  const long = Number(opt_('long') ?? 2000);
  const only = opt_('only');
  for (const b of d.listBackends().filter((n) => !only || n === only)) {
    const fs = [0, 1, 2].map(() => one(b, short));
    const fl = [0, 1, 2].map(() => one(b, long));
    const a = median(fs.map((r) => r.faults));
    const c = median(fl.map((r) => r.faults));
    const steps = long - short;
    console.log(
      `${work} ${b.padEnd(6)} minor page faults per step ${((c - a) / steps).toFixed(2)} (median process totals: ${short} steps ${a}, ${long} steps ${c}); ${((median(fl.map((r) => r.ms)) - median(fs.map((r) => r.ms))) / steps).toFixed(2)} ms/step; peak RSS ${median(fl.map((r) => r.rss)).toFixed(0)} MB`,
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
