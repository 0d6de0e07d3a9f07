/**
 * The optax recipes: the first three steps against updates computed here by hand from optax's documented
 * rules (plain numbers, one coordinate at a time, independent of the library), and convergence on the
 * reference file's quadratic and least-squares problems.
 */
import { describe, expect, it } from 'vitest';
import { type Tensor, matmul, solve, tensor } from '../src/index.js';
import * as optim from '../src/optim/index.js';
import { assertClose } from './helpers.js';
import { PROBLEMS } from './problems.js';

const X0 = [-5, -2];
/** Gradient of x0^2 + 2 x1^2, by hand. */
const gradQ = (x: number[]) => [2 * x[0], 4 * x[1]];
const sgn = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);
const norm = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0));

/** Runs a hand-written rule for three steps: rule(g, x, t) returns the update (to add to x). */
function byHand(rule: (g: number[], x: number[], t: number) => number[]): number[][] {
  let x = [...X0];
  const out = [x];
  for (let t = 1; t <= 3; t++) {
    const u = rule(gradQ(x), x, t);
    x = x.map((v, i) => v + u[i]);
    out.push(x);
  }
  return out;
}

/** Per-coordinate state for the hand rules. */
const zeros = () => [0, 0];

function adamDir(b1: number, b2: number, eps: number, nesterov = false) {
  const m = zeros();
  const v = zeros();
  return (g: number[], t: number) =>
    g.map((gi, i) => {
      m[i] = (1 - b1) * gi + b1 * m[i];
      v[i] = (1 - b2) * gi * gi + b2 * v[i];
      const mhat = nesterov
        ? (b1 * m[i]) / (1 - b1 ** (t + 1)) + ((1 - b1) * gi) / (1 - b1 ** t)
        : m[i] / (1 - b1 ** t);
      return mhat / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
    });
}

const HAND: Record<
  string,
  [optim.GradientTransformation, () => (g: number[], x: number[], t: number) => number[]]
> = {
  sgd: [optim.sgd(0.1), () => (g) => g.map((v) => -0.1 * v)],
  momentum: [
    optim.sgd(0.05, { momentum: 0.9 }),
    () => {
      const tr = zeros();
      return (g) => g.map((v, i) => -0.05 * (tr[i] = v + 0.9 * tr[i]));
    },
  ],
  nesterov: [
    optim.sgd(0.05, { momentum: 0.9, nesterov: true }),
    () => {
      const tr = zeros();
      return (g) =>
        g.map((v, i) => {
          tr[i] = v + 0.9 * tr[i];
          return -0.05 * (v + 0.9 * tr[i]);
        });
    },
  ],
  adagrad: [
    optim.adagrad(0.5),
    () => {
      const s = [0.1, 0.1];
      return (g) => g.map((v, i) => -0.5 * v * (1 / Math.sqrt((s[i] += v * v) + 1e-7)));
    },
  ],
  rmsprop: [
    optim.rmsprop(0.1),
    () => {
      const nu = zeros();
      return (g) => g.map((v, i) => -0.1 * v * (1 / Math.sqrt((nu[i] = 0.1 * v * v + 0.9 * nu[i]) + 1e-8)));
    },
  ],
  'rmsprop centered, momentum': [
    optim.rmsprop(0.01, { centered: true, momentum: 0.9 }),
    () => {
      const [mu, nu, tr] = [zeros(), zeros(), zeros()];
      return (g) =>
        g.map((v, i) => {
          mu[i] = (1 - 0.9) * v + 0.9 * mu[i];
          nu[i] = (1 - 0.9) * v * v + 0.9 * nu[i];
          const u = -0.01 * v * (1 / Math.sqrt(nu[i] - mu[i] * mu[i] + 1e-8));
          return (tr[i] = u + 0.9 * tr[i]);
        });
    },
  ],
  adadelta: [
    optim.adadelta(1.0),
    () => {
      const [eg, ex] = [zeros(), zeros()];
      return (g) =>
        g.map((v, i) => {
          eg[i] = (1 - 0.9) * v * v + 0.9 * eg[i];
          const d = (Math.sqrt(ex[i] + 1e-6) / Math.sqrt(eg[i] + 1e-6)) * v;
          ex[i] = (1 - 0.9) * d * d + 0.9 * ex[i];
          return -d;
        });
    },
  ],
  adam: [
    optim.adam(0.1),
    () => {
      const dir = adamDir(0.9, 0.999, 1e-8);
      return (g, _x, t) => dir(g, t).map((d) => -0.1 * d);
    },
  ],
  nadam: [
    optim.nadam(0.1),
    () => {
      const dir = adamDir(0.9, 0.999, 1e-8, true);
      return (g, _x, t) => dir(g, t).map((d) => -0.1 * d);
    },
  ],
  adamw: [
    optim.adamw(0.1, { weightDecay: 0.05 }),
    () => {
      const dir = adamDir(0.9, 0.999, 1e-8);
      return (g, x, t) => dir(g, t).map((d, i) => -0.1 * (d + 0.05 * x[i]));
    },
  ],
  amsgrad: [
    optim.amsgrad(0.1),
    () => {
      const [m, v, vmax] = [zeros(), zeros(), zeros()];
      return (g, _x, t) =>
        g.map((gi, i) => {
          m[i] = 0.1 * gi + 0.9 * m[i];
          v[i] = (1 - 0.999) * gi * gi + 0.999 * v[i];
          vmax[i] = Math.max(vmax[i], v[i] / (1 - 0.999 ** t));
          return (-0.1 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(vmax[i]) + 1e-8);
        });
    },
  ],
  adamax: [
    optim.adamax(0.1),
    () => {
      const [m, u] = [zeros(), zeros()];
      return (g, _x, t) =>
        g.map((gi, i) => {
          m[i] = (1 - 0.9) * gi + 0.9 * m[i];
          u[i] = Math.max(0.999 * u[i], Math.abs(gi) + 1e-8);
          return -0.1 * (m[i] / (1 - 0.9 ** t) / u[i]);
        });
    },
  ],
  radam: [
    optim.radam(0.1),
    () => {
      const m = zeros();
      // rho_t < 5 for the first steps: plain bias-corrected momentum.
      return (g, _x, t) => g.map((gi, i) => -0.1 * ((m[i] = (1 - 0.9) * gi + 0.9 * m[i]) / (1 - 0.9 ** t)));
    },
  ],
  yogi: [
    optim.yogi(0.1),
    () => {
      const [m, v] = [
        [1e-6, 1e-6],
        [1e-6, 1e-6],
      ];
      return (g, _x, t) =>
        g.map((gi, i) => {
          m[i] = (1 - 0.9) * gi + 0.9 * m[i];
          v[i] = v[i] - (1 - 0.999) * sgn(v[i] - gi * gi) * gi * gi;
          return (-0.1 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-3);
        });
    },
  ],
  adabelief: [
    optim.adabelief(0.1),
    () => {
      const [m, s] = [zeros(), zeros()];
      return (g, _x, t) =>
        g.map((gi, i) => {
          m[i] = (1 - 0.9) * gi + 0.9 * m[i];
          s[i] = (1 - 0.999) * (gi - m[i]) ** 2 + 0.999 * s[i] + 1e-16;
          return (-0.1 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(s[i] / (1 - 0.999 ** t)) + 1e-16);
        });
    },
  ],
  lamb: [
    optim.lamb(0.1, { weightDecay: 0.01 }),
    () => {
      const dir = adamDir(0.9, 0.999, 1e-6);
      return (g, x, t) => {
        const u = dir(g, t).map((d, i) => d + 0.01 * x[i]);
        const ratio = norm(x) / norm(u);
        return u.map((v) => -0.1 * ratio * v);
      };
    },
  ],
  lion: [
    optim.lion(0.1),
    () => {
      const m = zeros();
      return (g, x) =>
        g.map((gi, i) => {
          const u = sgn((1 - 0.9) * gi + 0.9 * m[i]);
          m[i] = (1 - 0.99) * gi + 0.99 * m[i];
          return -0.1 * (u + 1e-3 * x[i]);
        });
    },
  ],
  novograd: [
    optim.novograd(0.1),
    () => {
      let n = 0;
      const m = zeros();
      return (g, x, t) => {
        const sq = norm(g) ** 2;
        n = t === 1 ? sq : (1 - 0.25) * sq + 0.25 * n;
        return g.map((gi, i) => {
          const a = gi / (Math.sqrt(n) + 1e-6) + 0 * x[i];
          m[i] = t === 1 ? a : 0.9 * m[i] + a;
          return -0.1 * m[i];
        });
      };
    },
  ],
  adan: [
    optim.adan(0.1),
    () => {
      const [m, v, n, prev] = [zeros(), zeros(), zeros(), zeros()];
      const [b1, b2, b3] = [0.98, 0.92, 0.99];
      return (g, _x, t) =>
        g.map((gi, i) => {
          const diff = t === 1 ? 0 : gi - prev[i];
          prev[i] = gi;
          m[i] = (1 - b1) * gi + b1 * m[i];
          v[i] = (1 - b2) * diff + b2 * v[i];
          n[i] = (1 - b3) * (gi + (1 - b2) * diff) ** 2 + b3 * n[i];
          const u = m[i] / (1 - b1 ** t) + (1 - b2) * (v[i] / (1 - b2 ** t));
          return (-0.1 * u) / (Math.sqrt(n[i] / (1 - b3 ** t) + 1e-8) + 1e-8); // optax.adan: eps_root 1e-8
        });
    },
  ],
  rprop: [
    optim.rprop(0.1),
    () => {
      const step = [0.1, 0.1];
      const prev = zeros();
      return (g) =>
        g.map((gi, i) => {
          const sg = gi * prev[i];
          step[i] = sg === 0 ? step[i] : Math.min(Math.max(step[i] * (sg > 0 ? 1.2 : 0.5), 1e-6), 50);
          prev[i] = sg < 0 ? 0 : step[i] * sgn(gi);
          return -(sg < 0 ? 0 : prev[i]);
        });
    },
  ],
  lars: [
    optim.lars(0.5, { weightDecay: 0.01 }),
    () => {
      const tr = zeros();
      return (g, x) => {
        const u = g.map((gi, i) => gi + 0.01 * x[i]);
        const trust = (0.001 * norm(x)) / norm(u);
        return u.map((v, i) => (tr[i] = -0.5 * trust * v + 0.9 * tr[i]));
      };
    },
  ],
  fromage: [
    optim.fromage(0.1),
    () => {
      const mult = 1 / Math.sqrt(1 + 0.01);
      return (g, x) => {
        const trust = norm(x) / norm(g);
        return g.map((gi, i) => -0.1 * mult * trust * gi + (mult - 1) * x[i]);
      };
    },
  ],
  signSgd: [optim.signSgd(0.1), () => (g) => g.map((v) => -0.1 * sgn(v))],
};

describe('optax recipes: first three steps equal the hand computation of optax rules', () => {
  for (const [name, [tx, rule]] of Object.entries(HAND)) {
    it(name, () => {
      const expected = byHand(rule());
      const r = optim.minimize(PROBLEMS.quadratic, tensor(X0, { dtype: 'float64' }), {
        optimizer: tx,
        steps: 3,
      });
      r.trajectory.forEach((x, k) => assertClose(x, expected[k], 1e-12, 1e-13, `${name} x_${k}`));
    });
  }
});

const LS = PROBLEMS.least_squares;
const lsMin = (() => {
  const A = tensor(
    [
      [1.0, 2.0, 0.5],
      [0.3, -1.0, 2.0],
      [1.5, 0.2, -0.7],
      [-0.4, 0.8, 1.1],
      [2.0, -0.5, 0.3],
    ],
    { dtype: 'float64' },
  );
  const b = tensor([1.0, -2.0, 0.5, 3.0, -1.0], { dtype: 'float64' });
  return LS(solve(matmul(A.t(), A), matmul(A.t(), b))).item();
})();

/** lr and steps per recipe that bring both problems within 1e-3 of their initial gap to the optimum. */
/** A geometrically decaying step size, for the methods whose steps do not shrink by themselves. */
const decaying =
  (lr: number): optim.Schedule =>
  (c) =>
    lr * 0.99 ** c;

const CONVERGE: Record<
  string,
  [(lr: optim.ScalarOrSchedule) => optim.GradientTransformation, optim.ScalarOrSchedule, number]
> = {
  sgd: [(lr) => optim.sgd(lr), 0.05, 400],
  momentum: [(lr) => optim.sgd(lr, { momentum: 0.9 }), 0.02, 400],
  nesterov: [(lr) => optim.sgd(lr, { momentum: 0.9, nesterov: true }), 0.02, 400],
  adagrad: [(lr) => optim.adagrad(lr), 1, 400],
  rmsprop: [(lr) => optim.rmsprop(lr, { decay: 0.99 }), decaying(0.05), 600],
  adadelta: [(lr) => optim.adadelta(lr), (c: number) => 30 * 0.997 ** c, 1000],
  adam: [(lr) => optim.adam(lr), 0.1, 600],
  nadam: [(lr) => optim.nadam(lr), 0.1, 600],
  adamw: [(lr) => optim.adamw(lr, { weightDecay: 0 }), 0.1, 600],
  amsgrad: [(lr) => optim.amsgrad(lr), 0.1, 600],
  adamax: [(lr) => optim.adamax(lr), 0.1, 600],
  radam: [(lr) => optim.radam(lr), 0.1, 600],
  yogi: [(lr) => optim.yogi(lr), 0.1, 600],
  adabelief: [(lr) => optim.adabelief(lr), 0.1, 600],
  // LAMB's trust ratio rescales every step to lr·‖p‖: with a constant lr it orbits the optimum.
  lamb: [(lr) => optim.lamb(lr), decaying(0.05), 600],
  lion: [(lr) => optim.lion(lr, { weightDecay: 0 }), decaying(0.05), 600],
  novograd: [(lr) => optim.novograd(lr), decaying(0.1), 600],
  adan: [(lr) => optim.adan(lr), 0.1, 600],
  signSgd: [(lr) => optim.signSgd(lr), decaying(0.05), 600],
  rprop: [(lr) => optim.rprop(lr as number), 0.05, 600],
  lars: [(lr) => optim.lars(lr, { momentum: 0.9 }), 40, 600],
  fromage: [(lr) => optim.fromage(lr as number), 0.05, 600],
};

describe('every optax recipe converges on the quadratic and least-squares problems', () => {
  for (const [name, [make, lr, steps]] of Object.entries(CONVERGE)) {
    it(name, () => {
      for (const [f, x0, fmin] of [
        [PROBLEMS.quadratic, [-5, -2], 0],
        [LS, [0, 0, 0], lsMin],
      ] as [(x: Tensor) => Tensor, number[], number][]) {
        const r = optim.minimize(f, tensor(x0, { dtype: 'float64' }), { optimizer: make(lr), steps });
        const gap0 = r.losses[0] - fmin;
        const gap = r.losses[r.losses.length - 1] - fmin;
        expect(gap, `${name}: final gap ${gap} vs initial ${gap0}`).toBeLessThan(1e-3 * gap0);
      }
    });
  }
});
