/** Autodiff semantics: accumulation, graphs, hooks, in-place safety, anomaly mode, transforms. */
import { describe, expect, it } from 'vitest';
import {
  AnomalyError,
  AutogradError,
  DTypeError,
  InplaceError,
  autogradGrad,
  customVjp,
  detectAnomaly,
  exp,
  grad,
  gradcheck,
  matmul,
  mseLoss,
  noGrad,
  ones,
  randn,
  Generator,
  sin,
  sqrt,
  stopGradient,
  tanh,
  tensor,
  type Tensor,
  type Tree,
  valueAndGrad,
  valueAndGradWithAux,
  vjp,
  zeros,
  isGradEnabled,
  enableGrad,
  clamp,
  sum,
} from '../src/index.js';
import { assertClose } from './helpers.js';

const f64 = { dtype: 'float64' as const };
const gen = () => new Generator(5);

describe('imperative autograd', () => {
  it('accumulates into .grad across backward calls and zeroGrad clears it', () => {
    const x = tensor([1, 2, 3], { ...f64, requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    assertClose(x.grad!, [4, 8, 12], 0, 0);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it('sums gradients at fan-out', () => {
    const x = tensor(3, { ...f64, requiresGrad: true });
    const y = x.mul(x).add(x.mul(2)).add(sin(x));
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * 3 + 2 + Math.cos(3), 12);
  });

  it('refuses a second backward through a released graph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = exp(x).sum();
    y.backward();
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/second time.*retainGraph/);
  });

  it('needs an explicit gradient for non-scalar outputs, and checks its shape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    expect(() => y.backward()).toThrow(/scalar outputs.*shape \[2\]/);
    expect(() => y.backward(ones([3]))).toThrow(/gradient has shape \[3\] but the output has shape \[2\]/);
    y.backward(tensor([1, 10]));
    assertClose(x.grad!, [3, 30], 0, 0);
  });

  it('backward of a tensor that does not require grad throws', () => {
    expect(() => tensor([1]).sum().backward()).toThrow(/does not require grad/);
  });

  it('detach and noGrad cut the graph; enableGrad restores it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.detach().requiresGrad).toBe(false);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(noGrad(() => enableGrad(() => x.mul(2)).requiresGrad)).toBe(true);
    expect(isGradEnabled()).toBe(true);
    const z = x.mul(stopGradient(x)).sum();
    z.backward();
    assertClose(x.grad!, [1, 2], 0, 0);
  });

  it('hooks see and can replace gradients; handles remove them', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const h = x.registerHook((g) => {
      seen.push(Array.from(g.dataSync()));
      return g.mul(10);
    });
    const mid = x.mul(2);
    mid.registerHook((g) => g.add(1));
    mid.sum().backward();
    expect(seen).toEqual([[4, 4]]);
    assertClose(x.grad!, [40, 40], 0, 0);
    h.remove();
    x.zeroGrad();
    x.mul(2).sum().backward();
    assertClose(x.grad!, [2, 2], 0, 0);
  });

  it('retainGrad keeps the gradient of an intermediate', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const m = x.mul(3).retainGrad();
    m.pow(2).sum().backward();
    assertClose(m.grad!, [6, 12], 0, 0);
    expect(x.mul(2).grad).toBeNull();
  });

  it('refuses backward after a saved tensor was modified in place (version counter)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = exp(x);
    const z = y.mul(2).sum(); // mul saves y
    noGrad(() => y.mul_(3));
    expect(y.version).toBe(1);
    expect(() => z.backward()).toThrow(InplaceError);
    expect(() => exp(x).sum().backward()).not.toThrow();
  });

  it('in-place ops on non-leaves rebase the history; on leaves they are refused', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const a = x.mul(2);
    a.mul_(3).add_(1);
    expect(a.gradFn).toBe('add');
    a.sum().backward();
    assertClose(x.grad!, [6, 6], 0, 0);
    expect(() => x.add_(1)).toThrow(/leaf tensor .* requires grad .* in-place/);
    noGrad(() => x.add_(1));
    assertClose(x.detach(), [2, 3], 0, 0);
  });

  it('anomaly mode names the op that produced NaN/Inf in backward', () => {
    const x = tensor([0, 1], { requiresGrad: true });
    sqrt(x).sum().backward(); // without anomaly mode: no error, inf gradient
    expect(x.grad!.dataSync()[0]).toBe(Infinity);
    x.zeroGrad();
    expect(() => detectAnomaly(() => sqrt(x).sum().backward())).toThrow(AnomalyError);
    expect(() => detectAnomaly(() => sqrt(x).sum().backward())).toThrow(
      /^sqrt: backward produced NaN or Inf/,
    );
  });

  it('createGraph: double backprop through a gradient-norm penalty matches finite differences', () => {
    const g = gen();
    const x = randn([4, 3], { ...f64, generator: g });
    const y = randn([4, 2], { ...f64, generator: g });
    const penalized = (w: Tensor) => {
      const xi = x.detach().requiresGrad_(true);
      const loss = mseLoss(tanh(matmul(xi, w)), y);
      const [gx] = autogradGrad([loss], [xi], { createGraph: true });
      return loss.add(gx.pow(2).sum().mul(0.5));
    };
    const w = randn([3, 2], { ...f64, generator: g, requiresGrad: true });
    expect(gradcheck(penalized, [w])).toBe(true);
    penalized(w).backward();
    expect(w.grad!.shape).toEqual([3, 2]);
  });

  it('autogradGrad reports unused inputs unless allowUnused, and never touches .grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const u = tensor([5], { requiresGrad: true });
    const y = x.pow(2).sum();
    expect(() => autogradGrad([y], [x, u], { retainGraph: true })).toThrow(/inputs\[1\] is not used/);
    const [gx, gu] = autogradGrad([y], [x, u], { allowUnused: true });
    assertClose(gx, [2, 4], 0, 0);
    assertClose(gu, [0], 0, 0);
    expect(x.grad).toBeNull();
  });

  it('gradients follow casts and keep each leaf dtype', () => {
    const x = tensor([1.5, 2], { ...f64, requiresGrad: true });
    x.to('float32')
      .mul(tensor([2, 3]))
      .sum()
      .backward();
    expect(x.grad!.dtype).toBe('float64');
    assertClose(x.grad!, [2, 3], 0, 0);
  });

  it('only floating-point tensors can require grad', () => {
    expect(() => tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(DTypeError);
  });

  it('handles deep graphs without overflowing the stack', () => {
    const x = tensor(1, { ...f64, requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1.0001);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(1.0001 ** 20000, 6);
  });
});

describe('functional transforms', () => {
  it('grad returns plain tensors at top level and leaves .grad alone', () => {
    const sq = grad((w: Tensor) => w.pow(2).sum());
    const g = sq(tensor([1, 2]));
    assertClose(g, [2, 4], 0, 0);
    expect(g.requiresGrad).toBe(false);
    // An input that requires grad keeps the result differentiable (so grads nest), without touching .grad.
    const w = tensor([1, 2], { requiresGrad: true });
    const gw = sq(w);
    expect(gw.requiresGrad).toBe(true);
    expect(w.grad).toBeNull();
    gw.sum().backward();
    assertClose(w.grad!, [2, 2], 0, 0);
  });

  it('grad with argnums and trees (records of tensors)', () => {
    const loss = (p: { w: Tensor; b: Tensor }, x: Tensor) => p.w.mul(x).add(p.b).pow(2).sum();
    const p = { w: tensor([2], f64), b: tensor([1], f64) };
    const x = tensor([3], f64);
    const gp = grad(loss)(p, x);
    assertClose(gp.w, [42], 0, 0); // 2 (wx + b) x
    assertClose(gp.b, [14], 0, 0);
    const [v, gs] = valueAndGrad(loss, { argnums: [0, 1] })(p, x);
    expect(v.item()).toBe(49);
    assertClose(gs[1] as Tensor, [28], 0, 0);
  });

  it('valueAndGradWithAux returns the auxiliary output', () => {
    const [[loss, aux], [g]] = valueAndGradWithAux((x: Tensor): [Tensor, Tree] => [
      x.pow(2).sum(),
      { double: x.mul(2) },
    ])(tensor([3], f64));
    expect(loss.item()).toBe(9);
    assertClose((aux as { double: Tensor }).double, [6], 0, 0);
    assertClose(g as Tensor, [6], 0, 0);
  });

  it('vjp of a non-scalar function, called twice', () => {
    const x = tensor([1, 2, 3], f64);
    const [y, back] = vjp((x: Tensor) => x.pow(2), x);
    assertClose(y, [1, 4, 9], 0, 0);
    assertClose(back(tensor([1, 1, 1], f64))[0] as Tensor, [2, 4, 6], 0, 0);
    assertClose(back(tensor([1, 0, 2], f64))[0] as Tensor, [2, 0, 12], 0, 0);
  });

  it('Hessian-vector products by forward-free grad-of-grad equal H v', () => {
    const g = gen();
    const A = randn([4, 4], { ...f64, generator: g });
    const v = randn([4], { ...f64, generator: g });
    const x = randn([4], { ...f64, generator: g });
    const f = (x: Tensor) => matmul(x, matmul(A, x)).mul(0.5).add(sin(x).sum());
    const hvp = grad((x: Tensor) => matmul(grad(f)(x), v));
    const H = A.add(A.t()).mul(0.5);
    const expected = matmul(H, v).sub(sin(x).mul(v));
    assertClose(hvp(x), expected, 1e-12, 1e-12);
  });

  it('grad of a function closing over a parameter keeps the graph to it (double backprop via grad)', () => {
    const w = tensor([0.5, -1.5], { ...f64, requiresGrad: true });
    const inner = (x: Tensor) => tanh(x.mul(w)).sum();
    const gx = grad(inner)(tensor([1, 2], f64));
    expect(gx.requiresGrad).toBe(true);
    gx.pow(2).sum().backward();
    expect(w.grad).not.toBeNull();
  });

  it('grad of an unused argument is zero; integer arguments pass through', () => {
    const [, [ga, gb]] = valueAndGrad((a: Tensor, _b: Tensor) => a.sum(), { argnums: [0, 1] })(
      ones([2], f64),
      zeros([3], f64),
    );
    assertClose(ga as Tensor, [1, 1], 0, 0);
    assertClose(gb as Tensor, [0, 0, 0], 0, 0);
  });

  it('grad refuses non-scalar outputs', () => {
    expect(() => grad((x: Tensor) => x.mul(2))(ones([2]))).toThrow(/scalar/);
  });

  it('customVjp defines a primitive with its own gradient (straight-through clamp)', () => {
    const ste = customVjp(
      (x: Tensor) => clamp(x, -1, 1),
      (g) => [g],
    );
    const x = tensor([-3, 0.5, 2], { requiresGrad: true });
    const y = ste(x);
    assertClose(y, [-1, 0.5, 1], 0, 0);
    sum(y).backward();
    assertClose(x.grad!, [1, 1, 1], 0, 0);
  });
});
