/**
 * vmap and forward mode, primitive by primitive (float64, on every backend):
 * - vmap(f)(batch) equals stacking f over the examples, for each argument batched alone at inAxes 0, 1
 *   and -1 (where its rank allows; the other arguments null), and for every argument batched at 0;
 * - jvp(f) along each basis vector equals the matching column of jacrev(f), for each float argument;
 * - the table covers every primitive the library defines (a new primitive without a case fails here).
 * Then compositions (vmap of vmap, vmap of grad, grad of vmap, jvp of vmap, vmap of jvp) and bad input.
 * Every backend available runs the tables and the compositions.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { primitiveNames } from '../src/autograd/primitive.js';
import {
  reluBackward,
  sigmoidBackward,
  tanhBackward,
  powScalar,
  castTo,
  alias,
} from '../src/ops/primitives/elementwise.js';
import { stridedScatter } from '../src/ops/primitives/shape.js';
import { gatherTrusted, scatterAddTrusted } from '../src/ops/primitives/indexing.js';
import { BatchingError } from '../src/errors.js';
import { assertClose } from './helpers.js';
import { forEachBackend } from './backends.js';

const B = 3;
let gen: d.Generator;
const R = (shape: number[], lo = -1, hi = 1) =>
  d
    .rand(shape, { generator: gen, dtype: 'float64' })
    .mul(hi - lo)
    .add(lo);
const P = (shape: number[]) => R(shape, 0.5, 2); // positive
const I = (shape: number[], n: number) => d.randint(0, n, shape, { generator: gen });

interface Case {
  /** The primitive the case exercises (by its registered name). */
  prim: string;
  label?: string;
  /** Example b's arguments (b = 0 .. B-1); integer arguments are indices. */
  make: () => Tensor[];
  f: (...xs: Tensor[]) => Tensor;
}

const unaryPos = new Set(['log', 'sqrt', 'rsqrt']);
const unaryUnit = new Set(['asin', 'acos', 'atan']);
const UNARY = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sigmoid',
  'relu',
  'atan',
  'asin',
  'acos',
  'sinh',
  'cosh',
  'erf',
  'abs',
  'log1p',
  'expm1',
  'sign',
  'floor',
  'ceil',
  'round',
  'trunc',
] as const;

function cases(): Case[] {
  const out: Case[] = [];
  for (const name of UNARY) {
    const fn = (d as unknown as Record<string, (x: Tensor) => Tensor>)[name];
    out.push({
      prim: name,
      make: () => [
        unaryPos.has(name) ? P([2, 3]) : unaryUnit.has(name) ? R([2, 3], -0.9, 0.9) : R([2, 3], -2, 2),
      ],
      f: (x) => fn(x),
    });
  }
  const bin: [string, (a: Tensor, b: Tensor) => Tensor, boolean?][] = [
    ['add', d.add],
    ['sub', d.sub],
    ['mul', d.mul],
    ['div', d.div],
    ['maximum', d.maximum],
    ['minimum', d.minimum],
    ['atan2', d.atan2],
    ['pow', d.pow, true],
    ['tanhBackward', tanhBackward],
    ['sigmoidBackward', sigmoidBackward],
    ['reluBackward', reluBackward],
  ];
  for (const [name, fn, pos] of bin) {
    out.push({ prim: name, make: () => [pos ? P([2, 3]) : R([2, 3]), pos ? P([2, 3]) : R([2, 3])], f: fn });
    // Broadcasting: a row against a matrix.
    out.push({
      prim: name,
      label: `${name} broadcast`,
      make: () => [pos ? P([3]) : R([3]), pos ? P([2, 3]) : R([2, 3])],
      f: fn,
    });
  }
  out.push({ prim: 'pow', label: 'powScalar', make: () => [P([2, 3])], f: (x) => powScalar(x, 3) });
  out.push({
    prim: 'where',
    make: () => [R([2, 3]), R([2, 3]), R([2, 3])],
    f: (c, a, b) => d.where(d.gt(c, 0), a, b),
  });
  out.push({ prim: 'to', make: () => [R([2, 3])], f: (x) => castTo(castTo(x, 'float32'), 'float64') });
  out.push({ prim: 'alias', make: () => [R([2, 3])], f: (x) => alias(x) });
  out.push({ prim: 'sum', make: () => [R([2, 3, 2])], f: (x) => d.sum(x, [0, 2]) });
  out.push({ prim: 'sum', label: 'sum keepdim', make: () => [R([2, 3])], f: (x) => d.sum(x, 1, true) });
  out.push({ prim: 'amax', make: () => [R([2, 3])], f: (x) => d.amax(x, 1) });
  out.push({ prim: 'amin', make: () => [R([2, 3])], f: (x) => d.amin(x, 0, true) });
  out.push({ prim: 'reshape', make: () => [R([2, 3])], f: (x) => d.reshape(x, [3, 2]) });
  out.push({ prim: 'permute', make: () => [R([2, 3, 2])], f: (x) => d.permute(x, [2, 0, 1]) });
  out.push({ prim: 'expand', make: () => [R([3, 1])], f: (x) => d.expand(x, [2, 3, 4]) });
  out.push({ prim: 'slice', make: () => [R([4, 3])], f: (x) => d.narrow(x, 0, 1, 2) });
  out.push({
    prim: 'sliceBackward',
    make: () => [R([2, 3])],
    f: (g) => stridedScatter(g, [4, 3], { shape: [2, 3], strides: [3, 1], offset: 3 }),
  });
  out.push({ prim: 'cat', make: () => [R([2, 3]), R([1, 3])], f: (a, b) => d.cat([a, b], 0) });
  out.push({ prim: 'cumsum', make: () => [R([2, 3])], f: (x) => d.cumsum(x, 1) });
  out.push({ prim: 'gather', make: () => [R([3, 4]), I([3, 2], 4)], f: (x, i) => gatherTrusted(x, 1, i) });
  out.push({
    prim: 'gather',
    label: 'gather axis 0',
    make: () => [R([4, 2]), I([3, 2], 4)],
    f: (x, i) => gatherTrusted(x, 0, i),
  });
  out.push({
    prim: 'scatterAdd',
    make: () => [R([3, 4]), I([3, 2], 4), R([3, 2])],
    f: (x, i, s) => scatterAddTrusted(x, 1, i, s),
  });
  out.push({ prim: 'matmul', make: () => [R([2, 3]), R([3, 4])], f: (a, b) => d.matmul(a, b) });
  out.push({
    prim: 'matmul',
    label: 'matmul batched',
    make: () => [R([2, 2, 3]), R([2, 3, 2])],
    f: (a, b) => d.matmul(a, b),
  });
  out.push({
    prim: 'matmul',
    label: 'linear',
    make: () => [R([2, 3]), R([4, 3])],
    f: (x, w) => d.linear(x, w),
  });
  out.push({
    prim: 'solve',
    make: () => [
      d
        .eye(3, 3, { dtype: 'float64' })
        .mul(3)
        .add(R([3, 3], -0.5, 0.5)),
      R([3, 2]),
    ],
    f: (a, b) => d.solve(a, b),
  });
  out.push({
    prim: 'unfold',
    label: 'avgPool2d',
    make: () => [R([1, 2, 4, 4])],
    f: (x) => d.avgPool2d(x, 2),
  });
  out.push({
    prim: 'fold',
    make: () => [R([1, 2, 4, 4]), R([1, 2, 2, 2])],
    f: (x, g) => d.vjp((y: Tensor) => d.avgPool2d(y, 2), x)[1](g)[0] as Tensor,
  });
  out.push({
    prim: 'conv2d',
    make: () => [R([2, 2, 5, 5]), R([3, 2, 3, 3])],
    f: (x, w) => d.conv2d(x, w, undefined, { padding: 1 }),
  });
  out.push({
    prim: 'conv2dWeightGrad',
    make: () => [R([2, 2, 5, 5]), R([2, 3, 5, 5])],
    f: (x, gy) =>
      d.vjp(
        (w: Tensor) => d.conv2d(x, w, undefined, { padding: 1 }),
        d.zeros([3, 2, 3, 3], { dtype: 'float64' }),
      )[1](gy)[0] as Tensor,
  });
  out.push({
    prim: 'conv2dInputGrad',
    make: () => [R([2, 3, 3, 3]), R([3, 2, 3, 3])],
    f: (gy, w) =>
      d.vjp((x: Tensor) => d.conv2d(x, w), d.zeros([2, 2, 5, 5], { dtype: 'float64' }))[1](gy)[0] as Tensor,
  });
  out.push({ prim: 'softmax', make: () => [R([2, 4])], f: (x) => d.softmax(x, 1) });
  out.push({ prim: 'logSoftmax', make: () => [R([2, 4])], f: (x) => d.logSoftmax(x, 0) });
  out.push({
    prim: 'logSoftmaxBackward',
    make: () => [R([2, 4]), R([2, 4])],
    f: (x, g) => d.vjp((y: Tensor) => d.logSoftmax(y, 1), x)[1](g)[0] as Tensor,
  });
  out.push({ prim: 'norm', make: () => [R([2, 3])], f: (x) => d.vectorNorm(x, 2, 1) });
  const cube = d.customVjp(
    (x: Tensor) => x.mul(x).mul(x),
    (g, { inputs: [x] }) => [g.mul(x.mul(x)).mul(3)],
    'customVjp',
  );
  out.push({ prim: 'customVjp', make: () => [R([2, 3])], f: (x) => cube(x) });
  out.push({
    prim: 'maxPool2d',
    label: 'maxPool2d (gather)',
    make: () => [R([1, 2, 4, 4])],
    f: (x) => d.maxPool2d(x, 2),
  });
  return out;
}

/** Example b's args, with only argument `only` varying (the others are example 0's) unless only = -1. */
function examples(c: Case): Tensor[][] {
  return Array.from({ length: B }, () => c.make());
}

function stackAt(xs: Tensor[], axis: number): Tensor {
  return d.stack(xs, axis);
}

const name = (c: Case) => c.label ?? c.prim;

forEachBackend(() =>
  describe('vmap: every primitive against a loop over the examples (float64)', () => {
    let table: Case[] = [];
    beforeAll(() => {
      gen = new d.Generator(7);
      table = cases();
    });

    it('covers every primitive the library defines', () => {
      const covered = new Set(table.map((c) => c.prim));
      const missing = primitiveNames().filter((n) => !covered.has(n) && n !== 'vmapIn' && n !== 'vmapOut');
      expect(missing).toEqual([]);
    });

    it('one argument batched at 0, 1 or -1 (the others unbatched), and all at 0', () => {
      let checked = 0;
      for (const c of table) {
        const ex = examples(c);
        const n = ex[0].length;
        for (let i = 0; i < n; i++) {
          const rank = ex[0][i].shape.length;
          for (const axis of [0, 1, -1]) {
            if (axis === 1 && rank < 1) continue;
            const phys = stackAt(
              ex.map((e) => e[i]),
              axis < 0 ? rank + 1 + axis : axis,
            );
            const args = ex[0].map((t, j) => (j === i ? phys : t));
            const inAxes = ex[0].map((_, j) => (j === i ? axis : null));
            const got = d.vmap(c.f, { inAxes })(...args);
            const want = d.stack(ex.map((e) => c.f(...ex[0].map((t, j) => (j === i ? e[i] : t)))));
            assertClose(got, want, 1e-12, 1e-12, `${name(c)}: argument ${i} at axis ${axis}`);
            checked++;
          }
        }
        const all = ex[0].map((_, j) => d.stack(ex.map((e) => e[j])));
        assertClose(
          d.vmap(c.f)(...all),
          d.stack(ex.map((e) => c.f(...e))),
          1e-12,
          1e-12,
          `${name(c)}: all at 0`,
        );
      }
      expect(checked).toBeGreaterThan(200);
    });
  }),
);

forEachBackend(() =>
  describe('jvp: every primitive against the jacrev column (float64)', () => {
    let table: Case[] = [];
    beforeAll(() => {
      gen = new d.Generator(11);
      table = cases();
    });

    it('J e_j from one forward-mode pass equals column j of the reverse-mode Jacobian', () => {
      let cols = 0;
      for (const c of table) {
        const args = c.make();
        args.forEach((x, i) => {
          if (x.dtype !== 'float64') return;
          const g = (v: Tensor) => c.f(...args.map((t, j) => (j === i ? v : t)));
          const J = d.jacrev(g)(x);
          const out = g(x);
          const Jm = d.reshape(J, [out.size, x.size]);
          for (let j = 0; j < x.size; j++) {
            const basis = d.reshape(d.eye(x.size, x.size, { dtype: 'float64' }).index(j), x.shape);
            const [y, t] = d.jvp(g, [x], [basis]);
            assertClose(y, out, 1e-12, 1e-12, `${name(c)} value`);
            assertClose(
              d.reshape(t, [out.size]),
              d.reshape(d.narrow(Jm, 1, j, 1), [out.size]),
              1e-10,
              1e-10,
              `${name(c)} arg ${i} column ${j}`,
            );
            cols++;
          }
        });
      }
      expect(cols).toBeGreaterThan(500);
    });
  }),
);

forEachBackend(() =>
  describe('vmap composes with grad, vjp, jvp and itself', () => {
    beforeAll(() => {
      gen = new d.Generator(3);
    });
    const f = (x: Tensor) => d.tanh(x).mul(d.sin(x)).sum();

    it('vmap(vmap(f)) equals f on every entry', () => {
      const x = R([3, 4, 5]);
      const got = d.vmap(d.vmap(f))(x);
      const want = d.stack(
        Array.from({ length: 3 }, (_, i) => d.stack(Array.from({ length: 4 }, (_, j) => f(x.index(i, j))))),
      );
      assertClose(got, want, 1e-12, 1e-12, 'vmap(vmap)');
      // Inner vmap over a different axis.
      const got2 = d.vmap(d.vmap(f, { inAxes: 1 }))(x);
      const want2 = d.stack(
        Array.from({ length: 3 }, (_, i) =>
          d.stack(Array.from({ length: 5 }, (_, k) => f(x.index(i).narrow(1, k, 1).reshape([4])))),
        ),
      );
      assertClose(got2, want2, 1e-12, 1e-12, 'vmap(vmap inAxes 1)');
    });

    it('vmap(grad(f)) is the per-example gradient; grad of vmap(f) summed is the total', () => {
      const x = R([4, 3]);
      const per = d.vmap(d.grad(f))(x);
      assertClose(
        per,
        d.stack(Array.from({ length: 4 }, (_, i) => d.grad(f)(x.index(i)) as Tensor)),
        1e-12,
        1e-12,
        'vmap(grad)',
      );
      const w = R([3]);
      const g = d.grad((v: Tensor) =>
        d
          .vmap((xi: Tensor) => f(xi.mul(v)))(x)
          .sum(),
      )(w);
      const want = d.grad((v: Tensor) =>
        d.sum(d.stack(Array.from({ length: 4 }, (_, i) => f(x.index(i).mul(v))))),
      )(w);
      assertClose(g, want, 1e-12, 1e-12, 'grad(vmap)');
    });

    it('jvp(vmap(f)) and vmap(jvp(f)) equal the loop of jvps', () => {
      const x = R([4, 3]);
      const t = R([4, 3]);
      const g = (v: Tensor) => d.tanh(v).mul(v);
      const [, jt] = d.jvp(d.vmap(g), [x], [t]);
      const [, jt2] = d.jvp(g, [x], [t]); // g is elementwise: the same thing
      assertClose(jt, jt2, 1e-12, 1e-12, 'jvp(vmap)');
      const vj = d.vmap((xi: Tensor, ti: Tensor) => d.jvp(f, [xi], [ti])[1])(x, t);
      const loop = d.stack(Array.from({ length: 4 }, (_, i) => d.jvp(f, [x.index(i)], [t.index(i)])[1]));
      assertClose(vj, loop, 1e-12, 1e-12, 'vmap(jvp)');
    });

    it('hvp (forward over reverse) and hessian match the reverse-over-reverse Hessian', () => {
      const x = R([4]);
      const v = R([4]);
      const H = d.jacrev((y: Tensor) => d.grad(f)(y) as Tensor)(x);
      assertClose(d.hvp(f, x, v), d.matmul(H, v), 1e-12, 1e-12, 'hvp');
      assertClose(d.hessian(f)(x), H, 1e-12, 1e-12, 'hessian');
    });

    it('trees: per-argument inAxes and outAxes', () => {
      const params = { w: R([3, 2]), b: R([2]) };
      const xs = R([5, 3]);
      const out = d.vmap(
        (p: { w: Tensor; b: Tensor }, x: Tensor) => ({ y: d.matmul(x, p.w).add(p.b), n: d.sum(x) }),
        {
          inAxes: [null, 0],
          outAxes: { y: 1, n: 0 },
        },
      )(params, xs);
      assertClose(out.y, d.matmul(xs, params.w).add(params.b).transpose(0, 1), 1e-12, 1e-12, 'outAxes 1');
      assertClose(out.n, d.sum(xs, 1), 1e-12, 1e-12, 'outAxes 0');
    });
  }),
);

describe('vmap: one tensor passed twice is batched along each of its axes', () => {
  it('f(X, X) with inAxes [0, 1] equals f(X, copy of X); an output returned twice takes each outAxis', () => {
    const X = d.randn([4, 4], { generator: new d.Generator(1), dtype: 'float64' });
    const f = d.vmap((a: Tensor, b: Tensor) => a.mul(b), { inAxes: [0, 1] });
    expect(Array.from(f(X, X).dataSync())).toEqual(Array.from(f(X, X.clone()).dataSync()));
    expect(Array.from(f(X, X).dataSync())).toEqual(Array.from(X.mul(X.t()).dataSync()));
    const tree = d.vmap((p: { a: Tensor; b: Tensor }) => p.a.add(p.b), { inAxes: [{ a: 0, b: 1 }] });
    expect(Array.from(tree({ a: X, b: X }).dataSync())).toEqual(Array.from(X.add(X.t()).dataSync()));
    const [o1, o2] = d.vmap((a: Tensor) => [a.mul(2), a.mul(2)], { outAxes: [0, 1] })(X) as Tensor[];
    const twice = d.vmap(
      (a: Tensor) => {
        const y = a.mul(2);
        return [y, y];
      },
      { outAxes: [0, 1] },
    );
    const [t1, t2] = twice(X) as Tensor[];
    expect(Array.from(t1!.dataSync())).toEqual(Array.from(o1!.dataSync()));
    expect(Array.from(t2!.dataSync())).toEqual(Array.from(o2!.dataSync()));
    expect(Array.from(t2!.dataSync())).toEqual(Array.from(X.mul(2).t().dataSync()));
  });
});

describe('vmap: bad input is a typed error naming the argument and the sizes', () => {
  const f = (a: Tensor, b: Tensor) => a.add(b);
  it('inAxes longer than the arguments', () => {
    expect(() => d.vmap(f, { inAxes: [0, 0, 0] })(d.zeros([2]), d.zeros([2]))).toThrow(BatchingError);
    expect(() => d.vmap(f, { inAxes: [0, 0, 0] })(d.zeros([2]), d.zeros([2]))).toThrow(
      /3 entries.*2 argument/,
    );
  });
  it('an axis out of range', () => {
    expect(() => d.vmap(f, { inAxes: [2, null] })(d.zeros([2, 3]), d.zeros([3]))).toThrow(
      /argument 0: axis 2 is out of range for shape \[2, 3\]/,
    );
  });
  it('batch sizes that differ', () => {
    expect(() => d.vmap(f)(d.zeros([2, 3]), d.zeros([4, 3]))).toThrow(
      /argument 0 \(shape \[2, 3\]\) has 2 .* argument 1 has 4/,
    );
  });
  it('no batched argument, and reading a batched value', () => {
    expect(() => d.vmap(f, { inAxes: null })(d.zeros([2]), d.zeros([2]))).toThrow(BatchingError);
    expect(() => d.vmap((a: Tensor) => d.tensor(a.item()))(d.zeros([2]))).toThrow(/read directly/);
  });
  it('backward() inside vmap is refused (grad() is the way)', () => {
    const w = d.zeros([3], { requiresGrad: true });
    expect(() =>
      d.vmap((x: Tensor) => {
        x.mul(w).sum().backward();
        return x;
      })(d.ones([2, 3])),
    ).toThrow(/use grad\(\)/);
  });
});
