/** The layers of torch.nn, as thin modules over the functional ops. */
import { ValueError } from '../errors.js';
import { type DType, getDefaultDtype } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { bernoulli, fullLike, ones, zeros } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import { div, mul } from '../ops/primitives/elementwise.js';
import { linear } from '../ops/composite/linalg.js';
import { flatten } from '../ops/composite/shape.js';
import {
  type IntPair,
  avgPool2d,
  batchNorm,
  conv2d,
  dropout,
  embedding,
  layerNorm,
  maxPool2d,
} from '../ops/composite/nn.js';
import { stack } from '../ops/composite/shape.js';
import { mean } from '../ops/composite/reduce.js';
import { Module } from './module.js';
import { defaultInit_, normal_ } from './init.js';

export interface LayerOptions {
  dtype?: DType;
  generator?: Generator;
}

/** y = x W^T + b, with PyTorch's default init. @example new Linear(784, 128) */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LayerOptions & { bias?: boolean } = {},
  ) {
    super();
    if (!(
      Number.isInteger(inFeatures) &&
      inFeatures > 0 &&
      Number.isInteger(outFeatures) &&
      outFeatures > 0
    )) {
      throw new ValueError(
        'Linear',
        `inFeatures and outFeatures must be positive integers, got ${inFeatures} and ${outFeatures}`,
      );
    }
    const dtype = opts.dtype ?? getDefaultDtype();
    this.weight = this.param('weight', zeros([outFeatures, inFeatures], { dtype }));
    this.bias = opts.bias === false ? null : this.param('bias', zeros([outFeatures], { dtype }));
    defaultInit_(this.weight, this.bias, opts);
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Linear with DropConnect: in training each weight is dropped with probability p (and the rest scaled
 * by 1/(1-p)); in eval the full weights are used.
 * @example new DropConnectLinear(128, 10, { p: 0.5 })
 */
export class DropConnectLinear extends Linear {
  readonly p: number;
  private readonly gen?: Generator;
  constructor(
    inFeatures: number,
    outFeatures: number,
    opts: LayerOptions & { bias?: boolean; p?: number } = {},
  ) {
    const { p = 0.5, ...rest } = opts;
    super(inFeatures, outFeatures, rest);
    if (!(p >= 0 && p < 1)) throw new ValueError('DropConnectLinear', `p must be in [0, 1), got ${p}`);
    this.p = p;
    this.gen = opts.generator;
  }
  override forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return linear(x, this.weight, this.bias);
    const keep = bernoulli(fullLike(this.weight.detach(), 1 - this.p), { generator: this.gen });
    return linear(x, mul(this.weight, div(keep, 1 - this.p)), this.bias);
  }
}

/** 2-D convolution with PyTorch's default init. @example new Conv2d(1, 6, 5, { padding: 2 }) */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: [number, number];
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: IntPair,
    readonly opts: LayerOptions & {
      stride?: IntPair;
      padding?: IntPair;
      dilation?: IntPair;
      bias?: boolean;
    } = {},
  ) {
    super();
    this.kernelSize =
      typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    const dtype = opts.dtype ?? getDefaultDtype();
    this.weight = this.param('weight', zeros([outChannels, inChannels, ...this.kernelSize], { dtype }));
    this.bias = opts.bias === false ? null : this.param('bias', zeros([outChannels], { dtype }));
    defaultInit_(this.weight, this.bias, opts);
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.opts);
  }
  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize.join(', ')}], stride=${JSON.stringify(this.opts.stride ?? 1)}, padding=${JSON.stringify(this.opts.padding ?? 0)}`;
  }
}

/** Max pooling. @example new MaxPool2d(2) */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: IntPair,
    readonly opts: { stride?: IntPair; padding?: IntPair; dilation?: IntPair } = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }
  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}`;
  }
}

/** Average pooling. @example new AvgPool2d(2) */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: IntPair,
    readonly opts: { stride?: IntPair; padding?: IntPair; countIncludePad?: boolean } = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}`;
  }
}

/** Flattens dims startDim..endDim (default 1..-1, keeping the batch dim). @example new Flatten() */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}

export interface BatchNormOptions extends LayerOptions {
  eps?: number;
  /** Weight of the new batch statistic in the running averages (PyTorch's default 0.1). */
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions,
    private readonly ranks: readonly number[],
  ) {
    super();
    const dtype = opts.dtype ?? getDefaultDtype();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    const affine = opts.affine ?? true;
    this.weight = affine ? this.param('weight', ones([numFeatures], { dtype })) : null;
    this.bias = affine ? this.param('bias', zeros([numFeatures], { dtype })) : null;
    const track = opts.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('runningMean', zeros([numFeatures], { dtype })) : null;
    this.runningVar = track ? this.registerBuffer('runningVar', ones([numFeatures], { dtype })) : null;
  }
  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.shape.length) || x.shape[1] !== this.numFeatures) {
      throw new ValueError(
        this.constructor.name,
        `expected input of rank ${this.ranks.join(' or ')} with ${this.numFeatures} channels in dim 1, got shape [${x.shape.join(', ')}]`,
      );
    }
    // Batch statistics in training (updating the running ones), running statistics in eval.
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || !this.runningMean,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

/** Batch normalization over [N, C] or [N, C, L]: batch statistics in training, running ones in eval. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, [2, 3]);
  }
}
/** Batch normalization over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super(numFeatures, opts, [4]);
  }
}

/** Layer normalization over the trailing normalizedShape dims. @example new LayerNorm([64]) */
export class LayerNorm extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | readonly number[],
    readonly opts: LayerOptions & { eps?: number; elementwiseAffine?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    const dtype = opts.dtype ?? getDefaultDtype();
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.param('weight', ones(this.normalizedShape, { dtype })) : null;
    this.bias = affine ? this.param('bias', zeros(this.normalizedShape, { dtype })) : null;
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.opts.eps ?? 1e-5);
  }
}

/** Inverted dropout (active only in training mode). @example new Dropout(0.5) */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    readonly opts: { generator?: Generator } = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError('Dropout', `p must be in [0, 1], got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.opts);
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** A lookup table of embeddings, N(0, 1) init as in PyTorch. @example new Embedding(1000, 64) */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: LayerOptions = {},
  ) {
    super();
    this.weight = this.param(
      'weight',
      zeros([numEmbeddings, embeddingDim], { dtype: opts.dtype ?? getDefaultDtype() }),
    );
    normal_(this.weight, 0, 1, opts);
  }
  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }
  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

/** Modules applied in order. @example new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3)) */
export class Sequential extends Module {
  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) throw new ValueError('Sequential', `argument ${i} is not a Module`);
      (this as unknown as Record<string, Module>)[String(i)] = m;
    });
  }
  get length(): number {
    return this.children().length;
  }
  at(i: number): Module {
    const kids = this.children();
    const m = kids[i < 0 ? i + kids.length : i];
    if (!m) throw new ValueError('Sequential', `index ${i} is out of range for ${kids.length} layers`);
    return m;
  }
  forward(x: unknown): unknown {
    let h = x;
    for (const m of this.children()) h = (m.call as (...a: unknown[]) => unknown).call(m, h);
    return h;
  }
}

/** A list of modules whose parameters are registered (iterate it yourself in forward). */
export class ModuleList extends Module {
  constructor(modules: readonly Module[] = []) {
    super();
    modules.forEach((m) => this.append(m));
  }
  append(m: Module): this {
    (this as unknown as Record<string, Module>)[String(this.children().length)] = m;
    return this;
  }
  get length(): number {
    return this.children().length;
  }
  at(i: number): Module {
    return this.children()[i < 0 ? i + this.length : i];
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
  forward(): never {
    throw new ValueError('ModuleList', 'a ModuleList has no forward; iterate over it in your own module');
  }
}

/** Averages the outputs of several models (an ensemble's prediction). @example new Ensemble([m1, m2, m3]) */
export class Ensemble extends Module {
  readonly members: ModuleList;
  constructor(models: readonly Module[]) {
    super();
    if (models.length === 0) throw new ValueError('Ensemble', 'needs at least one model');
    this.members = new ModuleList(models);
  }
  forward(x: Tensor): Tensor {
    const outs = [...this.members].map((m) => (m.call as (x: Tensor) => Tensor).call(m, x));
    return mean(stack(outs), 0);
  }
}
