/**
 * The train-a-network panel's model: an MLP on a 2-D toy dataset, built and trained with descend's nn,
 * optim and data modules, a few steps per animation frame; per-layer gradient norms show gradient health.
 */
import * as d from 'descend';
import { circles, moons, spiral, xor, type ToyData } from 'descend/data';
import { BatchNorm1d, init, Linear, ReLU, Sequential, Sigmoid, Tanh, type Module } from 'descend/nn';
import { makeOptimizer, type Optimizer } from 'descend/optim';

export const DATASETS = { spiral, moons, xor, circles } as const;
export const ACTIVATIONS = { relu: ReLU, tanh: Tanh, sigmoid: Sigmoid } as const;
export const INITS = ['pytorch', 'xavier', 'he', 'small'] as const;
export const OPTIMIZERS = ['adam', 'sgd', 'momentum', 'rmsprop'] as const;

export type NetSettings = {
  dataset: keyof typeof DATASETS;
  layers: number;
  width: number;
  activation: keyof typeof ACTIVATIONS;
  init: (typeof INITS)[number];
  batchNorm: boolean;
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  weightDecay: number;
  steps: number;
};

export function defaultNetSettings(): NetSettings {
  return {
    dataset: 'spiral',
    layers: 2,
    width: 48,
    activation: 'relu',
    init: 'pytorch',
    batchNorm: false,
    optimizer: 'adam',
    lr: 0.01,
    weightDecay: 0,
    steps: 600,
  };
}

export class NetRun {
  readonly data: ToyData;
  readonly model: Sequential;
  readonly linears: Linear[] = [];
  readonly opt: Optimizer<object>;
  step = 0;
  losses: number[] = [];
  /** Per Linear layer, the gradient's norm at every step. */
  gradNorms: number[][];

  constructor(readonly s: NetSettings) {
    d.manualSeed(0);
    const g = new d.Generator(0);
    this.data = DATASETS[s.dataset]({ nPerClass: 100, generator: g });
    const mods: Module[] = [];
    let fan = 2;
    for (let k = 0; k < s.layers; k++) {
      const lin = new Linear(fan, s.width);
      this.linears.push(lin);
      mods.push(lin);
      if (s.batchNorm) mods.push(new BatchNorm1d(s.width));
      mods.push(new ACTIVATIONS[s.activation]());
      fan = s.width;
    }
    const head = new Linear(fan, this.data.classes);
    this.linears.push(head);
    mods.push(head);
    this.model = new Sequential(...mods);
    d.noGrad(() => {
      for (const lin of this.linears) {
        if (s.init === 'xavier') init.xavierNormal_(lin.weight);
        else if (s.init === 'he') init.kaimingNormal_(lin.weight, { nonlinearity: 'relu' });
        else if (s.init === 'small') init.normal_(lin.weight, 0, 0.01);
        if (s.init !== 'pytorch' && lin.bias) init.zeros_(lin.bias);
      }
    });
    const params = this.model.parameters();
    const wd = s.weightDecay;
    // The optim registry's classes by name: 'sgd', 'momentum' (SGD with 0.9), 'adam', 'rmsprop'.
    this.opt = makeOptimizer(s.optimizer, params, { lr: s.lr, weightDecay: wd });
    this.gradNorms = this.linears.map(() => []);
  }

  /** Full-batch steps (300 points); returns false once the budget is spent. */
  train(n: number): boolean {
    this.model.train();
    for (let k = 0; k < n && this.step < this.s.steps; k++, this.step++) {
      this.opt.zeroGrad();
      const loss = d.crossEntropy(this.model.call(this.data.x) as d.Tensor, this.data.y);
      loss.backward();
      this.losses.push(loss.item());
      this.linears.forEach((lin, i) => {
        const gr = lin.weight.grad;
        this.gradNorms[i]!.push(gr ? Math.sqrt(gr.pow(2).sum().item()) : 0);
      });
      this.opt.step();
    }
    return this.step < this.s.steps;
  }

  accuracy(): number {
    this.model.eval();
    return d.noGrad(() => {
      const pred = d.argmax(this.model.call(this.data.x) as d.Tensor, 1);
      return d.eq(pred, this.data.y).to('float64').mean().item();
    });
  }

  /** Predicted class on an n×n grid over [lo, hi]², rows from the top. */
  regions(n: number, lo: number, hi: number): Int32Array {
    this.model.eval();
    const pts: number[][] = [];
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++)
        pts.push([lo + ((i + 0.5) * (hi - lo)) / n, hi - ((j + 0.5) * (hi - lo)) / n]);
    return d.noGrad(
      () => d.argmax(this.model.call(d.tensor(pts)) as d.Tensor, 1).dataSync() as unknown as Int32Array,
    );
  }
}
