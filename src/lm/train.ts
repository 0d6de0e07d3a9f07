/**
 * Training and evaluating neural language models: perplexity over a token stream, the paper's SGD
 * (eps_t = eps0 / (1 + r t), weight decay on the weights and C but not the biases) or Adam, early
 * stopping on validation perplexity, and mixtures with an n-gram model.
 */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Generator } from '../tensor/random.js';
import { crossEntropy } from '../ops/composite/losses.js';
import { logSoftmax } from '../ops/composite/softmax.js';
import { gather } from '../ops/primitives/indexing.js';
import { reshape } from '../ops/primitives/shape.js';
import type { Module } from '../nn/module.js';
import { Adam, AdamW, SGD } from '../optim/torch/index.js';
import type { Optimizer } from '../optim/optimizer.js';
import { LambdaLR } from '../schedules/schedulers.js';
import { inverseTimeSchedule } from '../schedules/functions.js';
import { DataLoader, TensorDataset } from '../data/dataset.js';
import { ngramWindows } from '../data/text/windows.js';
import { type Callback, EarlyStopping, type FitOptions, type History, fit } from '../train/index.js';
import type { ProgressWriter } from '../train/progress.js';

/** A model that maps int32 contexts [B, n-1] to logits [B, |V|]. */
export interface ContextModel extends Module {
  forward(contexts: Tensor): Tensor;
}

function contextSize(model: ContextModel): number {
  const c = (model as unknown as { opts?: { context?: number } }).opts?.context;
  if (!c) throw new ValueError('lm', 'the model does not say its context size (opts.context)');
  return c;
}

/**
 * Natural-log probability the model gives each token of `ids` (every token counts; `history` is the
 * text before `ids`, so the first tokens see real contexts).
 * @example const lp = lmLogProbs(lmModel, testIds, { history: validIds }); perplexityOf(lp);
 */
export function lmLogProbs(
  model: ContextModel,
  ids: ArrayLike<number>,
  opts: { history?: ArrayLike<number>; batchSize?: number } = {},
): Float64Array {
  const c = contextSize(model);
  const { contexts, targets } = ngramWindows(ids, c + 1, { history: opts.history });
  // 256 rows of logits over 16k words is 17 MB: larger batches cross glibc's mmap threshold and fault in
  // fresh pages on every batch (1,024 rows made evaluation 3x slower).
  const B = opts.batchSize ?? 256;
  const out = new Float64Array(ids.length);
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let s = 0; s < ids.length; s += B) {
      const n = Math.min(B, ids.length - s);
      const lp = logSoftmax(model.call(contexts.narrow(0, s, n)), 1);
      const picked = gather(lp, 1, reshape(targets.narrow(0, s, n), [n, 1])).dataSync();
      for (let i = 0; i < n; i++) out[s + i] = picked[i];
    }
  });
  model.train(wasTraining);
  return out;
}

/** exp(-mean log p) of per-token log probabilities.
 * @example perplexityOf([Math.log(0.5), Math.log(0.5)]) // 2
 */
export function perplexityOf(logProbs: ArrayLike<number>): number {
  if (logProbs.length === 0) throw new ValueError('perplexityOf', 'no tokens');
  let s = 0;
  for (let i = 0; i < logProbs.length; i++) s += logProbs[i];
  return Math.exp(-s / logProbs.length);
}

/**
 * Perplexity of the mixture w p_a + (1 - w) p_b of two models' per-token log probabilities (the paper's
 * MLP10 averages the MLP with the interpolated trigram, w = 0.5).
 * @example mixturePerplexity([Math.log(0.5)], [Math.log(0.25)], 0.5) // 2.667
 */
export function mixturePerplexity(a: ArrayLike<number>, b: ArrayLike<number>, w = 0.5): number {
  if (a.length !== b.length)
    throw new ValueError('mixturePerplexity', `a has ${a.length} tokens but b has ${b.length}`);
  if (!(w >= 0 && w <= 1)) throw new ValueError('mixturePerplexity', `w must be in [0, 1], got ${w}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.log(w * Math.exp(a[i]) + (1 - w) * Math.exp(b[i]));
  return Math.exp(-s / a.length);
}

/** The mixture weight in [0, 1] (a grid of 0.05) with the lowest perplexity on held-out tokens.
 * @example bestMixtureWeight([Math.log(0.5), Math.log(0.1)], [Math.log(0.1), Math.log(0.5)]) // 0.5
 */
export function bestMixtureWeight(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let best = 0.5;
  let bestP = Infinity;
  for (let k = 0; k <= 20; k++) {
    const p = mixturePerplexity(a, b, k / 20);
    if (p < bestP) [best, bestP] = [k / 20, p];
  }
  return best;
}

export interface TrainLMOptions {
  /** 'sgd' is the paper's (eps0 / (1 + r t) per step), 'adam' the modern default. */
  optimizer?: 'sgd' | 'adam' | 'adamw';
  /** eps0 for SGD (the paper: 1e-3 per example), Adam's lr (default 1e-3). */
  lr?: number;
  /** r in eps0 / (1 + r t) (the paper: 1e-8 per example update; here per step). Default 0. */
  lrDecay?: number;
  /** L2 weight decay on the weights and the embeddings C, not the biases (the paper: 1e-4). */
  weightDecay?: number;
  batchSize?: number;
  epochs?: number;
  /** Early stopping: epochs without a better validation perplexity (default 2); the best weights are kept. */
  patience?: number;
  seed?: number;
  progress?: boolean | ProgressWriter;
  callbacks?: Callback[];
  /** An optimizer to use instead (e.g. one restored from a checkpoint). */
  optimizerInstance?: Optimizer<object>;
  /** fit's resume and interruption hooks (the run's epochs then count from the start). */
  resumeFrom?: FitOptions['resumeFrom'];
  shouldStop?: FitOptions['shouldStop'];
  onCheckpoint?: FitOptions['onCheckpoint'];
  checkpointEveryMs?: number;
}

/** Parameter groups: decay on weights and embedding tables (dim >= 2), none on biases.
 * @example new SGD(decayGroups(model, 1e-4), { lr: 0.1 })
 */
export function decayGroups(model: Module, weightDecay: number) {
  const named = model.namedParameters();
  return [
    { params: named.filter(([, p]) => p.shape.length >= 2).map(([, p]) => p), weightDecay },
    { params: named.filter(([, p]) => p.shape.length < 2).map(([, p]) => p), weightDecay: 0 },
  ];
}

/** Builds the optimizer TrainLMOptions describe.
 * @example makeLMOptimizer(model, { optimizer: 'adam', lr: 1e-3 })
 */
export function makeLMOptimizer(model: Module, o: TrainLMOptions): Optimizer<object> {
  const wd = o.weightDecay ?? 0;
  const kind = o.optimizer ?? 'adam';
  const groups = decayGroups(model, wd);
  if (kind === 'sgd') return new SGD(groups, { lr: o.lr ?? 0.1 }) as unknown as Optimizer<object>;
  if (kind === 'adamw') return new AdamW(groups, { lr: o.lr ?? 1e-3 }) as unknown as Optimizer<object>;
  if (kind === 'adam') return new Adam(groups, { lr: o.lr ?? 1e-3 }) as unknown as Optimizer<object>;
  throw new ValueError('trainLM', `optimizer must be 'sgd', 'adam' or 'adamw', got '${String(kind)}'`);
}

/**
 * Trains a context model on token streams with `fit`: minibatches of (context, next word), validation
 * perplexity each epoch (its log is fit's valLoss), early stopping that keeps the best weights.
 * @example const { history } = trainLM(lmModel, { train: trainIds, valid: validIds }, { epochs: 1 });
 */
export function trainLM(
  model: ContextModel,
  data: { train: ArrayLike<number>; valid: ArrayLike<number> },
  o: TrainLMOptions = {},
): { history: History; optimizer: Optimizer<object> } {
  const c = contextSize(model);
  const g = new Generator(o.seed ?? 0);
  const tr = ngramWindows(data.train, c + 1);
  const va = ngramWindows(data.valid, c + 1, { history: data.train });
  const loader = new DataLoader(new TensorDataset(tr.contexts, tr.targets), {
    batchSize: o.batchSize ?? 128,
    shuffle: true,
    generator: g,
  });
  const valid = new DataLoader(new TensorDataset(va.contexts, va.targets), { batchSize: 256 });
  const optimizer = o.optimizerInstance ?? makeLMOptimizer(model, o);
  const r = o.lrDecay ?? 0;
  const scheduler = r > 0 ? new LambdaLR(optimizer, inverseTimeSchedule(1, 1, r)) : undefined;
  const history = fit(model, {
    loss: (out, y) => crossEntropy(out, y),
    optimizer,
    data: loader,
    validation: valid,
    epochs: o.epochs ?? 5,
    scheduler,
    schedulerInterval: 'step',
    progress: o.progress,
    callbacks: [new EarlyStopping({ patience: o.patience ?? 2, restoreBest: true }), ...(o.callbacks ?? [])],
    resumeFrom: o.resumeFrom,
    shouldStop: o.shouldStop,
    onCheckpoint: o.onCheckpoint,
    checkpointEveryMs: o.checkpointEveryMs,
  });
  return { history, optimizer };
}
