/** Second order: Hessians, jvp/jacfwd/jacrev, Lanczos and friends, landscape analysis, bad input. */
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Generator, type Tensor, tensor } from '../src/index.js';
import * as dg from '../src/diagnostics/index.js';
import * as nn from '../src/nn/index.js';
import { assertClose } from './helpers.js';
import { OPS } from './ops.table.js';

const f64 = { dtype: 'float64' as const };
const rosen = (x: Tensor) => {
  let s: Tensor | null = null;
  for (let i = 0; i < x.shape[0] - 1; i++) {
    const t = x
      .index(i + 1)
      .sub(x.index(i).pow(2))
      .pow(2)
      .mul(100)
      .add(x.index(i).neg().add(1).pow(2));
    s = s ? s.add(t) : t;
  }
  return s!;
};
const lse = (x: Tensor) => d.logsumexp(x, 0);
const x5 = tensor([0.5, -0.3, 1.2, 0.8, -1.1], f64);

function rosenHessian(x: number[]): number[][] {
  const n = x.length;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    if (i < n - 1) {
      H[i][i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2;
      H[i][i + 1] = H[i + 1][i] = -400 * x[i];
    }
    if (i > 0) H[i][i] += 200;
  }
  return H;
}

function lseHessian(x: number[]): number[][] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  const p = e.map((v) => v / s);
  return p.map((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
}

/** A small tanh MLP's loss as a function of a record of parameters. */
function mlpLoss() {
  const g = new Generator(8);
  const x = d.randn([6, 2], { ...f64, generator: g });
  const y = d.randn([6, 1], { ...f64, generator: g });
  const params = {
    w1: d.randn([2, 4], { ...f64, generator: g }),
    b1: d.randn([4], { ...f64, generator: g }),
    w2: d.randn([4, 1], { ...f64, generator: g }),
  };
  const f = (p: typeof params) => d.mseLoss(d.tanh(x.matmul(p.w1).add(p.b1)).matmul(p.w2), y);
  return { f, params };
}

describe('Hessians', () => {
  it('5-D Rosenbrock and 5-D logsumexp match their analytic Hessians to 1e-10', () => {
    assertClose(
      dg.hessian(rosen)(x5),
      tensor(rosenHessian(Array.from(x5.dataSync())), f64),
      1e-10,
      1e-10,
      'rosenbrock',
    );
    assertClose(
      dg.hessian(lse)(x5),
      tensor(lseHessian(Array.from(x5.dataSync())), f64),
      1e-10,
      1e-12,
      'logsumexp',
    );
  });
  it("a tanh MLP's loss Hessian is symmetric and matches finite differences of the gradient to 1e-6", () => {
    const { f, params } = mlpLoss();
    const H = dg.hessian(f)(params);
    const n = H.shape[0];
    expect(n).toBe(2 * 4 + 4 + 4);
    assertClose(H, H.t(), 0, 1e-14, 'symmetry');
    const { flat, unravel } = d.ravel(params);
    const gradAt = (v: Tensor) => d.grad((u: Tensor) => f(unravel(u)))(v);
    const h = 1e-5;
    for (let j = 0; j < n; j++) {
      const e = d.zeros([n], f64);
      d.noGrad(() => e.setIndex_([j], h));
      const col = gradAt(flat.add(e))
        .sub(gradAt(flat.sub(e)))
        .div(2 * h);
      assertClose(H.index(':', j), col, 0, 1e-6, `column ${j}`);
    }
  });
  it('hvp equals hessian @ v to 1e-12 on all three', () => {
    const g = new Generator(3);
    for (const f of [rosen, lse]) {
      const v = d.randn([5], { ...f64, generator: g });
      const Hv = dg.hessian(f)(x5).matmul(v);
      assertClose(dg.hvp(f, x5, v), Hv, 1e-12, 1e-12 * d.vectorNorm(Hv).item(), 'hvp');
    }
    const { f, params } = mlpLoss();
    const v = d.treeMap(params, (p) => d.randnLike(p, { generator: g })) as typeof params;
    const Hv = dg.hessian(f)(params).matmul(d.ravel(v).flat);
    assertClose(d.ravel(dg.hvp(f, params, v)).flat, Hv, 1e-12, 1e-12, 'mlp hvp');
  });
});

describe('forward mode', () => {
  for (const op of OPS) {
    it(`jvp equals jacrev's columns: ${op.name}`, () => {
      const g = new Generator(21);
      const inputs = op.samples(new Generator(1234))[0];
      inputs.forEach((_, k) => {
        const fk = (x: Tensor) => op.fn(...inputs.map((t, i) => (i === k ? x : t)));
        const x = inputs[k];
        const J = dg.jacrev(fk)(x);
        const Jm = J.reshape(-1, x.size);
        const v = d.randn([...x.shape], { ...f64, generator: g });
        const [, jv] = dg.jvp(fk, [x], [v]);
        assertClose(jv.reshape(-1), Jm.matmul(v.reshape(-1)), 1e-10, 1e-10, `${op.name} input ${k}: J v`);
        const j = g.randint(0, x.size);
        const e = d.zeros([x.size], f64);
        d.noGrad(() => e.setIndex_([j], 1));
        const [, col] = dg.jvp(fk, [x], [e.reshape(x.shape)]);
        assertClose(col.reshape(-1), Jm.index(':', j), 1e-10, 1e-12, `${op.name} input ${k}: column ${j}`);
      });
    });
  }
  it('jacfwd equals jacrev on softmax and on a nonlinear vector function', () => {
    const x = tensor([0.2, -1.0, 0.7, 1.5], f64);
    const fns = [
      (x: Tensor) => d.softmax(x, 0),
      (x: Tensor) => d.stack([x.index(0).mul(x.index(1)), d.sin(x.index(2)), x.pow(2).sum()]),
    ];
    for (const f of fns) assertClose(dg.jacfwd(f)(x), dg.jacrev(f)(x), 1e-12, 1e-14, 'jacfwd vs jacrev');
  });
  it('jvp composes with grad', () => {
    const x = tensor(0.7, f64);
    // d/dx of the jvp of sin at x along 1 is -sin(x).
    const g = d.grad((x: Tensor) => dg.jvp((y: Tensor) => d.sin(y), [x], [tensor(1, f64)])[1])(x);
    expect(g.item()).toBeCloseTo(-Math.sin(0.7), 12);
  });
});

/** An MLP loss with about `hidden`-sized layers; returns the Hessian operator over its parameters. */
function mlpOperator(sizes: number[], batch: number, seed: number) {
  d.manualSeed(seed);
  const layers: nn.Module[] = [];
  for (let i = 0; i < sizes.length - 1; i++) {
    layers.push(new nn.Linear(sizes[i], sizes[i + 1], f64));
    if (i < sizes.length - 2) layers.push(new nn.Tanh());
  }
  const model = new nn.Sequential(...layers);
  const g = new Generator(seed);
  const x = d.randn([batch, sizes[0]], { ...f64, generator: g });
  const y = d.randn([batch, sizes[sizes.length - 1]], { ...f64, generator: g });
  const op = dg.hessianOperator(() => d.mseLoss(model.call(x) as Tensor, y), model.parameters());
  return { op, model };
}

describe('spectra', () => {
  it('Lanczos top-5 eigenvalues of an MLP Hessian (~1,900 parameters) match the dense eigendecomposition to 1e-6', () => {
    const { op } = mlpOperator([10, 45, 30, 1], 32, 1);
    expect(op.dim).toBe(1906);
    const dense = Array.from(dg.denseEigen(op, { vectors: false }).values.dataSync())
      .reverse()
      .slice(0, 5);
    const r = dg.lanczos(op, {
      k: 5,
      which: 'largest',
      tol: 1e-10,
      maxIter: 300,
      generator: new Generator(2),
    });
    r.largest.forEach((v, i) =>
      expect(Math.abs(v - dense[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(dense[i]))),
    );
  }, 120_000);
  it('finds the top eigenvalue of a ~100,000-parameter network with fewer than 50 Hessian-vector products', () => {
    const { op } = mlpOperator([50, 300, 250, 10], 64, 3);
    expect(op.dim).toBeGreaterThan(90_000);
    const r = dg.lanczos(op, { k: 1, which: 'largest', tol: 1e-6, maxIter: 49, generator: new Generator(4) });
    expect(r.converged).toBe(true);
    expect(r.matvecs).toBeLessThan(50);
    const hv = op.matvec(r.largestVectors[0]);
    const resid = d.vectorNorm(hv.sub(r.largestVectors[0].mul(r.largest[0]))).item();
    expect(resid).toBeLessThan(1e-4 * Math.abs(r.largest[0]));
  }, 120_000);
  it('power iteration, Hutchinson trace and diagonal, spectral density and eigh agree with a known matrix', () => {
    const g = new Generator(6);
    const M = d.randn([6, 6], { ...f64, generator: g });
    const Q = d.eigh(M.add(M.t())).vectors;
    const lam = tensor([-2, 0.5, 1, 3, 4, 9], f64);
    const A = Q.matmul(d.diagEmbed(lam)).matmul(Q.t());
    const op = dg.denseOperator(A);
    expect(dg.powerIteration(op, { generator: g, tol: 1e-12, maxIter: 2000 }).value).toBeCloseTo(9, 6);
    const { values, vectors } = d.eigh(A);
    assertClose(values, lam, 1e-12, 1e-12, 'eigh values');
    assertClose(vectors.matmul(d.diagEmbed(values)).matmul(vectors.t()), A, 0, 1e-12, 'reconstruction');
    expect(dg.hutchinsonTrace(op, { samples: 4000, generator: g }).estimate).toBeCloseTo(15.5, 0);
    const diag = dg.hutchinsonDiagonal(op, { samples: 4000, generator: g });
    assertClose(diag, d.diagonal(A), 0, 0.5, 'diagonal');
    const sd = dg.spectralDensity(op, { vectors: 4, steps: 6, generator: g });
    const dx = sd.grid[1] - sd.grid[0];
    expect(sd.density.reduce((a, b) => a + b, 0) * dx).toBeCloseTo(1, 1);
    const both = dg.lanczos(op, { k: 2, which: 'both', generator: g });
    expect(both.largest.map((v) => +v.toFixed(9))).toEqual([9, 4]);
    expect(both.smallest.map((v) => +v.toFixed(9))).toEqual([-2, 0.5]);
  });
});

describe('landscape analysis', () => {
  it("the lectures' quadratic 1/2 x^T A x: condition number and 2/lambda_max exactly", () => {
    const A = tensor(
      [
        [3, 1, 0],
        [1, 3, 0],
        [0, 0, 1],
      ],
      f64,
    ); // eigenvalues 1, 2, 4
    const f = (x: Tensor) => x.matmul(A.matmul(x)).mul(0.5);
    const r = dg.analyzeLandscape(f, tensor([0, 0, 0], f64));
    expect(r.kind).toBe('minimum');
    expect(Math.abs(r.conditionNumber - 4)).toBeLessThan(1e-12);
    expect(Math.abs(r.maxStableLr - 0.5)).toBeLessThan(1e-12);
    expect(r.top[0]).toBeCloseTo(4, 12);
    expect(r.bottom[0]).toBeCloseTo(1, 12);
    expect(dg.analyzeLandscape(f, tensor([1, 0, 0], f64)).kind).toBe('not critical');
  });
  it('classifies the critical point of x^2 - y^2 as a saddle (and +-(x^2 + y^2) as min/max)', () => {
    const p = tensor([0, 0], f64);
    expect(dg.analyzeLandscape((v: Tensor) => v.index(0).pow(2).sub(v.index(1).pow(2)), p).kind).toBe(
      'saddle',
    );
    expect(dg.analyzeLandscape((v: Tensor) => v.pow(2).sum(), p).kind).toBe('minimum');
    expect(dg.analyzeLandscape((v: Tensor) => v.pow(2).sum().neg(), p).kind).toBe('maximum');
  });
  it('uses Lanczos for large models and reports curvature along a direction', () => {
    const { f, params } = mlpLoss();
    const r = dg.analyzeLandscape(f, params, { denseUpTo: 5, k: 2 });
    expect(r.method).toBe('lanczos');
    const dense = dg.analyzeLandscape(f, params, { k: 2 });
    r.top.forEach((v, i) => expect(v).toBeCloseTo(dense.top[i], 8));
    const v = d.treeMap(params, (t) => d.onesLike(t)) as typeof params;
    const Hv = d.ravel(dg.hvp(f, params, v)).flat;
    expect(dg.curvature(f, params, v)).toBeCloseTo(d.sum(Hv.mul(d.ravel(v).flat)).item(), 10);
  });
  it('checks convexity along a segment (Jensen) and slices the loss', () => {
    const a = tensor([-1, 2], f64);
    const b = tensor([3, -1], f64);
    expect(dg.convexityAlongSegment((x: Tensor) => x.pow(2).sum(), a, b).convex).toBe(true);
    const nc = dg.convexityAlongSegment((x: Tensor) => d.sin(x.mul(3)).sum(), a, b);
    expect(nc.convex).toBe(false);
    expect(nc.maxViolation).toBeGreaterThan(0.1);
    const s1 = dg.lossSlice1d((x: Tensor) => x.pow(2).sum(), a, tensor([1, 0], f64), {
      from: -1,
      to: 1,
      steps: 3,
    });
    expect(s1.losses).toEqual([4 + 4, 1 + 4, 0 + 4]);
    const s2 = dg.lossSlice2d((x: Tensor) => x.pow(2).sum(), a, tensor([1, 0], f64), tensor([0, 1], f64), {
      steps: 3,
    });
    expect(s2.losses[1][1]).toBe(5);
    expect(s2.losses[0][2]).toBe(4 + 9);
  });
  it('filter-normalized random directions match each filter norm and zero 1-D parameters', () => {
    const params = { w: d.randn([3, 4], { ...f64, generator: new Generator(1) }), b: d.randn([3], f64) };
    const dir = dg.randomDirection(params, {
      filterNormalize: true,
      generator: new Generator(2),
    }) as typeof params;
    assertClose(d.vectorNorm(dir.w, 2, 1), d.vectorNorm(params.w, 2, 1), 1e-9, 0, 'filter norms');
    assertClose(dir.b, [0, 0, 0], 0, 0, 'bias');
  });
});

describe('bad input', () => {
  it('hvp with a vector of the wrong shape names v and both shapes', () => {
    expect(() => dg.hvp(rosen, x5, d.zeros([4], f64))).toThrow(d.ShapeError);
    expect(() => dg.hvp(rosen, x5, d.zeros([4], f64))).toThrow(
      /^hvp: v has shape \[4\] where the input has shape \[5\]/,
    );
    const { op } = mlpOperator([2, 3, 1], 4, 1);
    expect(() => op.matvec(d.zeros([2], f64))).toThrow(/^hvp: the vector v has shape \[2\]; expected \[13\]/);
  });
  it('hessian of a non-scalar function', () => {
    expect(() => dg.hessian((x: Tensor) => x.mul(2))(x5)).toThrow(d.AutogradError);
    expect(() => dg.hessian((x: Tensor) => x.mul(2))(x5)).toThrow(
      /^hessian: the function must return a scalar .* shape \[5\]/,
    );
  });
  it('Lanczos with k larger than the dimension', () => {
    const op = dg.denseOperator(d.eye(3, 3, f64));
    expect(() => dg.lanczos(op, { k: 4 })).toThrow(d.ValueError);
    expect(() => dg.lanczos(op, { k: 4 })).toThrow(/^lanczos: k = 4 .* dimension 3/);
    expect(() => dg.lanczos(op, { k: 2, which: 'both' })).toThrow(/asks for 4 eigenvalues/);
  });
});
