/** descend/nn: modules equal their functional ops, gradcheck end to end, BatchNorm statistics, symmetry. */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Generator, type Tensor, gradcheck, tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import { assertClose } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const gen = () => new Generator(11);
const rn = (g: Generator, s: number[]) => d.randn(s, { ...f64, generator: g });

/** Module output and every gradient equal the functional op on the same parameters. */
function sameAsFunctional(m: nn.Module, input: Tensor, fn: (x: Tensor) => Tensor): void {
  const x1 = input.detach().requiresGrad_();
  const x2 = input.detach().requiresGrad_();
  const y1 = (m.call as (x: Tensor) => Tensor).call(m, x1);
  const y2 = fn(x2);
  assertClose(y1, y2, 0, 0, `${m.constructor.name} output`);
  if (!y1.requiresGrad && !y2.requiresGrad) return; // piecewise constant (binary step): no gradient path
  const up = rn(new Generator(5), [...y1.shape]);
  const ps = m.parameters();
  const g1 = d.autogradGrad([y1], [x1, ...ps], { gradOutputs: [up], allowUnused: true });
  const g2 = d.autogradGrad([y2], [x2, ...ps], { gradOutputs: [up], allowUnused: true });
  g1.forEach((g, i) => assertClose(g, g2[i], 0, 0, `${m.constructor.name} grad ${i}`));
}

describe('modules equal the functional ops they are built from, and pass gradcheck', () => {
  const g = gen();
  const cases: [string, () => nn.Module, number[], (m: nn.Module) => (x: Tensor) => Tensor][] = [
    [
      'Linear',
      () => new nn.Linear(3, 4, { ...f64, generator: g }),
      [5, 3],
      (m) => (x) => d.linear(x, (m as nn.Linear).weight, (m as nn.Linear).bias),
    ],
    [
      'DropConnectLinear (eval)',
      () => new nn.DropConnectLinear(3, 4, { ...f64, generator: g }).eval(),
      [5, 3],
      (m) => (x) => d.linear(x, (m as nn.Linear).weight, (m as nn.Linear).bias),
    ],
    [
      'Conv2d',
      () => new nn.Conv2d(2, 3, 3, { ...f64, padding: 1, generator: g }),
      [1, 2, 4, 4],
      (m) => (x) => d.conv2d(x, (m as nn.Conv2d).weight, (m as nn.Conv2d).bias, { padding: 1 }),
    ],
    ['MaxPool2d', () => new nn.MaxPool2d(2), [1, 2, 4, 4], () => (x) => d.maxPool2d(x, 2)],
    ['AvgPool2d', () => new nn.AvgPool2d(2), [1, 2, 4, 4], () => (x) => d.avgPool2d(x, 2)],
    ['Flatten', () => new nn.Flatten(), [2, 3, 2], () => (x) => d.flatten(x, 1)],
    [
      'BatchNorm1d',
      () => new nn.BatchNorm1d(3, f64),
      [6, 3],
      (m) => (x) => d.batchNorm(x, null, null, (m as nn.BatchNorm1d).weight, (m as nn.BatchNorm1d).bias),
    ],
    [
      'BatchNorm2d',
      () => new nn.BatchNorm2d(2, f64),
      [3, 2, 2, 2],
      (m) => (x) => d.batchNorm(x, null, null, (m as nn.BatchNorm2d).weight, (m as nn.BatchNorm2d).bias),
    ],
    [
      'LayerNorm',
      () => new nn.LayerNorm(4, f64),
      [3, 4],
      (m) => (x) => d.layerNorm(x, [4], (m as nn.LayerNorm).weight, (m as nn.LayerNorm).bias),
    ],
    ['Dropout (eval)', () => new nn.Dropout(0.5).eval(), [3, 4], () => (x) => x],
    ['Identity', () => new nn.Identity(), [3, 4], () => (x) => d.identity(x)],
    ['BinaryStep', () => new nn.BinaryStep(), [3, 4], () => (x) => d.binaryStep(x)],
    ['Sigmoid', () => new nn.Sigmoid(), [3, 4], () => d.sigmoid],
    ['Tanh', () => new nn.Tanh(), [3, 4], () => d.tanh],
    ['Arctan', () => new nn.Arctan(), [3, 4], () => d.atan],
    ['ReLU', () => new nn.ReLU(), [3, 4], () => d.relu],
    ['LeakyReLU', () => new nn.LeakyReLU(0.1), [3, 4], () => (x) => d.leakyRelu(x, 0.1)],
    ['PReLU', () => new nn.PReLU(1, 0.25, f64), [3, 4], (m) => (x) => d.prelu(x, (m as nn.PReLU).weight)],
    ['ELU', () => new nn.ELU(), [3, 4], () => (x) => d.elu(x)],
    ['Softplus', () => new nn.Softplus(2, 10), [3, 4], () => (x) => d.softplus(x, 2, 10)],
    ['GELU', () => new nn.GELU('tanh'), [3, 4], () => (x) => d.gelu(x, 'tanh')],
    ['SiLU', () => new nn.SiLU(), [3, 4], () => d.silu],
    ['Softmax', () => new nn.Softmax(1), [3, 4], () => (x) => d.softmax(x, 1)],
    ['LogSoftmax', () => new nn.LogSoftmax(1), [3, 4], () => (x) => d.logSoftmax(x, 1)],
  ];
  for (const [name, make, shape, fn] of cases) {
    it(name, () => {
      const m = make();
      const x = rn(g, shape).add(d.sign(rn(g, shape)).mul(0.1));
      sameAsFunctional(m, x, fn(m));
      if (name === 'BinaryStep') return; // zero gradient everywhere; nothing to check numerically
      const leaves = [x.detach().requiresGrad_(), ...m.parameters()];
      expect(gradcheck((xi: Tensor) => (m.call as (x: Tensor) => Tensor).call(m, xi), leaves)).toBe(true);
    });
  }
  it('Embedding', () => {
    const m = new nn.Embedding(5, 3, { ...f64, generator: g });
    const idx = tensor(
      [
        [1, 4],
        [0, 1],
      ],
      { dtype: 'int32' },
    );
    assertClose(m.call(idx), d.embedding(idx, m.weight), 0, 0, 'embedding');
    expect(gradcheck(() => m.call(idx), [m.weight])).toBe(true);
  });
  it('loss modules equal the loss functions', () => {
    const x = rn(g, [4, 3]);
    const t = tensor([0, 2, 1, 1], { dtype: 'int32' });
    const y = rn(g, [4, 3]);
    assertClose(
      new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(x, t),
      d.crossEntropy(x, t, { labelSmoothing: 0.1 }),
      0,
      0,
      'ce',
    );
    assertClose(new nn.NLLLoss().call(d.logSoftmax(x, 1), t), d.nllLoss(d.logSoftmax(x, 1), t), 0, 0, 'nll');
    assertClose(
      new nn.MSELoss({ reduction: 'sum' }).call(x, y),
      d.mseLoss(x, y, { reduction: 'sum' }),
      0,
      0,
      'mse',
    );
    assertClose(new nn.L1Loss().call(x, y), d.l1Loss(x, y), 0, 0, 'l1');
    assertClose(
      new nn.HuberLoss({ delta: 0.5 }).call(x, y),
      d.huberLoss(x, y, { delta: 0.5 }),
      0,
      0,
      'huber',
    );
    assertClose(new nn.SmoothL1Loss().call(x, y), d.smoothL1Loss(x, y), 0, 0, 'smoothl1');
    assertClose(
      new nn.BCEWithLogitsLoss().call(x, d.sigmoid(y)),
      d.binaryCrossEntropyWithLogits(x, d.sigmoid(y)),
      0,
      0,
      'bcel',
    );
    assertClose(
      new nn.BCELoss().call(d.sigmoid(x), d.sigmoid(y)),
      d.binaryCrossEntropy(d.sigmoid(x), d.sigmoid(y)),
      0,
      0,
      'bce',
    );
    assertClose(new nn.MultiMarginLoss().call(x, t), d.multiMarginLoss(x, t), 0, 0, 'mm');
    assertClose(new nn.CosineSimilarity().call(x, y), d.cosineSimilarity(x, y), 0, 0, 'cos');
  });
  it('multiclass SVM (Weston-Watkins) loss matches the hand computation', () => {
    const s = tensor(
      [
        [3.2, 5.1, -1.7],
        [1.3, 4.9, 2.0],
        [2.2, 2.5, -3.1],
      ],
      f64,
    );
    const y = tensor([0, 1, 2], { dtype: 'int32' });
    // CS231n's example: losses 2.9, 0, 12.9 -> mean 5.27.
    expect(nn.multiclassSvmLoss(s, y).item()).toBeCloseTo((2.9 + 0 + 12.9) / 3, 12);
    expect(new nn.MulticlassSVMLoss({ reduction: 'sum' }).call(s, y).item()).toBeCloseTo(15.8, 12);
    const x = s.detach().requiresGrad_();
    expect(gradcheck((x) => nn.multiclassSvmLoss(x, y), [x])).toBe(true);
  });
});

describe('an MLP 2-16-16-3 with cross-entropy + 0.5e-3 sum W^2 passes gradcheck end to end', () => {
  for (const act of ['tanh', 'relu'] as const) {
    for (const bn of [false, true]) {
      it(`${act}${bn ? ' with BatchNorm after the first Linear' : ''}`, () => {
        const g = gen();
        const A = () => (act === 'tanh' ? new nn.Tanh() : new nn.ReLU());
        const l1 = new nn.Linear(2, 16, { ...f64, generator: g });
        const l2 = new nn.Linear(16, 16, { ...f64, generator: g });
        const l3 = new nn.Linear(16, 3, { ...f64, generator: g });
        const layers: nn.Module[] = [l1, ...(bn ? [new nn.BatchNorm1d(16, f64)] : []), A(), l2, A(), l3];
        const model = new nn.Sequential(...layers);
        const x = rn(g, [6, 2]);
        const y = tensor([0, 1, 2, 0, 1, 2], { dtype: 'int32' });
        const J = () =>
          d
            .crossEntropy(model.call(x) as Tensor, y)
            .add(nn.l2Penalty([l1.weight, l2.weight, l3.weight], 1e-3));
        expect(gradcheck(J, model.parameters())).toBe(true);
      });
    }
  }
});

describe('BatchNorm running statistics', () => {
  it("follow PyTorch's update (momentum 0.1, unbiased variance), by hand; eval uses them", () => {
    const bn = new nn.BatchNorm1d(2, f64);
    const x = tensor(
      [
        [1, 10],
        [2, 20],
        [3, 60],
        [6, 30],
      ],
      f64,
    );
    bn.call(x);
    // column means 3 and 30; unbiased variances 14/3 and 1400/3
    assertClose(bn.runningMean!, [0.9 * 0 + 0.1 * 3, 0.9 * 0 + 0.1 * 30], 1e-15, 0, 'runningMean');
    assertClose(
      bn.runningVar!,
      [0.9 * 1 + 0.1 * (14 / 3), 0.9 * 1 + 0.1 * (1400 / 3)],
      1e-15,
      0,
      'runningVar',
    );
    bn.eval();
    const y = bn.call(tensor([[2, 5]], f64));
    const rm = bn.runningMean!.dataSync();
    const rv = bn.runningVar!.dataSync();
    const expected = tensor(
      [[(2 - rm[0]) / Math.sqrt(rv[0] + 1e-5), (5 - rm[1]) / Math.sqrt(rv[1] + 1e-5)]],
      f64,
    );
    assertClose(y, expected, 1e-12, 0, 'eval output');
    assertClose(bn.runningMean!, [0.3, 3], 1e-15, 0, 'eval does not update');
  });
});

describe("the lectures' symmetry experiment", () => {
  const setup = (dropoutP: number) => {
    d.manualSeed(0);
    const l1 = new nn.Linear(3, 4, f64);
    const l2 = new nn.Linear(4, 2, f64);
    nn.init.constant_(l1.weight, 0.5);
    nn.init.constant_(l1.bias!, 0.1);
    nn.init.constant_(l2.weight, 0.3);
    const model = new nn.Sequential(
      l1,
      new nn.Tanh(),
      new nn.Dropout(dropoutP, { generator: new Generator(1) }),
      l2,
    );
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const g = new Generator(2);
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      d.mseLoss(model.call(rn(g, [8, 3])) as Tensor, rn(g, [8, 2])).backward();
      opt.step();
    }
    return l1.weight.toArray() as number[][];
  };
  it('a layer initialized to a constant keeps identical units under SGD', () => {
    const W = setup(0);
    for (const row of W) expect(row).toEqual(W[0]);
  });
  it('dropout breaks the symmetry', () => {
    const W = setup(0.5);
    expect(W.some((row) => row.some((v, j) => v !== W[0][j]))).toBe(true);
  });
});

describe('Module API', () => {
  class Net extends nn.Module {
    fc1 = new nn.Linear(2, 4);
    act = new nn.ReLU();
    fc2 = new nn.Linear(4, 1);
    forward(x: Tensor): Tensor {
      return this.fc2.call(this.act.call(this.fc1.call(x)));
    }
  }
  it('finds submodules and parameters by field, counts and prints them', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
      'fc2.bias',
    ]);
    expect(net.numParameters()).toBe(2 * 4 + 4 + 4 + 1);
    expect(net.toString()).toContain('(fc1): Linear(inFeatures=2, outFeatures=4, bias=true)');
    expect(net.summary()).toContain('total parameters: 17');
  });
  it('train/eval propagate; apply visits every module; zeroGrad clears grads', () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    const seen: string[] = [];
    net.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Linear', 'Net']);
    net
      .call(d.ones([1, 2]))
      .sum()
      .backward();
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });
  it('loadStateDict checks keys strictly and shapes always', () => {
    const a = new Net();
    const b = new Net();
    b.loadStateDict(a.stateDict());
    assertClose(b.fc1.weight, a.fc1.weight, 0, 0, 'copied');
    const sd = a.stateDict();
    delete sd['fc2.bias'];
    expect(() => b.loadStateDict(sd)).toThrow(/missing keys \[fc2.bias\]/);
    expect(b.loadStateDict(sd, { strict: false }).missingKeys).toEqual(['fc2.bias']);
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: d.ones([1]) })).toThrow(
      /unexpected keys \[extra\]/,
    );
    expect(() => b.loadStateDict({ ...a.stateDict(), 'fc2.bias': d.ones([3]) })).toThrow(d.ShapeError);
  });
  it('to(dtype) converts parameters and buffers', () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2)).to('float64');
    expect(m.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad)).toBe(true);
    expect(m.buffers().every((b) => b.dtype === 'float64')).toBe(true);
  });
  it('Ensemble averages members', () => {
    const a = new nn.Linear(2, 1, f64);
    const b = new nn.Linear(2, 1, f64);
    const x = d.ones([3, 2], f64);
    assertClose(new nn.Ensemble([a, b]).call(x), a.call(x).add(b.call(x)).div(2), 1e-15, 0, 'ensemble');
  });
});

describe('nn.init', () => {
  const g = () => ({ generator: new Generator(4) });
  it('calculateGain follows PyTorch', () => {
    expect(nn.init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(nn.init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(nn.init.calculateGain('selu')).toBe(0.75);
  });
  it('xavier, kaiming and the default Linear init have the right bounds and spread', () => {
    const w = d.zeros([200, 300], f64);
    nn.init.xavierUniform_(w, 1, g());
    const a = Math.sqrt(6 / 500);
    expect(w.abs().max().item()).toBeLessThanOrEqual(a);
    expect(w.std().item()).toBeCloseTo(a / Math.sqrt(3), 2);
    nn.init.kaimingNormal_(w, { nonlinearity: 'relu', ...g() });
    expect(w.std().item()).toBeCloseTo(Math.sqrt(2 / 300), 2);
    nn.init.kaimingUniform_(w, { mode: 'fanOut', nonlinearity: 'relu', ...g() });
    expect(w.abs().max().item()).toBeLessThanOrEqual(Math.sqrt(3) * Math.sqrt(2 / 200));
    nn.init.xavierNormal_(w, 2, g());
    expect(w.std().item()).toBeCloseTo(2 * Math.sqrt(2 / 500), 2);
    const lin = new nn.Linear(50, 10, f64);
    expect(lin.weight.abs().max().item()).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(lin.bias!.abs().max().item()).toBeLessThanOrEqual(1 / Math.sqrt(50));
  });
  it('orthogonal gives orthonormal rows or columns', () => {
    for (const shape of [
      [6, 4],
      [4, 6],
    ]) {
      const w = d.zeros(shape, f64);
      nn.init.orthogonal_(w, 1, g());
      const gram = shape[0] >= shape[1] ? d.matmul(w.t(), w) : d.matmul(w, w.t());
      assertClose(gram, d.eye(Math.min(...shape), undefined, f64), 0, 1e-12, 'gram');
    }
  });
});

describe('regularizers', () => {
  it('l2Penalty and l1Penalty', () => {
    const w = tensor([1, -2], f64);
    expect(nn.l2Penalty([w, tensor([3], f64)], 0.1).item()).toBeCloseTo(0.05 * 14, 15);
    expect(nn.l1Penalty([w], 0.1).item()).toBeCloseTo(0.3, 15);
  });
  it('gradientPenalty is differentiable in the parameters (double backprop)', () => {
    const g = gen();
    const x = rn(g, [4, 3]);
    const w = rn(g, [3, 2]).requiresGrad_();
    expect(
      gradcheck((w: Tensor) => nn.gradientPenalty((xi) => d.tanh(d.matmul(xi, w)).sum(), x, 0.5), [w]),
    ).toBe(true);
  });
  it('fgsm raises the loss', () => {
    const g = gen();
    const w = rn(g, [3, 2]);
    const x = rn(g, [4, 3]);
    const y = tensor([0, 1, 1, 0], { dtype: 'int32' });
    const lossOf = (xi: Tensor) => d.crossEntropy(d.matmul(xi, w), y);
    const adv = nn.fgsm(lossOf, x, 0.1);
    expect(adv.requiresGrad).toBe(false);
    expect(lossOf(adv).item()).toBeGreaterThan(lossOf(x).item());
  });
  it('DropConnect drops weights in training only', () => {
    const m = new nn.DropConnectLinear(20, 20, { ...f64, p: 0.5, generator: new Generator(3) });
    const x = d.ones([1, 20], f64);
    const a = m.call(x);
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(d.linear(x, m.weight, m.bias).dataSync()));
    m.eval();
    assertClose(m.call(x), d.linear(x, m.weight, m.bias), 0, 0, 'eval');
  });
});
