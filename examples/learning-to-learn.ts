/**
 * "Learning to learn by gradient descent by gradient descent" (Andrychowicz et al. 2016), small: a
 * coordinate-wise learned optimizer (a 2-16-1 tanh network applied to each coordinate's gradient and
 * momentum) is meta-trained on random quadratics by differentiating through 20 unrolled steps of it, then
 * compared with Adam (its learning rate tuned on the same problems) on quadratics it has not seen.
 * Writes learning-to-learn.svg (loss against step, both optimizers, averaged over 32 test problems).
 *   npx tsx examples/learning-to-learn.ts [--out DIR] [--meta-steps N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as d from '../src/index.js';
import { adam, applyUpdates, type GradientTransformation, unroll } from '../src/optim/index.js';
import { lineChart } from '../src/plot/svg.js';

type Tensor = d.Tensor;
const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const outDir = arg('out') ?? '.';
const metaSteps = Number(arg('meta-steps') ?? 150);
d.setDefaultDtype('float64');
const gen = new d.Generator(0);
const DIM = 10;
const T = 20;

/** A random quadratic ½ Σ a_i (x_i - c_i)², curvatures spread over two decades. */
function problem(): { loss: (x: Tensor) => Tensor; x0: Tensor } {
  const a = d.exp(d.rand([DIM], { generator: gen }).mul(Math.log(100))).mul(0.01);
  const c = d.randn([DIM], { generator: gen });
  return { loss: (x) => d.sum(a.mul(x.sub(c).pow(2))).mul(0.5), x0: d.zeros([DIM]) };
}

type Learned = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };
const theta: Learned = {
  w1: d.randn([2, 16], { generator: gen }).mul(0.3),
  b1: d.zeros([16]),
  w2: d.randn([16, 1], { generator: gen }).mul(0.1),
  b2: d.zeros([1]),
};

/** The learned optimizer as a gradient transformation: each coordinate's step from (g, momentum). */
function learned(p: Learned): GradientTransformation<{ m: Tensor }> {
  return {
    init: (params) => ({ m: d.zerosLike((params as Tensor).detach()) }),
    update: (g, s) => {
      const gt = g as Tensor;
      const m = s.m.mul(0.9).add(gt.mul(0.1));
      const feats = d.stack([gt, m], 1); // [DIM, 2]
      const step = d.tanh(d.matmul(feats, p.w1).add(p.b1)).matmul(p.w2).add(p.b2).reshape([DIM]);
      return [step.mul(0.1), { m }];
    },
  };
}

/** Mean of the losses along an unrolled trajectory (the meta-loss of the paper, equal weights). */
function trajectoryLoss(tx: GradientTransformation, prob: ReturnType<typeof problem>): Tensor {
  let x = prob.x0;
  let state = tx.init(x);
  let total: Tensor | null = null;
  for (let t = 0; t < T; t++) {
    const g = d.grad(prob.loss)(x) as Tensor;
    const [u, next] = tx.update(g, state, x);
    state = next;
    x = applyUpdates(x, u) as Tensor;
    const l = prob.loss(x);
    total = total ? total.add(l) : l;
  }
  return total!.div(T);
}

// Meta-training: Adam on theta, one random quadratic per meta-step.
const metaTx = adam(0.01);
let metaState = metaTx.init(theta);
let params: Learned = theta;
for (let k = 0; k < metaSteps; k++) {
  const prob = problem();
  const g = d.grad((p: Learned) => trajectoryLoss(learned(p), prob))(params) as Learned;
  const [u, s] = metaTx.update(g, metaState, params);
  metaState = s;
  params = applyUpdates(params, u);
  if (k % 50 === 0 || k === metaSteps - 1)
    console.log(
      `meta-step ${k}: trajectory loss ${d
        .noGrad(() => trajectoryLoss(learned(params), prob))
        .item()
        .toFixed(4)}`,
    );
}

// Evaluation on unseen problems: the learned optimizer and Adam with the best of a few learning rates.
const tests = Array.from({ length: 32 }, problem);
function curve(tx: () => GradientTransformation): number[] {
  const sums = new Array<number>(T + 1).fill(0);
  for (const p of tests) {
    const { losses, params: xT } = unroll(tx(), (x: Tensor) => p.loss(x), p.x0, T);
    losses.forEach((l, t) => (sums[t] += l / tests.length));
    sums[T] += p.loss(xT as Tensor).item() / tests.length;
  }
  return sums;
}
const learnedCurve = curve(() => learned(params));
let best = { lr: 0, curve: [] as number[] };
for (const lr of [0.03, 0.1, 0.3, 1]) {
  const c = curve(() => adam(lr));
  if (!best.curve.length || c[T] < best.curve[T]) best = { lr, curve: c };
}
console.log(
  `after ${T} steps on unseen quadratics: learned ${learnedCurve[T].toFixed(4)}, Adam (lr ${best.lr}) ${best.curve[T].toFixed(4)}`,
);
mkdirSync(outDir, { recursive: true });
const steps = Array.from({ length: T + 1 }, (_, t) => t);
const file = join(outDir, 'learning-to-learn.svg');
writeFileSync(
  file,
  lineChart(
    [
      { name: 'learned optimizer', x: steps, y: learnedCurve },
      { name: `Adam, lr ${best.lr}`, x: steps, y: best.curve, dashed: true },
    ],
    {
      title: 'Random quadratics not seen in meta-training (mean of 32)',
      xLabel: 'step',
      yLabel: 'loss',
      logY: true,
    },
  ),
);
console.log(`wrote ${file}`);
