/** The lectures' toy problems as tensors: spiral, moons, blobs, XOR, circles, the linear-classifier set. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import type { DType } from '../tensor/dtype.js';

export interface ToyOptions {
  /** Samples per class. */
  nPerClass?: number;
  noise?: number;
  generator?: Generator;
  dtype?: DType;
}

/** A toy dataset: points x [N, 2] and int32 labels y [N]. */
export interface ToyData {
  x: Tensor;
  y: Tensor;
  classes: number;
}

function pack(points: number[][], labels: number[], classes: number, dtype: DType | undefined): ToyData {
  return { x: tensor(points, { dtype }), y: tensor(labels, { dtype: 'int32' }), classes };
}

/**
 * K interleaved spiral arms (the CS231n spiral): radius t in [0, 1], angle 4t + 2 pi k / K + noise.
 * @example const { x, y } = spiral({ nPerClass: 100, classes: 3 });
 */
export function spiral(o: ToyOptions & { classes?: number } = {}): ToyData {
  const n = o.nPerClass ?? 100;
  const K = o.classes ?? 3;
  const noise = o.noise ?? 0.2;
  const g = o.generator ?? defaultGenerator;
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) {
      const r = n === 1 ? 0 : i / (n - 1);
      const t = k * 4 + (4 * i) / Math.max(1, n - 1) + g.normal() * noise;
      pts.push([r * Math.sin(t), r * Math.cos(t)]);
      ys.push(k);
    }
  }
  return pack(pts, ys, K, o.dtype);
}

/** Two interleaving half circles. @example moons({ nPerClass: 100, noise: 0.1 }) */
export function moons(o: ToyOptions = {}): ToyData {
  const n = o.nPerClass ?? 100;
  const noise = o.noise ?? 0.1;
  const g = o.generator ?? defaultGenerator;
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (Math.PI * i) / Math.max(1, n - 1);
    pts.push([Math.cos(a) + g.normal() * noise, Math.sin(a) + g.normal() * noise]);
    ys.push(0);
    pts.push([1 - Math.cos(a) + g.normal() * noise, 0.5 - Math.sin(a) + g.normal() * noise]);
    ys.push(1);
  }
  return pack(pts, ys, 2, o.dtype);
}

/** Gaussian blobs around the given centers (default 3 centers on a circle). @example blobs({ centers: [[0, 0], [3, 3]] }) */
export function blobs(o: ToyOptions & { centers?: number[][]; std?: number } = {}): ToyData {
  const n = o.nPerClass ?? 100;
  const centers =
    o.centers ??
    [0, 1, 2].map((k) => [2 * Math.cos((2 * Math.PI * k) / 3), 2 * Math.sin((2 * Math.PI * k) / 3)]);
  const sd = o.std ?? 0.5;
  const g = o.generator ?? defaultGenerator;
  const pts: number[][] = [];
  const ys: number[] = [];
  centers.forEach((c, k) => {
    if (c.length !== 2) throw new ValueError('blobs', `centers must be 2-D points, got ${JSON.stringify(c)}`);
    for (let i = 0; i < n; i++) {
      pts.push([c[0] + g.normal() * sd, c[1] + g.normal() * sd]);
      ys.push(k);
    }
  });
  return pack(pts, ys, centers.length, o.dtype);
}

/** XOR: label 1 where the coordinates' signs differ; points uniform in [-1, 1]^2. @example xor({ nPerClass: 100 }) */
export function xor(o: ToyOptions = {}): ToyData {
  const n = (o.nPerClass ?? 100) * 2;
  const noise = o.noise ?? 0;
  const g = o.generator ?? defaultGenerator;
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 2 * g.random() - 1;
    const b = 2 * g.random() - 1;
    pts.push([a + g.normal() * noise, b + g.normal() * noise]);
    ys.push(a * b < 0 ? 1 : 0);
  }
  return pack(pts, ys, 2, o.dtype);
}

/** Two concentric circles (inner label 1). @example circles({ nPerClass: 100 }) */
export function circles(o: ToyOptions & { factor?: number } = {}): ToyData {
  const n = o.nPerClass ?? 100;
  const noise = o.noise ?? 0.05;
  const factor = o.factor ?? 0.5;
  const g = o.generator ?? defaultGenerator;
  const pts: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    pts.push([Math.cos(a) + g.normal() * noise, Math.sin(a) + g.normal() * noise]);
    ys.push(0);
    pts.push([factor * Math.cos(a) + g.normal() * noise, factor * Math.sin(a) + g.normal() * noise]);
    ys.push(1);
  }
  return pack(pts, ys, 2, o.dtype);
}

/**
 * The lectures' linear-classifier toy set: 3 classes of 3 points in 2-D (as in the interactive linear
 * classification demo), fixed and noise-free.
 * @example const { x, y } = linearToy();
 */
export function linearToy(o: { dtype?: DType } = {}): ToyData {
  const pts = [
    [0.5, 0.4],
    [0.8, 0.3],
    [0.3, 0.8],
    [-0.4, 0.3],
    [-0.3, 0.7],
    [-0.7, 0.2],
    [0.7, -0.4],
    [0.5, -0.6],
    [-0.4, -0.5],
  ];
  return pack(pts, [0, 0, 0, 1, 1, 1, 2, 2, 2], 3, o.dtype);
}
