/**
 * GloVe (Pennington, Socher & Manning 2014): word vectors from a weighted least-squares fit to the log
 * co-occurrence counts, J = sum_ij f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2 with
 * f(x) = min(1, (x / xMax)^alpha), trained with AdaGrad as in the paper.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { randperm, tensor, uniform } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { add, log, minimum, mul, pow, sub } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { indexSelect } from '../ops/composite/shape.js';
import { Adagrad } from '../optim/torch/index.js';
import { noGrad } from '../autograd/mode.js';
import { Module } from '../nn/module.js';
import { type ProgressWriter, progressBarFor } from '../train/progress.js';

/** The non-zero co-occurrence counts: X[rows[k], cols[k]] = values[k]. */
export interface Cooccurrence {
  vocabSize: number;
  rows: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/**
 * Counts co-occurrences within `window` words on each side, each pair weighted 1/d for words d apart
 * (GloVe's weighting), symmetric. Ids below `skipBelow` (e.g. 1 to leave out '<unk>') are not counted.
 * @example const X = cooccurrence(ids, { vocabSize: vocab.size, window: 10 });
 */
export function cooccurrence(
  ids: ArrayLike<number>,
  opts: { vocabSize: number; window?: number; skipBelow?: number },
): Cooccurrence {
  const V = opts.vocabSize;
  const win = opts.window ?? 10;
  const skip = opts.skipBelow ?? 0;
  if (ids.length === 0) throw new ValueError('cooccurrence', 'the corpus is empty (no tokens)');
  if (!(Number.isInteger(win) && win >= 1))
    throw new ValueError('cooccurrence', `window must be a positive integer, got ${win}`);
  const counts = new Map<number, number>();
  for (let t = 0; t < ids.length; t++) {
    const a = ids[t];
    if (a < skip) continue;
    for (let d = 1; d <= win && t + d < ids.length; d++) {
      const b = ids[t + d];
      if (b < skip) continue;
      const k1 = a * V + b;
      const k2 = b * V + a;
      counts.set(k1, (counts.get(k1) ?? 0) + 1 / d);
      counts.set(k2, (counts.get(k2) ?? 0) + 1 / d);
    }
  }
  const n = counts.size;
  const rows = new Int32Array(n);
  const cols = new Int32Array(n);
  const values = new Float64Array(n);
  let i = 0;
  for (const [k, v] of counts) {
    rows[i] = Math.floor(k / V);
    cols[i] = k % V;
    values[i++] = v;
  }
  return { vocabSize: V, rows, cols, values };
}

/** GloVe's parameters: word vectors W, context vectors Wt and their biases. */
export interface GloveParams {
  W: Tensor;
  Wt: Tensor;
  b: Tensor;
  bt: Tensor;
}

/**
 * GloVe's objective over the given entries (int32 rows/cols, float counts x), differentiable in every
 * parameter: sum_k f(x_k) (w_rk . w~_ck + b_rk + b~_ck - log x_k)^2.
 * @example
 * const [W, Wt] = [randn([3, 2], { requiresGrad: true }), randn([3, 2], { requiresGrad: true })];
 * const [b, bt] = [zeros([3], { requiresGrad: true }), zeros([3], { requiresGrad: true })];
 * const [rows, cols] = [tensor([0, 1], { dtype: 'int32' }), tensor([1, 2], { dtype: 'int32' })];
 * gloveLoss({ W, Wt, b, bt }, rows, cols, tensor([3, 1])).backward();
 */
export function gloveLoss(
  p: GloveParams,
  rows: Tensor,
  cols: Tensor,
  x: Tensor,
  opts: { xMax?: number; alpha?: number } = {},
): Tensor {
  const xMax = opts.xMax ?? 100;
  const alpha = opts.alpha ?? 0.75;
  const f = minimum(pow(mul(x, 1 / xMax), alpha), 1);
  const dot = sum(mul(indexSelect(p.W, 0, rows), indexSelect(p.Wt, 0, cols)), 1);
  const diff = sub(add(add(dot, indexSelect(p.b, 0, rows)), indexSelect(p.bt, 0, cols)), log(x));
  return sum(mul(f, mul(diff, diff)));
}

export interface GloveOptions {
  dim?: number;
  epochs?: number;
  /**
   * AdaGrad's learning rate (default 0.5). The paper's 0.05 is for one update per entry; a minibatch of
   * 8,192 entries makes one step where the paper makes thousands, so the steps are larger.
   */
  lr?: number;
  xMax?: number;
  alpha?: number;
  /** Entries per AdaGrad step (the paper updates one entry at a time; minibatches are faster). */
  batchSize?: number;
  seed?: number;
  progress?: boolean | ProgressWriter;
  /** Polled after every step; true ends the run there (onCheckpoint then gets 'interrupt'). */
  shouldStop?: () => boolean;
  /** Called after every epoch and when a stop is asked for, with all that resuming needs. */
  onCheckpoint?: (c: GloveCheckpoint, reason: 'epoch' | 'interrupt') => void;
  /**
   * Continues a run: called once the model, optimizer and generator exist, it restores them (e.g. with
   * loadCheckpoint) and returns the saved state. The run then ends bitwise as the uninterrupted one.
   */
  resumeFrom?: (c: Omit<GloveCheckpoint, 'state'>) => GloveState;
}

/** Where a GloVe run is: plain data (JSON), saved beside the model and optimizer state. */
export interface GloveState {
  /** Epochs finished. */
  epoch: number;
  /** Steps done in the epoch under way (0 at an epoch's end). */
  step: number;
  /** That epoch's running loss sum. */
  total: number;
  /** Mean loss per finished epoch. */
  losses: number[];
  /** The generator's state before the epoch under way drew its order. */
  orderState: number[];
}

/** What a checkpoint of a GloVe run holds. */
export interface GloveCheckpoint {
  state: GloveState;
  model: GloveModel;
  optimizer: Adagrad;
  generator: Generator;
}

/** GloVe's parameters as a module, so checkpoints save them as any model's. */
export class GloveModel extends Module {
  readonly W: Tensor;
  readonly Wt: Tensor;
  readonly b: Tensor;
  readonly bt: Tensor;
  constructor(p: GloveParams) {
    super();
    this.W = this.param('W', p.W);
    this.Wt = this.param('Wt', p.Wt);
    this.b = this.param('b', p.b);
    this.bt = this.param('bt', p.bt);
  }
  /** The objective over the given entries (gloveLoss). */
  forward(rows: Tensor, cols: Tensor, x: Tensor): Tensor {
    return gloveLoss(this, rows, cols, x);
  }
}

/**
 * Fits GloVe vectors to a co-occurrence matrix; returns the parameters, the loss per epoch, and the
 * word vectors W + W~ (the paper's choice).
 * @example const { vectors } = trainGlove(cooccurrence(ids, { vocabSize: vocab.size }), { dim: 8, epochs: 3 });
 */
export function trainGlove(
  X: Cooccurrence,
  o: GloveOptions = {},
): {
  params: GloveParams;
  vectors: Tensor;
  losses: number[];
  /** Set when shouldStop ended the run: the epoch under way and the steps done in it. */
  interrupted?: { epoch: number; step: number };
} {
  const d = o.dim ?? 50;
  const epochs = o.epochs ?? 15;
  const B = o.batchSize ?? 8192;
  if (X.values.length === 0) throw new ValueError('trainGlove', 'the co-occurrence matrix is empty');
  if (!(Number.isInteger(d) && d >= 1))
    throw new ValueError('trainGlove', `dim must be a positive integer, got ${d}`);
  const g = new Generator(o.seed ?? 0);
  const V = X.vocabSize;
  const init = (shape: number[]) => uniform(shape, -0.5 / d, 0.5 / d, { generator: g, requiresGrad: true });
  const params: GloveParams = { W: init([V, d]), Wt: init([V, d]), b: init([V]), bt: init([V]) };
  const model = new GloveModel(params);
  // GloVe's C code starts the squared-gradient sums at 1.
  const opt = new Adagrad([params.W, params.Wt, params.b, params.bt], {
    lr: o.lr ?? 0.5,
    initialAccumulatorValue: 1,
  });
  const rows = tensor(X.rows, { dtype: 'int32' });
  const cols = tensor(X.cols, { dtype: 'int32' });
  const vals = tensor(X.values, { dtype: 'float32' });
  const n = X.values.length;
  const steps = Math.ceil(n / B);
  const bar = progressBarFor(o.progress);
  const r = o.resumeFrom?.({ model, optimizer: opt, generator: g });
  if (r && !(Number.isInteger(r.epoch) && Number.isInteger(r.step) && r.step >= 0 && r.step < steps))
    throw new ValueError(
      'trainGlove',
      `resumeFrom returned a state this run cannot continue (${steps} steps per epoch)`,
    );
  if (r) g.setState(r.orderState);
  const losses: number[] = r ? [...r.losses] : [];
  // The word vectors W + W~ (the paper's choice), and where a stop left the run.
  const result = (interrupted?: { epoch: number; step: number }) => ({
    params,
    vectors: noGrad(() => add(params.W, params.Wt)),
    losses,
    ...(interrupted ? { interrupted } : {}),
  });
  const checkpoint = (state: GloveState, reason: 'epoch' | 'interrupt') =>
    o.onCheckpoint?.({ state, model, optimizer: opt, generator: g }, reason);
  for (let e = (r?.epoch ?? 0) + 1; e <= epochs; e++) {
    const orderState = g.getState();
    const order = randperm(n, { generator: g });
    const resumed = r && e === r.epoch + 1 ? r : null;
    let total = resumed?.total ?? 0;
    const t0 = Date.now();
    for (let s = resumed?.step ?? 0; s < steps; s++) {
      const idx = order.narrow(0, s * B, Math.min(B, n - s * B));
      // 0.5 J, so the gradient is f * diff as in GloVe's code.
      const loss = mul(
        gloveLoss(params, indexSelect(rows, 0, idx), indexSelect(cols, 0, idx), indexSelect(vals, 0, idx), o),
        0.5,
      );
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.item();
      const el = (Date.now() - t0) / 1000;
      bar?.update(
        e,
        epochs,
        s + 1,
        steps,
        { loss: total / ((s + 1) * B) },
        ((s + 1) * B) / el,
        (el / (s + 1)) * (steps - s - 1),
      );
      if (s + 1 < steps && o.shouldStop?.()) {
        checkpoint({ epoch: e - 1, step: s + 1, total, losses: [...losses], orderState }, 'interrupt');
        return result({ epoch: e, step: s + 1 });
      }
    }
    losses.push(total / n);
    if (!Number.isFinite(total))
      throw new ValueError('trainGlove', `the loss became ${total} in epoch ${e}; lower lr`);
    const stop = e < epochs && o.shouldStop?.();
    const state = { epoch: e, step: 0, total: 0, losses: [...losses], orderState: g.getState() };
    checkpoint(state, stop ? 'interrupt' : 'epoch');
    // After the checkpoint: a kill on seeing an epoch's line finds that epoch saved.
    bar?.line(
      `glove epoch ${e}/${epochs}  loss ${(total / n).toFixed(4)}  ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
    if (stop) return result({ epoch: e + 1, step: 0 });
  }
  return result();
}
