/** Datasets and minibatch loading (torch.utils.data's design): sampling without replacement each epoch. */
import { ShapeError, ValueError } from '../errors.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { randperm, tensor } from '../tensor/creation.js';
import { jsBackend } from '../backends/js/index.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { indexSelect, stack } from '../ops/composite/shape.js';

/** Anything indexable with a length. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/** Samples are the i-th rows of each tensor, e.g. [x_i, y_i]. @example new TensorDataset(randn([6, 2]), tensor([0, 1, 0, 1, 0, 1])).length // 6 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError('TensorDataset', 'needs at least one tensor');
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ValueError('TensorDataset', `argument ${i} is not a Tensor`);
      if (t.shape.length === 0 || t.shape[0] !== n) {
        throw new ShapeError(
          'TensorDataset',
          `tensor ${i} has shape ${fmtShape(t.shape)}; every tensor needs ${n} rows (the size of dim 0 of tensor 0)`,
        );
      }
    });
    this.tensors = tensors;
  }
  get length(): number {
    return this.tensors[0].shape[0];
  }
  get(i: number): Tensor[] {
    if (!Number.isInteger(i) || i < 0 || i >= this.length)
      throw new ValueError('TensorDataset', `index ${i} is out of range for ${this.length} samples`);
    return this.tensors.map((t) => t.index(i));
  }
  /** A batch of rows at once (faster than get + collate). */
  getBatch(indices: Tensor): Tensor[] {
    return this.tensors.map((t) => indexSelect(t, 0, indices));
  }
}

/** A view of some of a dataset's samples. */
export class Subset<T> implements Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: readonly number[],
  ) {}
  get length(): number {
    return this.indices.length;
  }
  get(i: number): T {
    return this.dataset.get(this.indices[i]);
  }
}

/**
 * Splits a dataset at random into parts of the given sizes (or fractions summing to 1).
 * @example
 * const ds = new TensorDataset(randn([10, 2]));
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { generator: new Generator(0) });
 * val.length // 2
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  opts: { generator?: Generator } = {},
): Subset<T>[] {
  const n = dataset.length;
  let sizes = [...lengths];
  if (
    sizes.every((f) => f >= 0 && f <= 1) &&
    Math.abs(sizes.reduce((a, b) => a + b, 0) - 1) < 1e-9 &&
    sizes.some((f) => !Number.isInteger(f))
  ) {
    sizes = sizes.map((f) => Math.floor(f * n));
    for (let i = 0; sizes.reduce((a, b) => a + b, 0) < n; i++) sizes[i % sizes.length]++;
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new ValueError(
      'randomSplit',
      `lengths ${JSON.stringify(lengths)} do not add up to the dataset's ${n} samples`,
    );
  }
  const perm = Array.from(randperm(n, { generator: opts.generator }).dataSync());
  let off = 0;
  return sizes.map((s) => {
    const part = new Subset(dataset, perm.slice(off, off + s));
    off += s;
    return part;
  });
}

/** A batch: the collated samples. */
export type Batch = Tensor[];

export interface DataLoaderOptions<T> {
  batchSize?: number;
  /** Reshuffle (a fresh permutation, so sampling without replacement) every epoch. */
  shuffle?: boolean;
  generator?: Generator;
  /** Drop the last incomplete batch. */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: stack each field). */
  collate?: (samples: T[]) => Batch;
  /** Applied to each batch (data augmentation hooks), with the generator for reproducibility. */
  transform?: (batch: Batch, generator: Generator) => Batch;
}

function defaultCollate(samples: unknown[]): Batch {
  const first = samples[0];
  if (first instanceof Tensor) return [stack(samples as Tensor[])];
  if (Array.isArray(first)) return first.map((_, k) => stack(samples.map((s) => (s as Tensor[])[k])));
  if (typeof first === 'number') return [tensor(samples as number[])];
  throw new ValueError(
    'DataLoader',
    'default collate needs samples that are tensors or arrays of tensors; pass a collate function',
  );
}

/**
 * Where a DataLoader is in its pass over the data, for resuming mid-epoch exactly: the generator's state
 * before the pass drew its permutation, the batches already yielded, and the generator's state now (after
 * the yielded batches' transforms). `epochStart: null` means at an epoch boundary.
 */
export interface DataLoaderState {
  epochStart: number[] | null;
  position: number;
  generator: number[];
}

/**
 * Iterates minibatches. Each epoch (each `for...of`) draws a new permutation when shuffling.
 * @example
 * const loader = new DataLoader(new TensorDataset(xs, ys), { batchSize: 4, shuffle: true, generator: new Generator(0) });
 * for (const [xb, yb] of loader) console.log(xb.shape, yb.shape);
 */
export class DataLoader<T = Tensor[]> implements Iterable<Batch> {
  readonly batchSize: number;
  /** The pass under way (or to resume), see DataLoaderState. */
  private pass: { epochStart: number[]; position: number } | null = null;
  private resumeGenerator: number[] | null = null;
  constructor(
    readonly dataset: Dataset<T>,
    readonly opts: DataLoaderOptions<T> = {},
  ) {
    this.batchSize = opts.batchSize ?? 1;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0))
      throw new ValueError('DataLoader', `batchSize must be a positive integer, got ${opts.batchSize}`);
  }
  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.opts.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  /** The position in the pass under way (like torchdata's StatefulDataLoader). */
  stateDict(): DataLoaderState {
    const gen = this.opts.generator ?? defaultGenerator;
    const p = this.pass && this.pass.position < this.length ? this.pass : null;
    return {
      epochStart: p ? [...p.epochStart] : null,
      position: p ? p.position : 0,
      generator: gen.getState(),
    };
  }
  /** The next `for...of` continues the saved pass: the same permutation, from the saved batch on. */
  loadStateDict(s: DataLoaderState): void {
    const ok =
      s !== null &&
      typeof s === 'object' &&
      Array.isArray(s.generator) &&
      Number.isInteger(s.position) &&
      s.position >= 0 &&
      s.position <= this.length &&
      (s.epochStart === null || Array.isArray(s.epochStart));
    if (!ok)
      throw new ValueError(
        'DataLoader.loadStateDict',
        `expected { epochStart, position (0..${this.length}), generator }, got ${JSON.stringify(s)?.slice(0, 80)}`,
      );
    this.pass = s.epochStart ? { epochStart: [...s.epochStart], position: s.position } : null;
    if (s.epochStart) this.resumeGenerator = [...s.generator];
    else {
      this.resumeGenerator = null;
      (this.opts.generator ?? defaultGenerator).setState(s.generator);
    }
  }
  *[Symbol.iterator](): Iterator<Batch> {
    const n = this.dataset.length;
    const gen = this.opts.generator ?? defaultGenerator;
    let first = 0;
    if (this.pass && this.resumeGenerator) {
      gen.setState(this.pass.epochStart);
      first = this.pass.position;
    }
    const pass = { epochStart: gen.getState(), position: first };
    // The permutation is drawn on the host, whatever the backend: a device would have to read it back.
    const orderArr = this.opts.shuffle
      ? randperm(n, { generator: gen, backend: jsBackend }).dataSync()
      : null;
    if (this.resumeGenerator) {
      gen.setState(this.resumeGenerator);
      this.resumeGenerator = null;
    }
    this.pass = pass;
    for (let b = first; b < this.length; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, n);
      let batch: Batch;
      if (this.dataset instanceof TensorDataset && !this.opts.collate) {
        const idx = tensor(orderArr ? Array.from(orderArr.subarray(start, end)) : range(start, end), {
          dtype: 'int32',
        });
        batch = this.dataset.getBatch(idx);
      } else {
        const samples = range(start, end).map((i) => this.dataset.get(orderArr ? orderArr[i] : i));
        batch = (this.opts.collate ?? (defaultCollate as (s: T[]) => Batch))(samples);
      }
      const out = this.opts.transform ? this.opts.transform(batch, gen) : batch;
      pass.position = b + 1;
      yield out;
    }
  }
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
