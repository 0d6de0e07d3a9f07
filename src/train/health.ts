/**
 * The gradient-health monitor: per-layer gradient and weight norms, update-to-weight ratios, the fraction
 * of dead ReLU units, and warnings for vanishing or exploding gradients, dead units and non-finite values.
 * Use it standalone (`check()` after backward) or as a `fit` callback (`healthCallback`).
 */
import { noGrad } from '../autograd/mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { hasNonFinite } from '../ops/inspect.js';
import { vectorNorm } from '../ops/composite/reduce.js';
import { le } from '../ops/primitives/elementwise.js';
import { amax } from '../ops/primitives/reduce.js';
import { flatten } from '../ops/composite/shape.js';
import type { Module } from '../nn/module.js';
import { LeakyReLU, ReLU } from '../nn/activations.js';

export interface LayerHealth {
  /** Parameter name, e.g. '0.weight'. */
  name: string;
  gradNorm: number;
  weightNorm: number;
  /** ||w_t - w_{t-1}|| / ||w_{t-1}|| since the previous check (NaN on the first). */
  updateRatio: number;
}

export interface HealthWarning {
  kind: 'vanishing' | 'exploding' | 'dead-units' | 'non-finite' | 'divergence';
  message: string;
}

export interface HealthReport {
  layers: LayerHealth[];
  /** Per ReLU module: the fraction of units that were zero for every sample of the last batch. */
  deadUnits: { name: string; fraction: number }[];
  warnings: HealthWarning[];
}

export interface HealthOptions {
  /** Warn when the earliest weight's gradient norm is below this fraction of the last one's (1e-3). */
  vanishingRatio?: number;
  /** Warn when a weight's gradient norm is below this (1e-7). */
  vanishingNorm?: number;
  /** Warn when a weight's gradient norm exceeds this (1e3). */
  explodingNorm?: number;
  /** Warn when the earliest weight's gradient norm exceeds the last one's by this factor (1e3). */
  explodingRatio?: number;
  /** Warn when more than this fraction of a ReLU layer's units are dead (0.5). */
  deadFraction?: number;
}

export class GradientHealthMonitor {
  private readonly deadByModule = new Map<string, number>();
  private readonly handles: { remove(): void }[] = [];
  private previous = new Map<string, Tensor>();
  readonly opts: Required<HealthOptions>;

  constructor(
    readonly model: Module,
    opts: HealthOptions = {},
  ) {
    this.opts = {
      vanishingRatio: opts.vanishingRatio ?? 1e-3,
      vanishingNorm: opts.vanishingNorm ?? 1e-7,
      explodingNorm: opts.explodingNorm ?? 1e3,
      explodingRatio: opts.explodingRatio ?? 1e3,
      deadFraction: opts.deadFraction ?? 0.5,
    };
    for (const [name, m] of model.namedModules()) {
      if (m instanceof ReLU || m instanceof LeakyReLU) {
        this.handles.push(
          m.registerForwardHook((_m, _in, out) => {
            const y = out as Tensor;
            if (y.shape.length < 2) return;
            // A unit is dead on this batch if it is <= 0 for every sample.
            noGrad(() => {
              const perUnit = amax(flatten(y.detach(), 1), 0);
              const dead = le(perUnit, 0).to('float64').mean().item();
              this.deadByModule.set(name || '(root)', dead);
            });
          }),
        );
      }
    }
  }

  /** Stops watching activations. */
  detach(): void {
    for (const h of this.handles) h.remove();
  }

  /** Inspects the current gradients (call after backward) and returns the report with warnings. */
  check(): HealthReport {
    const o = this.opts;
    const warnings: HealthWarning[] = [];
    const layers: LayerHealth[] = noGrad(() =>
      this.model
        .namedParameters()
        .filter(([, p]) => p.grad !== null)
        .map(([name, p]) => {
          const prev = this.previous.get(name);
          const w = p.detach();
          const weightNorm = vectorNorm(w).item();
          const updateRatio = prev
            ? vectorNorm(w.sub(prev)).item() / Math.max(vectorNorm(prev).item(), 1e-300)
            : NaN;
          this.previous.set(name, w.clone());
          if (hasNonFinite(p.grad!)) {
            warnings.push({ kind: 'non-finite', message: `gradient of '${name}' holds NaN or Inf` });
          }
          return { name, gradNorm: vectorNorm(p.grad!).item(), weightNorm, updateRatio };
        }),
    );
    const weights = layers.filter(
      (l) =>
        /weight$/.test(l.name) &&
        this.model.namedParameters().find(([n]) => n === l.name)![1].shape.length >= 2,
    );
    if (weights.length >= 2) {
      const first = weights[0];
      const last = weights[weights.length - 1];
      if (first.gradNorm < o.vanishingRatio * last.gradNorm || first.gradNorm < o.vanishingNorm) {
        warnings.push({
          kind: 'vanishing',
          message: `vanishing gradients: |grad ${first.name}| = ${first.gradNorm.toExponential(2)} vs |grad ${last.name}| = ${last.gradNorm.toExponential(2)}`,
        });
      }
      if (first.gradNorm > o.explodingRatio * last.gradNorm) {
        warnings.push({
          kind: 'exploding',
          message: `exploding gradients: |grad ${first.name}| = ${first.gradNorm.toExponential(2)} is ${(first.gradNorm / last.gradNorm).toExponential(1)} times |grad ${last.name}|`,
        });
      }
    }
    const big = layers.filter((l) => l.gradNorm > o.explodingNorm);
    if (big.length && !warnings.some((w) => w.kind === 'exploding')) {
      warnings.push({
        kind: 'exploding',
        message: `exploding gradients: |grad ${big[0].name}| = ${big[0].gradNorm.toExponential(2)} > ${o.explodingNorm}`,
      });
    }
    const deadUnits = [...this.deadByModule].map(([name, fraction]) => ({ name, fraction }));
    for (const d of deadUnits) {
      if (d.fraction > o.deadFraction) {
        warnings.push({
          kind: 'dead-units',
          message: `dead units: ${(100 * d.fraction).toFixed(0)}% of the units after '${d.name}' are zero for every sample`,
        });
      }
    }
    return { layers, deadUnits, warnings };
  }
}
