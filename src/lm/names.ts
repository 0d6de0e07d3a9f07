/**
 * A character-level model of names (makemore style): a bigram count model and Bengio's MLP over a
 * context of characters, '.' marking both ends of a name. Trains in seconds; samples new names.
 */
import { ValueError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { DataLoader, TensorDataset } from '../data/dataset.js';
import { Vocab } from '../data/text/vocab.js';
import { crossEntropy } from '../ops/composite/losses.js';
import { Adam } from '../optim/torch/index.js';
import { type Callback, fit, type History } from '../train/fit.js';
import type { ProgressWriter } from '../train/progress.js';
import { NGramModel } from './ngram.js';
import { NeuralLM } from './neural.js';
import { sampleLM } from './sample.js';

/** '.' (id 0: the boundary) and the letters that occur in `names`, sorted.
 * @example charVocab(['ab', 'c']).tokens // ['.', 'a', 'b', 'c']
 */
export function charVocab(names: readonly string[]): Vocab {
  if (names.length === 0) throw new ValueError('charVocab', 'the list of names is empty');
  const chars = new Set<string>();
  for (const n of names) for (const ch of n) if (ch !== '.') chars.add(ch);
  if (chars.size === 0) throw new ValueError('charVocab', 'the names have no characters');
  return Vocab.fromTokens(['.', ...[...chars].sort()]);
}

/** Every character of every name (and the closing '.') with the `context` characters before it.
 * @example nameWindows(['ab'], charVocab(['ab']), 3).targets // [1, 2, 0]: 'a', 'b', '.'
 */
export function nameWindows(
  names: readonly string[],
  vocab: Vocab,
  context: number,
): { contexts: Tensor; targets: Tensor } {
  const ctx: number[] = [];
  const tgt: number[] = [];
  for (const n of names) {
    const buf = new Array<number>(context).fill(0);
    for (const id of [...vocab.encode([...n]), 0]) {
      ctx.push(...buf);
      tgt.push(id);
      buf.shift();
      buf.push(id);
    }
  }
  return {
    contexts: tensor(Int32Array.from(ctx), { dtype: 'int32' }).reshape([tgt.length, context]),
    targets: tensor(Int32Array.from(tgt), { dtype: 'int32' }),
  };
}

/** The names as one stream of ids, '.' between them: what the bigram model counts.
 * @example nameStream(['ab'], charVocab(['ab'])) // [0, 1, 2, 0]
 */
export function nameStream(names: readonly string[], vocab: Vocab): Int32Array {
  const ids: number[] = [0];
  for (const n of names) ids.push(...vocab.encode([...n]), 0);
  return Int32Array.from(ids);
}

export interface NameModelOptions {
  context?: number;
  embeddingDim?: number;
  hidden?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Fraction of names held out (default 0.1). */
  validFraction?: number;
  progress?: boolean | ProgressWriter;
  /** fit's callbacks (progress in a page, early stopping). */
  callbacks?: Callback[];
}

export interface NameModel {
  vocab: Vocab;
  model: NeuralLM;
  bigram: NGramModel;
  train: string[];
  valid: string[];
  history: History;
  /** Mean negative log-likelihood per character on the held-out names (nats). */
  validLoss: { bigram: number; mlp: number };
}

/**
 * Splits the names, counts bigrams (add-1) and trains the MLP with Adam.
 * @example const { model, vocab } = trainNameModel(loadNames().slice(0, 300), { epochs: 1 });
 */
export function trainNameModel(names: readonly string[], o: NameModelOptions = {}): NameModel {
  if (names.length < 10)
    throw new ValueError('trainNameModel', `needs at least 10 names, got ${names.length}`);
  const g = new Generator(o.seed ?? 0);
  const shuffled = [...names];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const nValid = Math.max(1, Math.round(shuffled.length * (o.validFraction ?? 0.1)));
  const valid = shuffled.slice(0, nValid);
  const train = shuffled.slice(nValid);
  const vocab = charVocab(names);
  const bigram = NGramModel.fit(nameStream(train, vocab), {
    order: 2,
    vocabSize: vocab.size,
    smoothing: 'addK',
    k: 1,
  });
  const context = o.context ?? 3;
  const model = new NeuralLM(vocab.size, {
    context,
    embeddingDim: o.embeddingDim ?? 10,
    hidden: o.hidden ?? 200,
    generator: g,
  });
  const tr = nameWindows(train, vocab, context);
  const va = nameWindows(valid, vocab, context);
  const history = fit(model, {
    loss: (out, y) => crossEntropy(out, y),
    optimizer: new Adam(model.parameters(), { lr: o.lr ?? 3e-3 }) as never,
    data: new DataLoader(new TensorDataset(tr.contexts, tr.targets), {
      batchSize: o.batchSize ?? 64,
      shuffle: true,
      generator: g,
    }),
    validation: new DataLoader(new TensorDataset(va.contexts, va.targets), { batchSize: 4096 }),
    epochs: o.epochs ?? 8,
    progress: o.progress,
    callbacks: o.callbacks,
  });
  const vs = nameStream(valid, vocab);
  const bigramNll =
    -bigram.logProbs(vs.subarray(1), { history: vs.subarray(0, 1) }).reduce((a, b) => a + b, 0) /
    (vs.length - 1);
  const last = history.epochs[history.epochs.length - 1];
  return {
    vocab,
    model,
    bigram,
    train,
    valid,
    history,
    validLoss: { bigram: bigramNll, mlp: last?.valLoss ?? NaN },
  };
}

/**
 * Samples `count` names from the MLP (or from the bigram model with `from: 'bigram'`).
 * @example sampleNames(trainNameModel(loadNames().slice(0, 50), { epochs: 1 }), 10, { temperature: 0.8 })
 */
export function sampleNames(
  m: Pick<NameModel, 'model' | 'vocab' | 'bigram'>,
  count: number,
  o: { temperature?: number; generator?: Generator; from?: 'mlp' | 'bigram'; maxLength?: number } = {},
): string[] {
  const g = o.generator ?? new Generator(0);
  const max = o.maxLength ?? 20;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const ids =
      o.from === 'bigram'
        ? sampleUntilStop(m.bigram, max, o.temperature ?? 1, g)
        : sampleLM(m.model, [], max, { temperature: o.temperature, generator: g, stopAt: 0 });
    out.push(m.vocab.decode(ids.filter((id) => id !== 0)).join(''));
  }
  return out;
}

function sampleUntilStop(lm: NGramModel, max: number, temperature: number, g: Generator): number[] {
  const out: number[] = [];
  let ctx = [0];
  for (let i = 0; i < max; i++) {
    const [w] = lm.sample(1, { context: ctx, temperature, generator: g });
    if (w === 0) break;
    out.push(w);
    ctx = [w];
  }
  return out;
}
