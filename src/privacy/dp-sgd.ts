/**
 * DP-SGD (Abadi et al. 2016) as Opacus does it, for any optimizer: per-example gradients (vmap of grad
 * over `functionalCall`), each clipped to norm C, summed, Gaussian noise of standard deviation σC added,
 * divided by the expected batch size; then the wrapped optimizer steps on that gradient. Batches come
 * from Poisson sampling (each example joins with probability q), which the RDP accountant assumes.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Generator } from '../tensor/random.js';
import { rand, randn, tensor, zerosLike } from '../tensor/creation.js';
import { add, div, minimum, mul, where } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { reshape } from '../ops/primitives/shape.js';
import { indexSelectTrusted } from '../ops/primitives/indexing.js';
import { valueAndGrad } from '../autograd/transforms.js';
import { vmap } from '../autograd/vmap.js';
import { noGrad } from '../autograd/mode.js';
import type { Module } from '../nn/module.js';
import { functionalCall, paramsOf } from '../nn/functional-call.js';
import { RDPAccountant } from './rdp.js';
import { globalNorm } from '../optim/transforms.js';

export interface DPOptions {
  /** σ: the noise's standard deviation in units of the clipping norm. */
  noiseMultiplier: number;
  /** C: each example's gradient is scaled to at most this 2-norm (over all parameters together). */
  maxGradNorm: number;
  /** The expected batch size q·N that the noisy sum is divided by (Opacus's "mean" reduction). */
  expectedBatchSize: number;
  /** The generator the noise is drawn from (default: the global one). */
  generator?: Generator;
  /**
   * Examples whose per-example gradients are computed at once (default 64): the clipped sum is
   * accumulated chunk by chunk, so memory holds chunkSize copies of the parameters' gradients, not a
   * whole batch's (256 copies of a 784x256 layer would be 200 MB a step).
   */
  chunkSize?: number;
  /**
   * An example whose gradient is not finite (a NaN feature, an overflow): 'throw' (default) stops the
   * step before anything is updated or charged to the accountant, naming the example; 'skip' drops its
   * gradient (a zero contribution, within the clipping bound, so the privacy analysis holds) and lists
   * it in `lastSkipped`.
   */
  onNonFinite?: 'throw' | 'skip';
}

/** What an optimizer must offer to be wrapped: PyTorch's face. */
export interface SteppingOptimizer {
  step(): unknown;
  zeroGrad(): void;
}

type Grads = Record<string, Tensor>;

/**
 * Clips per-example gradients (each tensor [B, ...param shape]) to a joint 2-norm of at most `maxNorm`
 * per example (factor min(1, C / (norm + 1e-6)), as Opacus) and sums them over the batch. Returns the
 * sums by name and the per-example norms before clipping.
 * @example const { sums, norms } = clipAndSum({ w: tensor([[3, 4], [0.3, 0.4]]) }, 1.0); norms // tensor([5.0000, 0.5000])
 */
export function clipAndSum(
  perExample: Grads,
  maxNorm: number,
  /** The per-example norms when the caller has them already (DPOptimizer checks them first). */
  knownNorms?: Tensor,
): { sums: Grads; norms: Tensor } {
  if (!(maxNorm > 0)) throw new ValueError('clipAndSum', `maxNorm must be positive, got ${maxNorm}`);
  const names = Object.keys(perExample);
  if (!names.length) throw new ValueError('clipAndSum', 'no gradients to clip');
  // Each example's norm over all its parameters: optax's globalNorm, vmapped over the examples.
  const norms = knownNorms ?? vmap((g: Grads) => globalNorm(g))(perExample);
  const factor = minimum(div(maxNorm, add(norms, 1e-6)), 1);
  const sums: Grads = {};
  for (const k of names) {
    const g = perExample[k];
    const f = reshape(factor, [g.shape[0], ...g.shape.slice(1).map(() => 1)]);
    sums[k] = sum(mul(g, f), 0);
  }
  return { sums, norms };
}

/**
 * Indices of a Poisson sample of 0..n-1: each joins independently with probability q (the batch size
 * varies; it may be empty).
 * @example const idx = poissonSample(60000, 256 / 60000, new Generator(0));
 */
export function poissonSample(n: number, q: number, generator?: Generator): Tensor {
  if (!(q > 0 && q <= 1)) throw new ValueError('poissonSample', `sample rate must be in (0, 1], got ${q}`);
  const u = rand([n], { generator, dtype: 'float64' }).dataSync();
  const picked: number[] = [];
  for (let i = 0; i < n; i++) if (u[i] < q) picked.push(i);
  return tensor(picked, { dtype: 'int32' });
}

/**
 * Wraps an optimizer for DP-SGD on `model`: `step(loss, x, y)` computes the private gradient of the
 * batch (clipped per-example gradients plus noise), stores it in each parameter's `.grad`, steps the
 * wrapped optimizer, and records the step in `accountant` (sample rate expectedBatchSize / datasetSize).
 * @example
 * const dp = new DPOptimizer(model, new SGD(model.parameters(), { lr: 0.1 }), {
 *   noiseMultiplier: 1.1, maxGradNorm: 1, expectedBatchSize: 256 }, { datasetSize: 60000 });
 * dp.step((out, y) => crossEntropy(out, y), xs, ys); dp.accountant.getEpsilon(1e-5);
 */
export class DPOptimizer {
  readonly accountant = new RDPAccountant();
  private readonly sampleRate: number;

  constructor(
    readonly model: Module,
    readonly optimizer: SteppingOptimizer,
    readonly options: DPOptions,
    data: { datasetSize: number },
  ) {
    const { noiseMultiplier, maxGradNorm, expectedBatchSize } = options;
    if (!(noiseMultiplier >= 0 && Number.isFinite(noiseMultiplier)))
      throw new ValueError(
        'DPOptimizer',
        `noiseMultiplier must be a finite number >= 0, got ${noiseMultiplier}`,
      );
    if (!(maxGradNorm > 0 && Number.isFinite(maxGradNorm)))
      throw new ValueError('DPOptimizer', `maxGradNorm must be positive and finite, got ${maxGradNorm}`);
    if (!(expectedBatchSize > 0))
      throw new ValueError('DPOptimizer', `expectedBatchSize must be positive, got ${expectedBatchSize}`);
    if (!(Number.isInteger(data.datasetSize) && data.datasetSize >= expectedBatchSize))
      throw new ValueError(
        'DPOptimizer',
        `datasetSize must be an integer >= expectedBatchSize (${expectedBatchSize}), got ${data.datasetSize}`,
      );
    const chunk = options.chunkSize;
    if (chunk !== undefined && !(Number.isInteger(chunk) && chunk >= 1))
      throw new ValueError('DPOptimizer', `chunkSize must be a positive integer, got ${chunk}`);
    if (options.onNonFinite !== undefined && !['throw', 'skip'].includes(options.onNonFinite))
      throw new ValueError(
        'DPOptimizer',
        `onNonFinite must be 'throw' or 'skip', got ${String(options.onNonFinite)}`,
      );
    this.sampleRate = expectedBatchSize / data.datasetSize;
  }

  /** The batch positions whose non-finite gradients the last step dropped (onNonFinite: 'skip'). */
  lastSkipped: number[] = [];

  /** Per-example losses [B] and gradients of loss(model(x_i), y_i) for every parameter ([B, ...shape]). */
  perExampleGrads(
    loss: (out: Tensor, y: Tensor) => Tensor,
    x: Tensor,
    y: Tensor,
  ): { losses: Tensor; grads: Grads } {
    const params = paramsOf(this.model);
    const one = (p: Grads, xi: Tensor, yi: Tensor) =>
      loss(functionalCall(this.model, p, xi.unsqueeze(0)), yi.unsqueeze(0));
    const [losses, [grads]] = vmap(valueAndGrad(one), { inAxes: [null, 0, 0] })(params, x, y);
    return { losses, grads: grads as Grads };
  }

  /** One private step on the batch (x, y); returns the batch's mean loss (not private: for monitoring). */
  step(loss: (out: Tensor, y: Tensor) => Tensor, x: Tensor, y: Tensor): number {
    const { noiseMultiplier: sigma, maxGradNorm: C, expectedBatchSize, generator } = this.options;
    const params = paramsOf(this.model);
    const n = x.shape[0];
    const sums: Grads = Object.fromEntries(
      Object.entries(params).map(([k, p]) => [k, zerosLike(p.detach())]),
    );
    let lossSum = 0;
    const chunk = this.options.chunkSize ?? 64;
    const skipped: number[] = [];
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const { losses, grads } = this.perExampleGrads(loss, x.narrow(0, start, m), y.narrow(0, start, m));
      // Non-finite gradients are found before anything is summed, updated or charged.
      const normT = vmap((g: Grads) => globalNorm(g))(grads);
      const norms = normT.dataSync();
      const lossVals = losses.dataSync();
      const bad: number[] = [];
      for (let i = 0; i < m; i++)
        if (!Number.isFinite(norms[i]) || !Number.isFinite(lossVals[i])) bad.push(i);
      if (bad.length && this.options.onNonFinite !== 'skip') {
        const i = bad[0];
        throw new ValueError(
          'DPOptimizer.step',
          `example ${start + i} of the batch has a non-finite gradient (norm ${norms[i]}, loss ${lossVals[i]})${bad.length > 1 ? ` (and ${bad.length - 1} more in its chunk)` : ''}: nothing was updated or charged; check its inputs, or pass onNonFinite: 'skip'`,
        );
      }
      let use = grads;
      if (bad.length) {
        skipped.push(...bad.map((i) => start + i));
        const keep = tensor(
          Array.from({ length: m }, (_, i) => !bad.includes(i)),
          { dtype: 'bool' },
        );
        use = Object.fromEntries(
          Object.entries(grads).map(([k, g]) => [
            k,
            where(reshape(keep, [m, ...g.shape.slice(1).map(() => 1)]), g, 0),
          ]),
        );
      }
      // The norms computed above serve the clipping too, unless examples were dropped (their norms change).
      const part = clipAndSum(use, C, bad.length ? undefined : normT).sums;
      noGrad(() => {
        for (const k of Object.keys(sums)) sums[k] = add(sums[k], part[k]).detach();
        for (let i = 0; i < m; i++) if (!bad.includes(i)) lossSum += lossVals[i];
      });
    }
    this.lastSkipped = skipped;
    const kept = n - skipped.length;
    const meanLoss = kept > 0 ? lossSum / kept : NaN;
    noGrad(() => {
      for (const [k, p] of Object.entries(params)) {
        const noise = sigma > 0 ? mul(randn(p.shape, { dtype: p.dtype, generator }), sigma * C) : null;
        const total = noise ? add(sums[k], noise) : sums[k];
        p.grad = div(total, expectedBatchSize).detach();
      }
    });
    this.optimizer.step();
    this.accountant.step(this.sampleRate, sigma);
    return meanLoss;
  }

  /** A Poisson batch of a dataset of tensors (the indices, then each tensor's rows). */
  sample(tensors: readonly Tensor[], generator?: Generator): Tensor[] {
    const idx = poissonSample(tensors[0].shape[0], this.sampleRate, generator);
    return tensors.map((t) => indexSelectTrusted(t, 0, idx));
  }

  /** ε spent so far at this δ. */
  epsilon(delta: number): number {
    return this.accountant.getEpsilon(delta);
  }
}
