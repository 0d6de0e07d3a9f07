/** TensorFlow.js (--backend=cpu|wasm; its CommonJS builds, since its ES builds use directory imports). */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs-core';
import { medianAsync } from '../util.js';
import {
  ELEMENTWISE_N,
  matmulCalls,
  emit,
  flag,
  mlpSteps,
  REPEATS,
  type Results,
  sizes,
  tinySteps,
  cnnSteps,
  want,
} from '../workloads.js';

const backend = flag('backend') ?? 'wasm';
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core') as typeof TF;
require('@tensorflow/tfjs-core/dist/register_all_gradients');
require('@tensorflow/tfjs-backend-cpu');
if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
if (!(await tf.setBackend(backend))) throw new Error(`tfjs-${backend} did not initialize`);
await tf.ready();

const r: Results = {};
type T = TF.Tensor;
const dense = (i: number, o: number) =>
  [tf.variable(tf.randomNormal([i, o], 0, Math.sqrt(2 / i))), tf.variable(tf.zeros([o]))] as const;

async function train(opt: TF.Optimizer, vars: TF.Variable[], loss: () => TF.Scalar, steps: number) {
  return medianAsync(async () => {
    for (let s = 0; s < steps; s++) {
      const cost = opt.minimize(loss, true, vars)!;
      await cost.data();
      cost.dispose();
    }
  });
}

function mlp(layers: (readonly [TF.Variable, TF.Variable])[], x: T, act: (h: T) => T): T {
  let h = x;
  layers.forEach(([w, b], i) => {
    h = tf.add(tf.matMul(h, w), b);
    if (i < layers.length - 1) h = act(h);
  });
  return h;
}

if (want('a'))
  for (const n of sizes) {
    const a = tf.randomNormal([n, n]);
    const b = tf.randomNormal([n, n]);
    const calls = matmulCalls(n);
    const ms = await medianAsync(async () => {
      for (let i = 0; i < calls; i++) {
        const c = tf.matMul(a, b);
        await c.data();
        c.dispose();
      }
    }, REPEATS);
    r[`matmul ${n}`] = (2 * n ** 3 * calls) / (ms * 1e6);
  }
if (want('b')) {
  const layers = [dense(784, 256), dense(256, 128), dense(128, 10)];
  const x = tf.randomUniform([128, 784]);
  const y = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32'), 10);
  const loss = () => tf.losses.softmaxCrossEntropy(y, mlp(layers, x, tf.relu)) as TF.Scalar;
  const ms = await train(tf.train.adam(1e-3), layers.flat(), loss, mlpSteps);
  r['mlp train'] = (128 * mlpSteps) / (ms / 1000);
}
if (want('c')) {
  const layers = [dense(2, 16), dense(16, 16), dense(16, 3)];
  const x = tf.randomNormal([60, 2]);
  const y = tf.oneHot(tf.randomUniform([60], 0, 3, 'int32'), 3);
  const loss = () => tf.losses.softmaxCrossEntropy(y, mlp(layers, x, tf.tanh)) as TF.Scalar;
  const ms = await train(tf.train.momentum(0.1, 0.9), layers.flat(), loss, tinySteps);
  r['tiny mlp'] = tinySteps / (ms / 1000);
}
if (want('d')) {
  const x = tf.randomNormal([ELEMENTWISE_N]);
  const g = tf.grad((v: T) => tf.sum(tf.add(tf.mul(tf.tanh(v), v), 1)));
  r['tanh(x)x+1 fwd+bwd'] = await medianAsync(async () => {
    const gx = g(x);
    await gx.data();
    gx.dispose();
  });
}
if (want('e')) {
  // LeNet: conv 5x5 (6, pad 2), ReLU, maxpool 2, conv 5x5 (16), ReLU, maxpool 2, 400-120-84-10; NHWC.
  const k1 = tf.variable(tf.randomNormal([5, 5, 1, 6], 0, 0.2));
  const c1 = tf.variable(tf.zeros([6]));
  const k2 = tf.variable(tf.randomNormal([5, 5, 6, 16], 0, 0.08));
  const c2 = tf.variable(tf.zeros([16]));
  const fc = [dense(400, 120), dense(120, 84), dense(84, 10)];
  const x = tf.randomUniform([64, 28, 28, 1]) as TF.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10);
  const loss = () => {
    let h = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(x, k1 as TF.Tensor4D, 1, 'same'), c1)) as TF.Tensor4D,
      2,
      2,
      'valid',
    );
    h = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(h, k2 as TF.Tensor4D, 1, 'valid'), c2)) as TF.Tensor4D,
      2,
      2,
      'valid',
    );
    return tf.losses.softmaxCrossEntropy(y, mlp(fc, tf.reshape(h, [64, 400]), tf.relu)) as TF.Scalar;
  };
  try {
    const ms = await train(tf.train.adam(1e-3), [k1, c1, k2, c2, ...fc.flat()], loss, cnnSteps);
    r['cnn step'] = (64 * cnnSteps) / (ms / 1000);
  } catch (e) {
    // tfjs-wasm has no Conv2DBackpropFilter kernel: it cannot train a CNN.
    r['cnn step'] = `cannot run: ${(e as Error).message.split('\n')[0].slice(0, 80)}`;
  }
}
emit(r);
