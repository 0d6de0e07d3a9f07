/**
 * What every `@example` sees (the doctest, test/doctest.test.ts): descend's public names (the package's
 * entry and its subpaths, `nn`, `optim`, ... also as namespaces), the exports of the example's own file,
 * and these fixtures, the conventional names examples use for their inputs. An example may define its own
 * (it runs in a block, so its names shadow these).
 */
import * as d from '../src/index.js';
import * as data from '../src/data/index.js';
import * as diagnostics from '../src/diagnostics/index.js';
import * as io from '../src/io/index.js';
import * as lm from '../src/lm/index.js';
import * as nn from '../src/nn/index.js';
import * as optim from '../src/optim/index.js';
import * as privacy from '../src/privacy/index.js';
import * as schedules from '../src/schedules/index.js';
import * as train from '../src/train/index.js';

function fixtures() {
  const g = new d.Generator(0);
  const f64 = { dtype: 'float64' as const, generator: g };
  const r = (shape: number[]) => d.randn(shape, f64);
  const int = (v: number[]) => d.tensor(v, { dtype: 'int32' });
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
  const params = model.parameters();
  const xb = d.randn([6, 4], { generator: g });
  const yb = int([0, 1, 2, 0, 1, 2]);
  const A = d.tensor(
    [
      [3, 1],
      [1, 2],
    ],
    { dtype: 'float64' },
  );
  const quad = (t: d.Tensor) => d.matmul(t, d.matmul(A, t)).mul(0.5);
  const H = diagnostics.denseOperator(
    d.tensor(
      [
        [4, 1, 0],
        [1, 3, 0],
        [0, 0, 1],
      ],
      { dtype: 'float64' },
    ),
  );
  // A toy corpus: 40 word types, a repetitive stream (with '<unk>' at id 0, as Vocab builds it).
  const words = Array.from({ length: 600 }, (_, i) => `w${(i * 7 + (i % 5)) % 40}`);
  words.push('man', 'king', 'woman', 'queen', 'The', 'Monday', 'neighbours');
  const vocab = data.Vocab.build(words);
  const ids = vocab.encode(words);
  const lmModel = new lm.NeuralLM(vocab.size, { context: 3, embeddingDim: 8, hidden: 16 });
  return {
    // Tensors: x is float64 [3, 4, 5] (and requires grad where an example differentiates it).
    x: r([3, 4, 5]),
    v: r([3, 4, 5]),
    w: r([2, 5]),
    b: r([2]),
    a: r([3, 4]),
    c: r([3, 4]),
    h: r([3, 4]),
    z: r([6]),
    p: r([6]),
    y: d.tensor([0, 1, 1, 0, 1, 0], { dtype: 'float64' }),
    pred: r([6]),
    logits: r([6, 3]),
    scores: r([6, 3]),
    labels: yb,
    mask: int([1, 1, 0]),
    table: r([5, 2]),
    gamma: d.ones([5]),
    A,
    X: r([20, 3]),
    Y: r([20, 2]),
    xs: d.randn([6, 4], { generator: g }),
    ys: yb,
    // A model and its training pieces.
    model,
    params,
    layer: new nn.Linear(4, 2),
    bn: new nn.BatchNorm1d(4),
    m1: new nn.Linear(4, 3),
    m2: new nn.Linear(4, 3),
    m3: new nn.Linear(4, 3),
    fc1: model.at(0) as nn.Linear,
    fc2: model.at(2) as nn.Linear,
    opt: new optim.SGD(params, { lr: 0.1 }),
    optimizer: new optim.Adam(params, { lr: 1e-3 }),
    loss: () => d.crossEntropy(model.call(xb) as d.Tensor, yb),
    lossFn: (wt: d.Tensor, bt: d.Tensor) => d.mseLoss(d.matmul(xb, wt).add(bt), d.zeros([6, 3])),
    f: quad,
    quad,
    H,
    // Text: a vocabulary, a token stream, a small neural LM over it, word vectors.
    vocab,
    ids,
    trainIds: ids.subarray(0, 400),
    validIds: ids.subarray(400, 500),
    testIds: ids.subarray(500),
    lmModel,
    vectors: r([vocab.size, 8]),
    id: (w: string) => vocab.lookup('id', w),
  };
}

let scope: Record<string, unknown> | null = null;

export async function exampleScope(): Promise<Record<string, unknown>> {
  if (scope) return scope;
  const names: Record<string, unknown> = {};
  for (const ns of [train, privacy, io, data, diagnostics, lm, schedules, optim, nn, d])
    Object.assign(names, ns);
  Object.assign(names, { d, nn, optim, schedules, data, diagnostics, io, lm, privacy, train });
  scope = { ...names, ...fixtures() };
  return scope;
}
