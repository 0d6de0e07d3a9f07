/**
 * An in-process A/B of two checkouts of descend (this one and another, e.g. an older commit in a git
 * worktree with its native addon built): the same workloads alternate between the two module graphs,
 * round by round, in one process, and the medians are compared. On a noisy machine this is tighter than
 * two processes one after the other (bench/run.ts --baseline), whose order alone moved results by 10%.
 *   npx tsx bench/ab.ts --other=/tmp/base [--backend=native|wasm] [--rounds=21]
 * Prints, per workload, both medians and new/old (above 1: this checkout is faster).
 */
import { benchCnn, benchMlp } from './models.js';

type Lib = typeof import('../src/index.js');
type NN = typeof import('../src/nn/index.js');
type Optim = typeof import('../src/optim/index.js');
interface Side {
  d: Lib;
  nn: NN;
  O: Optim;
}

const tinyMlp = (nn: NN) => new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const other = flag('other');
if (!other) throw new Error('bench/ab.ts: give --other=DIR, another checkout of descend');
const backendName = flag('backend') ?? 'native';
const rounds = Number(flag('rounds') ?? 21);

async function load(root: string): Promise<Side> {
  const d = (await import(`${root}/src/index.ts`)) as Lib;
  const nn = (await import(`${root}/src/nn/index.ts`)) as NN;
  const O = (await import(`${root}/src/optim/index.ts`)) as Optim;
  d.setBackend(backendName);
  d.nativeBackend?.setNumThreads(1);
  return { d, nn, O };
}

/** Adam steps of cross-entropy on a fixed batch [batch, ...inShape] with `classes` labels. */
function train(
  s: Side,
  model: InstanceType<NN['Sequential']>,
  inShape: number[],
  classes: number,
  batch: number,
  steps: number,
): number {
  const opt = new s.O.Adam(model.parameters(), { lr: 1e-3 });
  const x = s.d.randn([batch, ...inShape]);
  const y = s.d.tensor(
    Array.from({ length: batch }, (_, i) => i % classes),
    { dtype: 'int32' },
  );
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    s.d.crossEntropy(model.call(x) as InstanceType<Lib['Tensor']>, y).backward();
    opt.step();
  }
  return (steps * batch) / ((performance.now() - t0) / 1000);
}

function elementwise(s: Side): number {
  const x = s.d.randn([1_000_000], { requiresGrad: true });
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) {
    x.grad = null;
    x.tanh().mul(x).add(1).sum().backward();
  }
  return (performance.now() - t0) / 10;
}

const WORKLOADS: [string, string, (s: Side) => number][] = [
  ['tiny mlp (2-16-3, batch 32)', 'samples/s', (s) => train(s, tinyMlp(s.nn), [2], 3, 32, 500)],
  ['mlp (784-256-128-10, batch 128)', 'samples/s', (s) => train(s, benchMlp(s.nn), [784], 10, 128, 30)],
  ['tanh(x)x+1 fwd+bwd, 1e6', 'ms', elementwise],
  ['LeNet step (batch 32)', 'samples/s', (s) => train(s, benchCnn(s.nn), [1, 28, 28], 10, 32, 10)],
];

const sides = [await load(new URL('..', import.meta.url).pathname.replace(/\/$/, '')), await load(other)];
for (const [, , run] of WORKLOADS) for (const s of sides) run(s); // warm up both
const results = WORKLOADS.map(() => [[], []] as number[][]);
for (let k = 0; k < rounds; k++) {
  // Alternate which side goes first, so that neither gains from its position.
  for (const w of k % 2 ? [0, 1] : [1, 0])
    WORKLOADS.forEach(([, , run], i) => results[i][w].push(run(sides[w])));
}
console.log(`A/B on ${backendName}, ${rounds} rounds: this checkout vs ${other}`);
WORKLOADS.forEach(([name, unit], i) => {
  const [a, b] = results[i].map(median);
  const ratio = unit === 'ms' ? b / a : a / b;
  console.log(`  ${name.padEnd(34)} ${a.toFixed(1)} vs ${b.toFixed(1)} ${unit}  new/old ${ratio.toFixed(3)}`);
});
