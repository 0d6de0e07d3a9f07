/**
 * `npm run bench`: the same workloads on every engine installable here, side by side in one run, printed
 * as one table with ratios to descend and written to bench/results/bench.json. Never part of npm test.
 *
 * Workloads: (a) square matmul, n = 64..1024 (GFLOPS); (b) a 784-256-128-10 ReLU MLP, softmax
 * cross-entropy, Adam 1e-3, batch 128, 50 steps (samples/s); (c) a 2-16-16-3 tanh MLP on 60 points,
 * full batch, SGD momentum, 500 steps (steps/s); (d) y = tanh(x) x + 1 on 1e6 floats, forward and
 * backward (ms); (e) a LeNet-style CNN training step on 28x28 digits, batch 64 (samples/s).
 * Engines: descend's backends; TensorFlow.js cpu and wasm (dev dependencies); PyTorch and numpy through
 * python3 when installed (skipped with a note otherwise). Warm-up, then the median of 5 repeats.
 * Flags: --quick (fewer sizes and steps), --only a,b,...
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as d from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { Adam, SGD } from '../src/optim/index.js';
import { median, medianAsync } from './util.js';

type Row = {
  workload: string;
  unit: string;
  higherIsBetter: boolean;
  results: Record<string, number | string>;
};
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const want = (k: string) => !only || only.includes(k);
const REPEATS = 5;

const sizes = quick ? [64, 256] : [64, 128, 256, 512, 1024];
const mlpSteps = quick ? 5 : 50;
const tinySteps = quick ? 50 : 500;

// ---------------------------------------------------------------- descend
function descendRows(): Record<string, number> {
  const r: Record<string, number> = {};
  if (want('a'))
    for (const n of sizes) {
      const a = d.randn([n, n]);
      const b = d.randn([n, n]);
      const ms = median(() => void d.matmul(a, b), n >= 512 ? 3 : REPEATS);
      r[`matmul ${n}`] = (2 * n ** 3) / (ms * 1e6);
    }
  if (want('b')) {
    const model = new nn.Sequential(
      new nn.Linear(784, 256),
      new nn.ReLU(),
      new nn.Linear(256, 128),
      new nn.ReLU(),
      new nn.Linear(128, 10),
    );
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const x = d.rand([128, 784]);
    const y = d.randint(0, 10, [128]);
    const ms = median(() => {
      for (let s = 0; s < mlpSteps; s++) {
        opt.zeroGrad();
        d.crossEntropy(model.call(x) as d.Tensor, y).backward();
        opt.step();
      }
    });
    r['mlp train'] = (128 * mlpSteps) / (ms / 1000);
  }
  if (want('c')) {
    const model = new nn.Sequential(
      new nn.Linear(2, 16),
      new nn.Tanh(),
      new nn.Linear(16, 16),
      new nn.Tanh(),
      new nn.Linear(16, 3),
    );
    const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = d.randn([60, 2]);
    const y = d.randint(0, 3, [60]);
    const ms = median(() => {
      for (let s = 0; s < tinySteps; s++) {
        opt.zeroGrad();
        d.crossEntropy(model.call(x) as d.Tensor, y).backward();
        opt.step();
      }
    });
    r['tiny mlp'] = tinySteps / (ms / 1000);
  }
  if (want('d')) {
    const x = d.randn([1_000_000]).requiresGrad_();
    r['tanh(x)x+1 fwd+bwd'] = median(() => {
      x.zeroGrad();
      d.tanh(x).mul(x).add(1).sum().backward();
    });
  }
  if (want('e')) {
    const model = new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(400, 120),
      new nn.ReLU(),
      new nn.Linear(120, 84),
      new nn.ReLU(),
      new nn.Linear(84, 10),
    );
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const x = d.rand([64, 1, 28, 28]);
    const y = d.randint(0, 10, [64]);
    const ms = median(() => {
      opt.zeroGrad();
      d.crossEntropy(model.call(x) as d.Tensor, y).backward();
      opt.step();
    });
    r['cnn step'] = 64 / (ms / 1000);
  }
  return r;
}

// ---------------------------------------------------------------- TensorFlow.js
async function tfjsRows(backend: 'cpu' | 'wasm'): Promise<Record<string, number> | string> {
  let tf: typeof import('@tensorflow/tfjs-core');
  try {
    // The CommonJS builds: the ES ones use directory imports that Node's ESM loader refuses.
    const require = createRequire(import.meta.url);
    tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-core/dist/register_all_gradients');
    require('@tensorflow/tfjs-backend-cpu');
    if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend(backend))) return `tfjs-${backend} did not initialize`;
    await tf.ready();
  } catch (e) {
    return `not installed (${(e as Error).message.split('\n')[0]})`;
  }
  const r: Record<string, number> = {};
  if (want('a'))
    for (const n of sizes) {
      const a = tf.randomNormal([n, n]);
      const b = tf.randomNormal([n, n]);
      const ms = await medianAsync(
        async () => {
          const c = tf.matMul(a, b);
          await c.data();
          c.dispose();
        },
        n >= 512 ? 3 : REPEATS,
      );
      r[`matmul ${n}`] = (2 * n ** 3) / (ms * 1e6);
    }
  const dense = (i: number, o: number) =>
    [tf.variable(tf.randomNormal([i, o], 0, Math.sqrt(2 / i))), tf.variable(tf.zeros([o]))] as const;
  if (want('b')) {
    const layers = [dense(784, 256), dense(256, 128), dense(128, 10)];
    const vars = layers.flat();
    const opt = tf.train.adam(1e-3);
    const x = tf.randomUniform([128, 784]);
    const y = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32'), 10);
    const ms = await medianAsync(async () => {
      for (let s = 0; s < mlpSteps; s++) {
        const cost = opt.minimize(
          () => {
            let h: import('@tensorflow/tfjs-core').Tensor = x;
            layers.forEach(([w, b], i) => {
              h = tf.add(tf.matMul(h, w), b);
              if (i < layers.length - 1) h = tf.relu(h);
            });
            return tf.losses.softmaxCrossEntropy(y, h) as import('@tensorflow/tfjs-core').Scalar;
          },
          true,
          vars,
        );
        await cost!.data();
        cost!.dispose();
      }
    });
    r['mlp train'] = (128 * mlpSteps) / (ms / 1000);
  }
  if (want('c')) {
    const layers = [dense(2, 16), dense(16, 16), dense(16, 3)];
    const opt = tf.train.momentum(0.1, 0.9);
    const x = tf.randomNormal([60, 2]);
    const y = tf.oneHot(tf.randomUniform([60], 0, 3, 'int32'), 3);
    const ms = await medianAsync(async () => {
      for (let s = 0; s < tinySteps; s++) {
        const cost = opt.minimize(
          () => {
            let h: import('@tensorflow/tfjs-core').Tensor = x;
            layers.forEach(([w, b], i) => {
              h = tf.add(tf.matMul(h, w), b);
              if (i < layers.length - 1) h = tf.tanh(h);
            });
            return tf.losses.softmaxCrossEntropy(y, h) as import('@tensorflow/tfjs-core').Scalar;
          },
          true,
          layers.flat(),
        );
        await cost!.data();
        cost!.dispose();
      }
    });
    r['tiny mlp'] = tinySteps / (ms / 1000);
  }
  if (want('d')) {
    const x = tf.randomNormal([1_000_000]);
    const g = tf.grad((v: import('@tensorflow/tfjs-core').Tensor) =>
      tf.sum(tf.add(tf.mul(tf.tanh(v), v), 1)),
    );
    r['tanh(x)x+1 fwd+bwd'] = await medianAsync(async () => {
      const gx = g(x);
      await gx.data();
      gx.dispose();
    });
  }
  if (want('e')) r['cnn step'] = NaN; // a TF.js LeNet is not wired up yet
  return r;
}

// ---------------------------------------------------------------- PyTorch / numpy through python3
function pythonRows(): Record<string, number> | string {
  const probe = (mod: string) => {
    try {
      execFileSync('python3', ['-c', `import ${mod}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (!probe('torch') && !probe('numpy'))
    return 'skipped: python3 has neither torch nor numpy (apt-get install python3-torch python3-numpy)';
  return 'skipped: python engines are not wired up yet';
}

// ---------------------------------------------------------------- table
async function main(): Promise<void> {
  const env = process.env.OPENBLAS_CORETYPE;
  console.log(
    `descend bench (${quick ? 'quick' : 'full'}), Node ${process.version}, OPENBLAS_CORETYPE=${env ?? '(unset)'}`,
  );
  const engines: Record<string, Record<string, number> | string> = {};
  engines['descend-js'] = descendRows();
  for (const b of ['cpu', 'wasm'] as const) {
    try {
      engines[`tfjs-${b}`] = await tfjsRows(b);
    } catch (e) {
      engines[`tfjs-${b}`] = `failed: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  engines['pytorch/numpy'] = pythonRows();
  const names = Object.keys(engines);
  const workloads = Object.keys(engines['descend-js'] as Record<string, number>);
  const rows: Row[] = workloads.map((w) => ({
    workload: w,
    unit: w.startsWith('matmul')
      ? 'GFLOPS'
      : w.includes('fwd+bwd')
        ? 'ms'
        : w === 'tiny mlp'
          ? 'steps/s'
          : 'samples/s',
    higherIsBetter: !w.includes('fwd+bwd'),
    results: Object.fromEntries(
      names.map((e) => [
        e,
        typeof engines[e] === 'string' ? '-' : ((engines[e] as Record<string, number>)[w] ?? NaN),
      ]),
    ),
  }));
  const fmt = (v: number | string) =>
    typeof v === 'string' ? v : Number.isNaN(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toPrecision(3);
  const header = ['workload', 'unit', ...names];
  const lines = rows.map((r) => {
    const base = r.results['descend-js'] as number;
    return [
      r.workload,
      r.unit,
      ...names.map((e) => {
        const v = r.results[e];
        if (typeof v === 'string' || e === 'descend-js' || Number.isNaN(v)) return fmt(v);
        const ratio = r.higherIsBetter ? (v as number) / base : base / (v as number);
        return `${fmt(v)} (${ratio.toFixed(2)}x)`;
      }),
    ];
  });
  const widths = header.map((_, c) => Math.max(header[c].length, ...lines.map((l) => l[c].length)));
  const show = (l: string[]) => l.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(show(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(show(l));
  console.log('ratios: the engine relative to descend-js (above 1 means the engine is faster)');
  for (const [e, v] of Object.entries(engines)) if (typeof v === 'string') console.log(`${e}: ${v}`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/bench.json',
    JSON.stringify(
      {
        node: process.version,
        openblasCoretype: env ?? null,
        quick,
        rows,
        notes: Object.fromEntries(Object.entries(engines).filter(([, v]) => typeof v === 'string')),
      },
      null,
      1,
    ),
  );
}

void main();
