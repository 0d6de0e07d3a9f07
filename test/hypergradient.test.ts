/**
 * Differentiating through training, float64: the gradient of a validation loss after K unrolled steps
 * with respect to tensor hyperparameters (SGD's learning rate and weight decay, Adam's learning rate and
 * b1, momentum) against central finite differences (to 1e-6); the tuning loop lowers the validation
 * loss; SGD-HD and Adam-HD against a hand computation; the learning-to-learn example runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import type { Tensor } from '../src/index.js';
import {
  RECIPE_NAMES,
  addDecayedWeights,
  adam,
  adamHd,
  applyUpdates,
  chain,
  optimizerByName,
  sgd,
  sgdHd,
  unroll,
} from '../src/optim/index.js';

d.setDefaultDtype('float64');
d.manualSeed(5);
const Xtr = d.randn([20, 4]);
const wTrue = d.tensor([1, -2, 0.5, 3]);
const Ytr = d.matmul(Xtr, wTrue).add(d.randn([20]).mul(0.1));
const Xva = d.randn([10, 4]);
const Yva = d.matmul(Xva, wTrue);
const w0 = d.zeros([4]);
const trainLoss = (w: Tensor) => d.mseLoss(d.matmul(Xtr, w), Ytr);
const valLoss = (w: Tensor) => d.mseLoss(d.matmul(Xva, w), Yva);
const s = (v: number) => d.tensor(v);

/** Central differences of f at h in each coordinate. */
function fd(f: (...h: Tensor[]) => Tensor, hs: number[], eps = 1e-6): number[] {
  return hs.map((_, i) => {
    const at = (delta: number) => f(...hs.map((v, j) => s(j === i ? v + delta : v))).item();
    return (at(eps) - at(-eps)) / (2 * eps);
  });
}

function check(f: (...h: Tensor[]) => Tensor, hs: number[], what: string): void {
  const g = d.grad(f, { argnums: hs.map((_, i) => i) })(...hs.map(s)) as Tensor[];
  const want = fd(f, hs);
  g.forEach((gi, i) => {
    const err = Math.abs(gi.item() - want[i]);
    expect(err, `${what} d/dh${i}: ${gi.item()} vs ${want[i]}`).toBeLessThan(
      1e-6 * Math.max(1, Math.abs(want[i])),
    );
  });
}

describe('hypergradients through unrolled training', () => {
  it('SGD: d(validation loss after 5 steps)/d(lr, weight decay) equals central differences', () => {
    const f = (lr: Tensor, wd: Tensor) =>
      valLoss(unroll(chain(addDecayedWeights({ weightDecay: wd }), sgd(lr)), trainLoss, w0, 5).params);
    check(f, [0.05, 0.01], 'sgd');
  });

  it('SGD with momentum: d/d(lr, momentum)', () => {
    const f = (lr: Tensor, m: Tensor) => valLoss(unroll(sgd(lr, { momentum: m }), trainLoss, w0, 6).params);
    check(f, [0.03, 0.8], 'momentum');
  });

  it('Adam: d/d(lr, b1) equals central differences', () => {
    const f = (lr: Tensor, b1: Tensor) => valLoss(unroll(adam(lr, { b1 }), trainLoss, w0, 5).params);
    check(f, [0.1, 0.9], 'adam');
  });

  it('gradient descent on the learning rate and weight decay lowers the validation loss', () => {
    let h = [0.01, 0.1];
    const f = (lr: Tensor, wd: Tensor) =>
      valLoss(unroll(chain(addDecayedWeights({ weightDecay: wd }), sgd(lr)), trainLoss, w0, 5).params);
    const start = f(s(h[0]), s(h[1])).item();
    for (let it = 0; it < 20; it++) {
      const [glr, gwd] = d.grad(f, { argnums: [0, 1] })(s(h[0]), s(h[1])) as Tensor[];
      h = [Math.max(0, h[0] - 1e-3 * glr.item()), Math.max(0, h[1] - 1e-3 * gwd.item())];
    }
    const end = f(s(h[0]), s(h[1])).item();
    expect(end).toBeLessThan(0.5 * start);
  });

  it('unroll without grad is plain training', () => {
    const { params, losses } = unroll(sgd(0.05), trainLoss, w0, 3);
    let w = w0;
    for (let k = 0; k < 3; k++) w = applyUpdates(w, d.grad(trainLoss)(w).mul(-0.05)) as Tensor;
    expect(losses.length).toBe(3);
    expect((params as Tensor).sub(w).abs().max().item()).toBeLessThan(1e-14);
  });
});

describe('hypergradient descent (Baydin et al. 2018)', () => {
  it('SGD-HD: lr_t = lr_{t-1} + β <g_t, g_{t-1}>, by hand on f(w) = ½|w|²', () => {
    const tx = sgdHd(0.1, 0.01);
    let w = d.tensor([1, 2]);
    let state = tx.init(w);
    let lr = 0.1;
    let prev: number[] | null = null;
    let hand = [1, 2];
    for (let k = 0; k < 4; k++) {
      const g = w; // ∇ ½|w|² = w
      const [u, next] = tx.update(g, state, w);
      state = next;
      w = applyUpdates(w, u) as Tensor;
      const gh = hand;
      if (prev) lr += 0.01 * (gh[0] * prev[0] + gh[1] * prev[1]);
      prev = gh;
      hand = [gh[0] - lr * gh[0], gh[1] - lr * gh[1]];
      expect(state.lr).toBeCloseTo(lr, 14);
      expect(w.toArray()).toEqual(hand.map((v) => expect.closeTo(v, 12)));
    }
    expect(state.lr).toBeGreaterThan(0.1); // consistent gradients raise the rate
  });

  it('Adam-HD raises the rate while the directions agree', () => {
    const tx = adamHd(0.01, 0.001);
    let w = d.tensor([3, -2]);
    let state = tx.init(w);
    for (let k = 0; k < 10; k++) {
      const [u, next] = tx.update(w, state, w);
      state = next;
      w = applyUpdates(w, u) as Tensor;
    }
    expect(state.lr).toBeGreaterThan(0.01);
  });
});

describe('examples/learning-to-learn.ts', () => {
  it('meta-trains a learned optimizer and writes the plot against Adam', () => {
    const dir = mkdtempSync(join(tmpdir(), 'l2l-'));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'examples/learning-to-learn.ts', `--out=${dir}`, '--meta-steps=20'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /after 20 steps on unseen quadratics: learned \d\.\d+, Adam \(lr [\d.]+\) \d\.\d+/,
    );
    const svg = readFileSync(join(dir, 'learning-to-learn.svg'), 'utf8');
    expect(svg).toContain('learned optimizer');
    expect(svg).toContain('Adam, lr');
  }, 60_000);
});

describe('every optax recipe takes a tensor learning rate and stays differentiable in it', () => {
  for (const name of RECIPE_NAMES) {
    it(name, () => {
      // rprop and signSgd read only the signs of the gradients (still differentiable in lr); fromage's
      // and lars's steps scale with parameter norms, so start away from zero.
      const start = d.tensor([0.3, -0.2, 0.1, 0.4]);
      const f = (lr: Tensor) => valLoss(unroll(optimizerByName(name, lr), trainLoss, start, 3).params);
      check(f, [0.01], name);
    });
  }
});
