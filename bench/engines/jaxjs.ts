/**
 * jax-js on its WebAssembly device, written as a JAX user would: the whole training step (loss, grad and
 * the optimizer update) under one jit. Arrays are reference counted: `.ref` keeps one for another use.
 */
import { blockUntilReady, defaultDevice, grad, init, jit, nn, numpy as np, random, tree } from '@jax-js/jax';
import { medianAsync } from '../util.js';
import {
  ELEMENTWISE_N,
  matmulCalls,
  emit,
  mlpSteps,
  REPEATS,
  type Results,
  sizes,
  tinySteps,
  want,
} from '../workloads.js';

type A = np.Array;
type Layer = { w: A; b: A };

await init('wasm');
defaultDevice('wasm');
let keyCounter = 0;
const key = () => random.key(++keyCounter);
const normal = (shape: number[], scale: number) => random.normal(key(), shape).mul(scale);

function layers(sizes: number[]): Layer[] {
  const out: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++)
    out.push({ w: normal([sizes[i], sizes[i + 1]], Math.sqrt(2 / sizes[i])), b: np.zeros([sizes[i + 1]]) });
  return out;
}

function loss(act: (h: A) => A) {
  return (params: Layer[], x: A, y1h: A): A => {
    let h = x;
    params.forEach((l, i) => {
      h = np.matmul(h, l.w).add(l.b);
      if (i < params.length - 1) h = act(h);
    });
    const batch = y1h.shape[0];
    return nn
      .logSoftmax(h, -1)
      .mul(y1h)
      .sum()
      .mul(-1 / batch);
  };
}

function adamStep(act: (h: A) => A, lr: number) {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  return jit((params: Layer[], m: Layer[], v: Layer[], x: A, y: A, bc1: A, bc2: A) => {
    const g = grad(loss(act))(tree.ref(params), x, y) as Layer[];
    const m2 = tree.map((mi: A, gi: A) => mi.mul(b1).add(gi.mul(1 - b1)), m, tree.ref(g)) as Layer[];
    const v2 = tree.map((vi: A, gi: A) => vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2)), v, g) as Layer[];
    const p2 = tree.map(
      (p: A, mi: A, vi: A) =>
        p.sub(
          mi
            .div(bc1.ref)
            .div(np.sqrt(vi.div(bc2.ref)).add(eps))
            .mul(lr),
        ),
      params,
      tree.ref(m2),
      tree.ref(v2),
    ) as Layer[];
    bc1.dispose();
    bc2.dispose();
    return [p2, m2, v2];
  });
}

function momentumStep(act: (h: A) => A, lr: number, mu: number) {
  return jit((params: Layer[], buf: Layer[], x: A, y: A) => {
    const g = grad(loss(act))(tree.ref(params), x, y) as Layer[];
    const b2 = tree.map((bi: A, gi: A) => bi.mul(mu).add(gi), buf, g) as Layer[];
    const p2 = tree.map((p: A, bi: A) => p.sub(bi.mul(lr)), params, tree.ref(b2)) as Layer[];
    return [p2, b2];
  });
}

const zerosLike = (ps: Layer[]) => ps.map((l) => ({ w: np.zeros(l.w.shape), b: np.zeros(l.b.shape) }));
const r: Results = {};

if (want('a'))
  for (const n of sizes) {
    const a = normal([n, n], 1);
    const b = normal([n, n], 1);
    const calls = matmulCalls(n);
    const ms = await medianAsync(async () => {
      for (let i = 0; i < calls; i++) {
        const c = np.matmul(a.ref, b.ref);
        await c.data();
      }
    }, REPEATS);
    r[`matmul ${n}`] = (2 * n ** 3 * calls) / (ms * 1e6);
  }
if (want('b')) {
  let params = layers([784, 256, 128, 10]);
  let m = zerosLike(params);
  let v = zerosLike(params);
  const x = random.uniform(key(), [128, 784]);
  const y = nn.oneHot(random.randint(key(), { minval: 0, maxval: 10, shape: [128] }), 10);
  const step = adamStep(nn.relu, 1e-3);
  let t = 0;
  const ms = await medianAsync(async () => {
    for (let s = 0; s < mlpSteps; s++) {
      t++;
      [params, m, v] = step(params, m, v, x.ref, y.ref, np.array(1 - 0.9 ** t), np.array(1 - 0.999 ** t)) as [
        Layer[],
        Layer[],
        Layer[],
      ];
      await blockUntilReady(params);
    }
  });
  r['mlp train'] = (128 * mlpSteps) / (ms / 1000);
}
if (want('c')) {
  let params = layers([2, 16, 16, 3]);
  let buf = zerosLike(params);
  const x = random.normal(key(), [60, 2]);
  const y = nn.oneHot(random.randint(key(), { minval: 0, maxval: 3, shape: [60] }), 3);
  const step = momentumStep(np.tanh, 0.1, 0.9);
  const ms = await medianAsync(async () => {
    for (let s = 0; s < tinySteps; s++) {
      [params, buf] = step(params, buf, x.ref, y.ref) as [Layer[], Layer[]];
      // Waiting each step keeps jax-js from queueing an ever longer chain of pending work.
      await blockUntilReady(params);
    }
    await blockUntilReady(params);
  });
  r['tiny mlp'] = tinySteps / (ms / 1000);
}
if (want('d')) {
  const x = random.normal(key(), [ELEMENTWISE_N]);
  const g = jit(grad((v: A) => np.tanh(v.ref).mul(v).add(1).sum()));
  r['tanh(x)x+1 fwd+bwd'] = await medianAsync(async () => {
    const gx = g(x.ref) as A;
    await gx.data();
  });
}
if (want('e')) r['cnn step'] = 'not written for jax-js in this bench';
emit(r);
