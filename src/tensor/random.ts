import { ValueError } from '../errors.js';

/**
 * A seedable random generator (xoshiro128**, seeded through splitmix32), like `torch.Generator`.
 * Streams are reproducible across platforms; they are not PyTorch's streams.
 * @example
 * const g = new Generator(42);
 * randn([2, 2], { generator: g });
 */
export class Generator {
  private s = new Uint32Array(4);
  private spareNormal: number | null = null;
  private seed_ = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the stream from `seed` (any integer, or a float that is rounded). Returns this. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed))
      throw new ValueError('manualSeed', `seed must be a finite number, got ${seed}`);
    this.seed_ = Math.trunc(seed);
    let x = (this.seed_ ^ Math.floor(this.seed_ / 2 ** 32)) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spareNormal = null;
    return this;
  }

  /** The seed last set. */
  initialSeed(): number {
    return this.seed_;
  }

  /** The full state, for checkpoints. */
  getState(): number[] {
    return [...this.s, this.spareNormal === null ? NaN : this.spareNormal];
  }
  setState(state: readonly number[]): void {
    if (state.length !== 5)
      throw new ValueError('Generator.setState', `expected 5 numbers, got ${state.length}`);
    for (let i = 0; i < 4; i++) this.s[i] = state[i];
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4];
  }

  /** Next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  randint(low: number, high: number): number {
    const span = high - low;
    // Rejection sampling keeps every value equally likely.
    if (span <= 2 ** 32) {
      const limit = Math.floor(2 ** 32 / span) * span;
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return low + (x % span);
    }
    return low + Math.floor(this.random() * span);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator used when none is passed. */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the default generator, like `torch.manual_seed`; returns it.
 * @example manualSeed(0); const a = randn([3]); manualSeed(0); // randn([3]) equals a again
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
