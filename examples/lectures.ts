/**
 * The main job (until the digits trainer lands): the lectures' examples, computed by descend.
 *  1. f = (x + y) z: the computation graph, forward values and backward gradients.
 *  2. The 2-2-1 linear network: gradients and a few SGD steps.
 *  3. A small tanh MLP with L2 regularization, J = L + (lambda/2)(|W1|^2 + |W2|^2), trained by minibatch
 *     SGD (epochs, sampling without replacement) on a 3-class spiral, with per-layer gradient norms.
 * Run: npm start
 */
import {
  Generator,
  type Tensor,
  arange,
  cat,
  cos,
  crossEntropy,
  linear,
  noGrad,
  randn,
  randperm,
  sin,
  tanh,
  tensor,
  uniform,
  vectorNorm,
  zeros,
} from '../src/index.js';

const f64 = { dtype: 'float64' as const };
const fmt = (x: number) => x.toFixed(6).padStart(11);

function section(title: string): void {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);
}

// 1. (x + y) z --------------------------------------------------------------------------------------
section('1. f = (x + y) z at x = -2, y = 5, z = -4');
{
  const x = tensor(-2, { ...f64, requiresGrad: true });
  const y = tensor(5, { ...f64, requiresGrad: true });
  const z = tensor(-4, { ...f64, requiresGrad: true });
  const q = x.add(y).retainGrad();
  const f = q.mul(z);
  f.backward();
  console.log(`forward:  q = x + y = ${q.item()},  f = q z = ${f.item()}`);
  console.log(
    `backward: df/dq = ${q.grad!.item()}, df/dx = ${x.grad!.item()}, df/dy = ${y.grad!.item()}, df/dz = ${z.grad!.item()}`,
  );
}

// 2. The 2-2-1 linear network -------------------------------------------------------------------------
section('2. The 2-2-1 linear network, loss = (y - t)^2 / 2, SGD lr 0.05');
{
  const init: Record<string, number> = { w1: 0.11, w2: 0.21, w3: 0.12, w4: 0.08, w5: 0.14, w6: 0.15 };
  const w = Object.fromEntries(
    Object.entries(init).map(([k, v]) => [k, tensor(v, { ...f64, requiresGrad: true })]),
  );
  const [i1, i2, target, lr] = [2, 3, 1, 0.05];
  for (let step = 0; step <= 5; step++) {
    const h1 = w.w1.mul(i1).add(w.w2.mul(i2));
    const h2 = w.w3.mul(i1).add(w.w4.mul(i2));
    const out = h1.mul(w.w5).add(h2.mul(w.w6));
    const loss = out.sub(target).pow(2).mul(0.5);
    Object.values(w).forEach((p) => p.zeroGrad());
    loss.backward();
    const grads = Object.entries(w).map(([k, p]) => `d${k} ${p.grad!.item().toFixed(5)}`);
    console.log(
      `step ${step}: prediction ${fmt(out.item())}  loss ${fmt(loss.item())}  | ${grads.join('  ')}`,
    );
    noGrad(() => Object.values(w).forEach((p) => p.sub_(p.grad!.mul(lr))));
  }
}

// 3. A small MLP on a spiral --------------------------------------------------------------------------
section('3. A 2-16-16-3 tanh MLP on a 3-class spiral, L2 lambda = 1e-3, minibatch SGD');
{
  const gen = new Generator(0);
  const perClass = 60;
  const xs: Tensor[] = [];
  const ys: number[] = [];
  for (let c = 0; c < 3; c++) {
    const r = arange(perClass, undefined, 1, f64).div(perClass);
    const theta = r
      .mul(4)
      .add(c * ((2 * Math.PI) / 3))
      .add(randn([perClass], { ...f64, generator: gen }).mul(0.2));
    xs.push(cat([r.mul(cos(theta)).unsqueeze(1), r.mul(sin(theta)).unsqueeze(1)], 1));
    for (let i = 0; i < perClass; i++) ys.push(c);
  }
  const X = cat(xs, 0);
  const Y = tensor(ys, { dtype: 'int32' });
  const N = ys.length;

  // PyTorch's default Linear init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  const layer = (fanIn: number, fanOut: number) => {
    const k = 1 / Math.sqrt(fanIn);
    const u = (shape: number[]) => uniform(shape, -k, k, { ...f64, generator: gen });
    return { W: u([fanOut, fanIn]).requiresGrad_(), b: u([fanOut]).requiresGrad_() };
  };
  const l1 = layer(2, 16);
  const l2 = layer(16, 16);
  const l3 = layer(16, 3);
  const params = [l1.W, l1.b, l2.W, l2.b, l3.W, l3.b];
  const forward = (x: Tensor) => linear(tanh(linear(tanh(linear(x, l1.W, l1.b)), l2.W, l2.b)), l3.W, l3.b);
  const lambda = 1e-3;
  const lr = 0.1;
  const momentum = 0.9;
  const velocity = params.map((p) => zeros([...p.shape], f64));
  const batch = 30;
  const epochs = 150;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = randperm(N, { generator: gen }); // sampling without replacement
    let total = 0;
    let norms = [0, 0, 0];
    for (let s = 0; s < N; s += batch) {
      const idx = order.narrow(0, s, Math.min(batch, N - s));
      const logits = forward(X.indexSelect(0, idx));
      const data = crossEntropy(logits, Y.indexSelect(0, idx));
      const l2pen = l1.W.pow(2)
        .sum()
        .add(l2.W.pow(2).sum())
        .add(l3.W.pow(2).sum())
        .mul(lambda / 2);
      const J = data.add(l2pen);
      params.forEach((p) => p.zeroGrad());
      J.backward();
      total += data.item() * idx.size;
      norms = [l1.W, l2.W, l3.W].map((W) => vectorNorm(W.grad!).item());
      noGrad(() =>
        params.forEach((p, i) => {
          velocity[i].mul_(momentum).add_(p.grad!);
          p.sub_(velocity[i].mul(lr));
        }),
      );
    }
    if (epoch === 1 || epoch % 25 === 0) {
      const acc = noGrad(() => forward(X).argmax(1).eq(Y).to('float64').mean().item());
      const gn = norms.map((n) => n.toFixed(4)).join(' / ');
      console.log(
        `epoch ${String(epoch).padStart(3)}: loss ${fmt(total / N)}  train accuracy ${(100 * acc).toFixed(1).padStart(5)}%  |grad W1/W2/W3| ${gn}`,
      );
    }
  }
}
console.log('\nDone. Run the tests with: npm test');
