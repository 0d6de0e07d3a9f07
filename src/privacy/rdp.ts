/**
 * The Rényi-DP accountant for the subsampled Gaussian mechanism (DP-SGD with Poisson sampling): the RDP of
 * one step at each order α (Mironov, Talwar and Zhang 2019, as TensorFlow Privacy and Opacus compute it:
 * the binomial expansion for integer α, the two-sided series for fractional α), summed over steps, then
 * converted to (ε, δ) with the bound Opacus uses (Balle et al. 2020), minimized over the orders.
 */
import { ValueError } from '../errors.js';
import { erf } from '../backends/js/erf.js';

/** Opacus's default orders: 1.1 .. 10.9 by 0.1, then 12 .. 63. */
export const DEFAULT_ORDERS: readonly number[] = [
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => 12 + i),
];

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

function logSub(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  if (a < b) throw new ValueError('rdp', 'internal: log of a negative difference');
  return a + Math.log1p(-Math.exp(b - a));
}

/** log(erfc(x)), accurate in the far tail (a continued fraction there; 1 - erf(x) would round to 0). */
export function logErfc(x: number): number {
  if (x < 3) {
    if (x < -3) return Math.log(2 - Math.exp(logErfc(-x)));
    return Math.log(1 - erf(x));
  }
  // erfc(x) = exp(-x²) / (√π K), K = x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))).
  let k = x;
  for (let n = 80; n >= 1; n--) k = x + n / 2 / k;
  return -x * x - 0.5 * Math.log(Math.PI) - Math.log(k);
}

/** Binomial coefficient C(α, i) for real α (its sign matters for fractional α; exact enough up to α = 63's). */
function binom(alpha: number, i: number): number {
  let c = 1;
  for (let k = 0; k < i; k++) c *= (alpha - k) / (k + 1);
  return c;
}

function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  for (let i = 0; i <= alpha; i++) {
    const logCoef = Math.log(binom(alpha, i)) + i * Math.log(q) + (alpha - i) * Math.log(1 - q);
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma * sigma));
  }
  return logA;
}

function logAFrac(q: number, sigma: number, alpha: number): number {
  let a0 = -Infinity;
  let a1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  for (let i = 0; i < 10000; i++) {
    const coef = binom(alpha, i);
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const t0 = logCoef + i * Math.log(q) + j * Math.log(1 - q);
    const t1 = logCoef + j * Math.log(q) + i * Math.log(1 - q);
    const e0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const e1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const s0 = t0 + (i * i - i) / (2 * sigma * sigma) + e0;
    const s1 = t1 + (j * j - j) / (2 * sigma * sigma) + e1;
    if (coef > 0) {
      a0 = logAdd(a0, s0);
      a1 = logAdd(a1, s1);
    } else {
      a0 = logSub(a0, s0);
      a1 = logSub(a1, s1);
    }
    if (Math.max(s0, s1) < -30) break;
  }
  return logAdd(a0, a1);
}

/**
 * The RDP at order α of one step of the Gaussian mechanism with noise multiplier σ on a Poisson sample
 * of rate q (per unit sensitivity).
 * @example rdpSampledGaussian(256 / 60000, 1.1, [2, 4, 8])
 */
export function rdpSampledGaussian(
  q: number,
  sigma: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  if (!(q >= 0 && q <= 1))
    throw new ValueError('rdpSampledGaussian', `sample rate q must be in [0, 1], got ${q}`);
  if (!(sigma > 0))
    throw new ValueError('rdpSampledGaussian', `noise multiplier must be positive, got ${sigma}`);
  return orders.map((a) => {
    if (!(a > 1)) throw new ValueError('rdpSampledGaussian', `orders must be > 1, got ${a}`);
    if (q === 0) return 0;
    if (q === 1) return a / (2 * sigma * sigma);
    const logA = Number.isInteger(a) ? logAInt(q, sigma, a) : logAFrac(q, sigma, a);
    return logA / (a - 1);
  });
}

/**
 * (ε, δ) from RDP: ε = min over α of rdp(α) - (log δ + log α)/(α - 1) + log((α - 1)/α), the conversion
 * Opacus's `get_privacy_spent` uses. Returns ε and the order that attains it.
 */
export function epsilonFromRdp(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1))
    throw new ValueError('epsilonFromRdp', `delta must be in (0, 1), got ${delta}`);
  let best = { epsilon: Infinity, order: orders[0] };
  orders.forEach((a, i) => {
    const eps = rdp[i] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
    if (eps < best.epsilon) best = { epsilon: Math.max(0, eps), order: a };
  });
  return best;
}

/**
 * Tracks the privacy spent by DP-SGD steps (Opacus's RDPAccountant): record each run of steps with its
 * sample rate and noise multiplier, then ask for ε at a δ.
 * @example const acc = new RDPAccountant(); acc.step(256 / 60000, 1.1, 60 * 235); acc.getEpsilon(1e-5);
 */
export class RDPAccountant {
  private readonly history: { q: number; sigma: number; steps: number }[] = [];
  constructor(readonly orders: readonly number[] = DEFAULT_ORDERS) {}

  /** Records `steps` steps at sample rate q and noise multiplier σ (σ = 0: no privacy, ε = ∞). */
  step(q: number, sigma: number, steps = 1): void {
    if (!(sigma >= 0))
      throw new ValueError('RDPAccountant.step', `noise multiplier must be >= 0, got ${sigma}`);
    if (!(Number.isInteger(steps) && steps >= 0))
      throw new ValueError('RDPAccountant.step', `steps must be a non-negative integer, got ${steps}`);
    const last = this.history.at(-1);
    if (last && last.q === q && last.sigma === sigma) last.steps += steps;
    else this.history.push({ q, sigma, steps });
  }

  /** Steps recorded so far. */
  get steps(): number {
    return this.history.reduce((s, h) => s + h.steps, 0);
  }

  /** ε spent so far at this δ (0 before any step). */
  getEpsilon(delta: number): number {
    if (this.steps === 0) return 0;
    const total = this.orders.map(() => 0);
    for (const h of this.history) {
      if (h.steps === 0) continue;
      if (h.sigma === 0) return Infinity;
      const r = rdpSampledGaussian(h.q, h.sigma, this.orders);
      r.forEach((v, i) => (total[i] += v * h.steps));
    }
    return epsilonFromRdp(this.orders, total, delta).epsilon;
  }
}
