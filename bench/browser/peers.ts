/**
 * The browser bench's peers, bundled for the page: TensorFlow.js (webgpu) and jax-js (webgpu), the MLP
 * training step and a matmul, written as their users would (tfjs: optimizer.minimize; jax-js: one jit).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { blockUntilReady, defaultDevice, grad, init, jit, nn, numpy as np, random, tree } from '@jax-js/jax';
import { time } from './time.js';

export type Results = Record<string, number | string>;

export async function tfjs(steps: number, repeats: number): Promise<Results> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-webgpu did not initialize');
  await tf.ready();
  const r: Results = {};
  const n = 256;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  r['matmul 256'] =
    (2 * n ** 3 * 6) /
    ((await time(async () => {
      for (let i = 0; i < 6; i++) {
        const c = tf.matMul(a, b);
        await c.data();
        c.dispose();
      }
    }, repeats)) *
      1e6);
  const dense = (i: number, o: number) =>
    [tf.variable(tf.randomNormal([i, o], 0, Math.sqrt(2 / i))), tf.variable(tf.zeros([o]))] as const;
  const layers = [dense(784, 256), dense(256, 128), dense(128, 10)];
  const x = tf.randomUniform([128, 784]);
  const y = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32'), 10);
  const loss = () => {
    let h: tf.Tensor = x;
    layers.forEach(([w, bb], i) => {
      h = tf.add(tf.matMul(h, w), bb);
      if (i < layers.length - 1) h = tf.relu(h);
    });
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  };
  const opt = tf.train.adam(1e-3);
  const ms = await time(async () => {
    for (let s = 0; s < steps; s++) {
      const cost = opt.minimize(loss, true, layers.flat())!;
      await cost.data();
      cost.dispose();
    }
  }, repeats);
  r['mlp train'] = (128 * steps) / (ms / 1000);
  // Device-free count of one step: the kernels tf.profile records.
  const info = await tf.profile(() => {
    const cost = opt.minimize(loss, true, layers.flat())!;
    cost.dispose();
  });
  r['mlp kernels/step'] = info.kernels.length;
  return r;
}

export async function jax(steps: number, repeats: number): Promise<Results> {
  await init('webgpu');
  defaultDevice('webgpu');
  type A = np.Array;
  type Layer = { w: A; b: A };
  let k = 0;
  const key = () => random.key(++k);
  const r: Results = {};
  const n = 256;
  const a = random.normal(key(), [n, n]);
  const b = random.normal(key(), [n, n]);
  r['matmul 256'] =
    (2 * n ** 3 * 6) /
    ((await time(async () => {
      for (let i = 0; i < 6; i++) await np.matmul(a.ref, b.ref).data();
    }, repeats)) *
      1e6);
  const sizes = [784, 256, 128, 10];
  let params: Layer[] = sizes.slice(0, -1).map((s, i) => ({
    w: random.normal(key(), [s, sizes[i + 1]!]).mul(Math.sqrt(2 / s)),
    b: np.zeros([sizes[i + 1]!]),
  }));
  const zeros = (ps: Layer[]) => ps.map((l) => ({ w: np.zeros(l.w.shape), b: np.zeros(l.b.shape) }));
  let m = zeros(params);
  let v = zeros(params);
  const x = random.uniform(key(), [128, 784]);
  const y = nn.oneHot(random.randint(key(), { minval: 0, maxval: 10, shape: [128] }), 10);
  const loss = (ps: Layer[], xx: A, yy: A): A => {
    let h = xx;
    ps.forEach((l, i) => {
      h = np.matmul(h, l.w).add(l.b);
      if (i < ps.length - 1) h = nn.relu(h);
    });
    return nn
      .logSoftmax(h, -1)
      .mul(yy)
      .sum()
      .mul(-1 / 128);
  };
  const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 1e-3];
  const step = jit((ps: Layer[], mm: Layer[], vv: Layer[], xx: A, yy: A, bc1: A, bc2: A) => {
    const g = grad(loss)(tree.ref(ps), xx, yy) as Layer[];
    const m2 = tree.map((mi: A, gi: A) => mi.mul(b1).add(gi.mul(1 - b1)), mm, tree.ref(g)) as Layer[];
    const v2 = tree.map((vi: A, gi: A) => vi.mul(b2).add(gi.ref.mul(gi).mul(1 - b2)), vv, g) as Layer[];
    const p2 = tree.map(
      (p: A, mi: A, vi: A) =>
        p.sub(
          mi
            .div(bc1.ref)
            .div(np.sqrt(vi.div(bc2.ref)).add(eps))
            .mul(lr),
        ),
      ps,
      tree.ref(m2),
      tree.ref(v2),
    ) as Layer[];
    bc1.dispose();
    bc2.dispose();
    return [p2, m2, v2];
  });
  let t = 0;
  const ms = await time(async () => {
    for (let s = 0; s < steps; s++) {
      t++;
      [params, m, v] = step(params, m, v, x.ref, y.ref, np.array(1 - b1 ** t), np.array(1 - b2 ** t)) as [
        Layer[],
        Layer[],
        Layer[],
      ];
      await blockUntilReady(params);
    }
  }, repeats);
  r['mlp train'] = (128 * steps) / (ms / 1000);
  return r;
}
