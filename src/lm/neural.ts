/**
 * Bengio et al. (2003)'s neural probabilistic language model: a shared embedding table C, a tanh hidden
 * layer, optional direct connections from the embeddings to the output, a softmax over the vocabulary.
 *   y = b + W x + U tanh(d + H x),  x = [C(w_{t-n+1}), ..., C(w_{t-1})]
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from '../ops/primitives/shape.js';
import { add, tanh } from '../ops/primitives/elementwise.js';
import { dropout } from '../ops/composite/nn.js';
import { Module } from '../nn/module.js';
import { Embedding, Linear, type LayerOptions } from '../nn/layers.js';
import { uniform_ } from '../nn/init.js';

export interface NeuralLMOptions extends LayerOptions {
  /** n - 1: how many previous words the model sees (the paper's n = 5: context 4). */
  context: number;
  /** m: the embedding size (30 or 60 in the paper). */
  embeddingDim: number;
  /** h: hidden units (0: no hidden layer, as the paper's MLP with h = 0). */
  hidden: number;
  /** Direct connections W from the embeddings to the output (the paper's "direct"). */
  direct?: boolean;
  /** Dropout on the concatenated embeddings and the hidden layer, in training (default 0, the paper's). */
  dropout?: number;
}

/**
 * The model: `forward(contexts)` maps int32 contexts [B, n-1] to logits [B, |V|].
 * @example new NeuralLM(vocab.size, { context: 4, embeddingDim: 30, hidden: 100 }).call(tensor([[1, 2, 3, 4]], { dtype: 'int32' })).shape // [1, 48]
 */
export class NeuralLM extends Module {
  readonly C: Embedding;
  readonly H: Linear | null;
  readonly U: Linear | null;
  readonly W: Linear | null;
  readonly opts: Required<Omit<NeuralLMOptions, keyof LayerOptions>>;

  constructor(
    readonly vocabSize: number,
    opts: NeuralLMOptions,
  ) {
    super();
    const op = 'NeuralLM';
    const { context, embeddingDim, hidden } = opts;
    const direct = opts.direct ?? false;
    const p = opts.dropout ?? 0;
    if (!(Number.isInteger(vocabSize) && vocabSize >= 2))
      throw new ValueError(op, `vocabSize must be an integer >= 2, got ${vocabSize}`);
    if (!(Number.isInteger(context) && context >= 1))
      throw new ValueError(op, `context must be an integer >= 1, got ${context}`);
    if (!(Number.isInteger(embeddingDim) && embeddingDim >= 1))
      throw new ValueError(op, `embeddingDim must be an integer >= 1, got ${embeddingDim}`);
    if (!(Number.isInteger(hidden) && hidden >= 0))
      throw new ValueError(op, `hidden must be an integer >= 0, got ${hidden}`);
    if (hidden === 0 && !direct)
      throw new ValueError(op, 'with hidden = 0 the model needs direct connections (direct: true)');
    if (!(p >= 0 && p < 1)) throw new ValueError(op, `dropout must be in [0, 1), got ${p}`);
    this.opts = { context, embeddingDim, hidden, direct, dropout: p };
    const lo = { dtype: opts.dtype, generator: opts.generator };
    this.C = new Embedding(vocabSize, embeddingDim, lo);
    // Small embeddings: N(0, 1) rows (torch's Embedding default) saturate the tanh units at the start.
    uniform_(this.C.weight, -0.05, 0.05, lo);
    const x = context * embeddingDim;
    this.H = hidden > 0 ? new Linear(x, hidden, lo) : null;
    this.U = hidden > 0 ? new Linear(hidden, vocabSize, lo) : null;
    this.W = direct ? new Linear(x, vocabSize, { ...lo, bias: hidden === 0 }) : null;
  }

  /** The concatenated context embeddings x [B, (n-1) m]. */
  embed(contexts: Tensor): Tensor {
    const { context, embeddingDim } = this.opts;
    if (contexts.shape.length !== 2 || contexts.shape[1] !== context)
      throw new ValueError(
        'NeuralLM',
        `contexts must have shape [batch, ${context}], got [${contexts.shape.join(', ')}]`,
      );
    return reshape(this.C.call(contexts), [contexts.shape[0], context * embeddingDim]);
  }

  forward(contexts: Tensor): Tensor {
    const p = this.opts.dropout;
    let x = this.embed(contexts);
    if (p > 0) x = dropout(x, p, this.training);
    let y: Tensor | null = null;
    if (this.H && this.U) {
      let a = tanh(this.H.call(x));
      if (p > 0) a = dropout(a, p, this.training);
      y = this.U.call(a);
    }
    if (this.W) y = y ? add(y, this.W.call(x)) : this.W.call(x);
    return y!;
  }

  protected override extraRepr(): string {
    const o = this.opts;
    return `|V|=${this.vocabSize}, n=${o.context + 1}, m=${o.embeddingDim}, h=${o.hidden}, direct=${o.direct}`;
  }
}
