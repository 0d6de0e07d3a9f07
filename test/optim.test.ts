/** Optimizer behaviour: state dicts, bad options, L-BFGS, Newton, GD regimes, minimize, optax-vs-torch. */
import { describe, expect, it } from 'vitest';
import {
  Generator,
  type Tensor,
  ValueError,
  matmul,
  mseLoss,
  randn,
  solve,
  sum,
  tensor,
} from '../src/index.js';
import * as optim from '../src/optim/index.js';
import { assertClose, fixture } from './helpers.js';
import { PROBLEMS } from './problems.js';

const f64 = { dtype: 'float64' as const };

/** A small least-squares problem with two parameter tensors. */
function problem() {
  const g = new Generator(3);
  const X = randn([8, 3], { ...f64, generator: g });
  const y = randn([8, 2], { ...f64, generator: g });
  const W = randn([3, 2], { ...f64, generator: g }).requiresGrad_();
  const b = randn([2], { ...f64, generator: g }).requiresGrad_();
  const loss = (W: Tensor, b: Tensor) => mseLoss(matmul(X, W).add(b), y);
  return { W, b, loss };
}

type Make = (ps: Tensor[]) => optim.Optimizer<object>;
const O = (x: unknown) => x as optim.Optimizer<object>;
const OPTIMIZERS: Record<string, Make> = {
  SGD: (p) => O(new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })),
  Adagrad: (p) => O(new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })),
  RMSprop: (p) => O(new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })),
  Adadelta: (p) => O(new optim.Adadelta(p)),
  Adam: (p) => O(new optim.Adam(p, { lr: 0.05, amsgrad: true, weightDecay: 0.01 })),
  AdamW: (p) => O(new optim.AdamW(p, { lr: 0.05 })),
  Adamax: (p) => O(new optim.Adamax(p, { lr: 0.05 })),
  NAdam: (p) => O(new optim.NAdam(p, { lr: 0.05, decoupledWeightDecay: true, weightDecay: 0.01 })),
  RAdam: (p) => O(new optim.RAdam(p, { lr: 0.05 })),
  Yogi: (p) => O(new optim.Yogi(p, { lr: 0.05 })),
  AdaBelief: (p) => O(new optim.AdaBelief(p, { lr: 0.05 })),
  LAMB: (p) => O(new optim.LAMB(p, { lr: 0.05, weightDecay: 0.01 })),
  Lion: (p) => O(new optim.Lion(p, { lr: 0.01 })),
  Novograd: (p) => O(new optim.Novograd(p, { lr: 0.05 })),
  Adan: (p) => O(new optim.Adan(p, { lr: 0.05 })),
  SignSGD: (p) => O(new optim.SignSGD(p, { lr: 0.01 })),
  LBFGS: (p) => O(new optim.LBFGS(p, { maxIter: 3, historySize: 4 })),
  LBFGSWolfe: (p) => O(new optim.LBFGS(p, { maxIter: 3, lineSearchFn: 'strong_wolfe' })),
  Newton: (p) => O(new optim.Newton(p, { damping: 0.1 })),
  DiagonalNewton: (p) => O(new optim.DiagonalNewton(p, { lr: 0.5 })),
};

function stepOnce(
  opt: optim.Optimizer<object>,
  W: Tensor,
  b: Tensor,
  loss: (W: Tensor, b: Tensor) => Tensor,
): void {
  const closure = () => {
    opt.zeroGrad();
    const l = loss(W, b);
    if (!(opt instanceof optim.Newton || opt instanceof optim.DiagonalNewton)) l.backward();
    return l;
  };
  if (opt instanceof optim.LBFGS || opt instanceof optim.Newton || opt instanceof optim.DiagonalNewton)
    opt.step(closure);
  else {
    closure();
    opt.step();
  }
}

describe('stateDict -> JSON -> loadStateDict: lockstep with the original, bitwise', () => {
  for (const [name, make] of Object.entries(OPTIMIZERS)) {
    it(name, () => {
      const a = problem();
      const optA = make([a.W, a.b]);
      for (let i = 0; i < 3; i++) stepOnce(optA, a.W, a.b, a.loss);
      const json = JSON.stringify(optA.stateDict());
      const bProb = problem();
      bProb.W.detach().copy_(a.W.detach());
      bProb.b.detach().copy_(a.b.detach());
      const optB = make([bProb.W, bProb.b]);
      optB.loadStateDict(JSON.parse(json));
      for (let i = 0; i < 10; i++) {
        stepOnce(optA, a.W, a.b, a.loss);
        stepOnce(optB, bProb.W, bProb.b, bProb.loss);
        expect(Array.from(bProb.W.dataSync())).toEqual(Array.from(a.W.dataSync()));
        expect(Array.from(bProb.b.dataSync())).toEqual(Array.from(a.b.dataSync()));
      }
    });
  }
  it('refuses a state dict for a different set of parameters', () => {
    const a = problem();
    const opt = new optim.Adam([a.W, a.b]);
    stepOnce(O(opt), a.W, a.b, a.loss);
    const other = new optim.Adam([a.W]);
    expect(() => other.loadStateDict(opt.stateDict())).toThrow(
      /param group 0 has 2 params in the state dict but 1/,
    );
  });
});

describe('bad hyperparameters throw a ValueError naming the option and value', () => {
  const p = () => [tensor([1, 2], { requiresGrad: true })];
  const cases: [string, () => unknown, RegExp][] = [
    ['negative lr', () => new optim.SGD(p(), { lr: -0.1 }), /^SGD: invalid lr -0.1/],
    ['beta1 >= 1', () => new optim.Adam(p(), { betas: [1.0, 0.999] }), /^Adam: invalid betas\[0\] 1/],
    ['beta2 < 0', () => new optim.AdamW(p(), { betas: [0.9, -0.1] }), /^AdamW: invalid betas\[1\] -0.1/],
    ['unknown option', () => new optim.Adam(p(), { beta1: 0.9 } as never), /^Adam: unknown option 'beta1'/],
    ['negative eps', () => new optim.RMSprop(p(), { eps: -1 }), /^RMSprop: invalid eps -1/],
    [
      'nesterov without momentum',
      () => new optim.SGD(p(), { nesterov: true }),
      /^SGD: nesterov requires momentum > 0/,
    ],
    [
      'negative weight decay',
      () => new optim.Adagrad(p(), { weightDecay: -1 }),
      /^Adagrad: invalid weightDecay -1/,
    ],
    ['recipe: negative lr', () => optim.adam(-1), /^adam: invalid lr -1/],
    ['recipe: b1 out of range', () => optim.adam(0.1, { b1: 1.5 }), /^adam: invalid b1 1.5/],
    [
      'recipe: unknown option',
      () => optim.sgd(0.1, { momentun: 0.9 } as never),
      /^sgd: unknown option 'momentun'/,
    ],
    ['empty params', () => new optim.SGD([]), /^SGD: optimizer got an empty parameter list/],
    [
      'LBFGS line search',
      () => new optim.LBFGS(p(), { lineSearchFn: 'armijo' as never }),
      /^LBFGS: lineSearchFn must be/,
    ],
    ['group option', () => new optim.SGD([{ params: p(), lr: -2 }]), /^SGD: invalid lr -2/],
  ];
  for (const [what, make, msg] of cases) {
    it(what, () => {
      expect(make).toThrow(ValueError);
      expect(make).toThrow(msg);
    });
  }
});

describe('param groups', () => {
  it('apply per-group options', () => {
    const a = tensor([1], { ...f64, requiresGrad: true });
    const b = tensor([1], { ...f64, requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad = tensor([1], f64);
    b.grad = tensor([1], f64);
    opt.step();
    expect(a.item()).toBeCloseTo(0.9, 15);
    expect(b.item()).toBeCloseTo(0.5, 15);
  });
});

describe('second-order and quasi-Newton methods', () => {
  it('L-BFGS with strong Wolfe reaches Rosenbrock minimum to 1e-8 from (-1.5, 2) in < 100 iterations', () => {
    const x = tensor([-1.5, 2], { ...f64, requiresGrad: true });
    const opt = new optim.LBFGS([x], {
      lineSearchFn: 'strong_wolfe',
      maxIter: 100,
      toleranceGrad: 1e-12,
      toleranceChange: 1e-15,
    });
    opt.step(() => {
      opt.zeroGrad();
      const l = PROBLEMS.rosenbrock(x);
      l.backward();
      return l;
    });
    const iters = opt.state.get(x)!.nIter as number;
    expect(iters).toBeLessThan(100);
    expect(Math.abs(x.dataSync()[0] - 1)).toBeLessThan(1e-8);
    expect(Math.abs(x.dataSync()[1] - 1)).toBeLessThan(1e-8);
  });

  it("Newton's method solves a convex quadratic in one step", () => {
    const A = tensor(
      [
        [3, 1],
        [1, 2],
      ],
      f64,
    );
    const c = tensor([1, -1], f64);
    const x = tensor([5, -7], { ...f64, requiresGrad: true });
    const f = () => matmul(x, matmul(A, x)).mul(0.5).sub(matmul(c, x));
    new optim.Newton([x]).step(f);
    const xStar = solve(A, c);
    assertClose(x.detach(), xStar, 1e-12, 1e-14, 'x after one Newton step');
  });

  it('diagonal preconditioning lands on the minimum of a separable quadratic in one step', () => {
    const x = tensor([4, -3], { ...f64, requiresGrad: true });
    new optim.DiagonalNewton([x]).step(() => x.index(0).pow(2).mul(100).add(x.index(1).pow(2).mul(0.01)));
    assertClose(x.detach(), [0, 0], 0, 1e-5, 'x');
  });

  it('damped Newton with backtracking makes progress on Rosenbrock', () => {
    const x = tensor([-1.5, 2], { ...f64, requiresGrad: true });
    const opt = new optim.Newton([x], { damping: 1e-3, lineSearch: 'backtracking' });
    const f = () => PROBLEMS.rosenbrock(x);
    for (let i = 0; i < 60; i++) opt.step(f);
    expect(f().item()).toBeLessThan(1e-12);
  });
});

describe('gradient descent regimes on 1/2 x^T A x (A = diag(1, 10), lambda_max = 10)', () => {
  const A = tensor(
    [
      [1, 0],
      [0, 10],
    ],
    f64,
  );
  const f = (x: Tensor) => matmul(x, matmul(A, x)).mul(0.5);
  const run = (lr: number) => optim.minimize(f, tensor([1, 1], f64), { optimizer: optim.sgd(lr), steps: 30 });
  it('decays monotonically for lr < 1/lambda_max', () => {
    const r = run(0.05);
    const x2 = r.trajectory.map((x) => x.dataSync()[1]);
    expect(x2.every((v) => v > 0)).toBe(true);
    expect(r.losses.every((l, i) => i === 0 || l < r.losses[i - 1])).toBe(true);
  });
  it('oscillates but converges for 1/lambda_max < lr < 2/lambda_max', () => {
    const r = run(0.15);
    const x2 = r.trajectory.map((x) => x.dataSync()[1]);
    expect(x2.slice(1).every((v, i) => Math.sign(v) === (i % 2 === 0 ? -1 : 1))).toBe(true);
    expect(Math.abs(x2[30])).toBeLessThan(Math.abs(x2[0]) * 1e-3);
  });
  it('diverges for lr > 2/lambda_max', () => {
    const r = run(0.21);
    expect(r.losses[30]).toBeGreaterThan(r.losses[0] * 10);
  });
});

describe('minimize', () => {
  it("reproduces the lectures' GD example through an optax-style sgd", () => {
    const E = fixture<{ gd_quadratic: { x: number[][]; f: number[] } }>('lecture_examples.json').gd_quadratic;
    const r = optim.minimize(
      (x: Tensor) => x.index(0).pow(2).add(x.index(1).pow(2).mul(2)),
      tensor(E.x[0], f64),
      {
        optimizer: optim.sgd(0.1),
        steps: 10,
      },
    );
    r.trajectory.forEach((x, k) => assertClose(x, E.x[k], 1e-12, 1e-15, `x_${k}`));
    r.losses.forEach((l, k) => expect(Math.abs(l - E.f[k])).toBeLessThanOrEqual(1e-12 * E.f[k]));
  });
  it('works on trees of parameters and stops at gradTol', () => {
    const r = optim.minimize(
      (p: { a: Tensor; b: Tensor }) => sum(p.a.sub(1).pow(2)).add(sum(p.b.pow(2))),
      { a: tensor([3], f64), b: tensor([2, 2], f64) },
      {
        optimizer: optim.adam(0.1),
        steps: 5000,
        gradTol: 1e-6,
      },
    );
    expect(r.converged).toBe(true);
    expect(r.x.a.item()).toBeCloseTo(1, 5);
  });
});

describe('optax recipes that PyTorch defines identically agree with the torch runs to 1e-12', () => {
  interface Run {
    id: string;
    problem: keyof typeof PROBLEMS;
    constructor_kwargs: Record<string, number | boolean>;
    params: number[][];
  }
  const runs = fixture<{ runs: Run[] }>('optimizers_torch.json').runs;
  const recipe: Record<string, (k: Record<string, number | boolean>) => optim.GradientTransformation> = {
    sgd: (k) => optim.sgd(k.lr as number),
    sgd_momentum: (k) => optim.sgd(k.lr as number, { momentum: 0.9 }),
    sgd_nesterov: (k) => optim.sgd(k.lr as number, { momentum: 0.9, nesterov: true }),
    adam: (k) => optim.adam(k.lr as number),
    adamw: (k) => optim.adamw(k.lr as number, { weightDecay: k.weight_decay as number }),
    adamax: (k) => optim.adamax(k.lr as number),
    adadelta: (k) => optim.adadelta(k.lr as number, { rho: k.rho as number }),
  };
  for (const run of runs.filter((r) => r.id in recipe)) {
    it(`${run.id} on ${run.problem}`, () => {
      const r = optim.minimize(PROBLEMS[run.problem], tensor(run.params[0], f64), {
        optimizer: recipe[run.id](run.constructor_kwargs),
        steps: run.params.length - 1,
      });
      const scale = Math.max(...run.params.flat().map(Math.abs));
      r.trajectory.forEach((x, k) => assertClose(x, run.params[k], 1e-12, 1e-12 * scale, `${run.id} x_${k}`));
    });
  }
});

describe('the optimizer registry (one list for the CLI, the race and the playground)', () => {
  it('makes every class by name, with the SGD presets', () => {
    for (const name of optim.OPTIMIZER_NAMES) {
      const p = tensor([1, 2], { requiresGrad: true });
      const opt = optim.makeOptimizer(name, [p], { lr: 0.01 });
      expect(opt.paramGroups[0].params[0]).toBe(p);
    }
    const p = tensor([1], { requiresGrad: true });
    expect(
      (optim.makeOptimizer('momentum', [p]).paramGroups[0] as unknown as { momentum: number }).momentum,
    ).toBe(0.9);
    expect(
      (optim.makeOptimizer('nesterov', [p]).paramGroups[0] as unknown as { nesterov: boolean }).nesterov,
    ).toBe(true);
  });
  it('an unknown name or an option the class does not take is a ValueError naming it', () => {
    const p = tensor([1], { requiresGrad: true });
    expect(() => optim.makeOptimizer('adamm', [p])).toThrow(/unknown optimizer 'adamm'/);
    expect(() => optim.makeOptimizer('yogi', [p], { weightDecay: 0.1 })).toThrow(
      /unknown option 'weightDecay'/,
    );
    expect(optim.makeOptimizer('yogi', [p], { weightDecay: undefined })).toBeTruthy(); // undefined options are dropped
  });
});
