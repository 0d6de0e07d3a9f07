/**
 * The lectures' second-order methods for small problems, on the autodiff Hessian: Newton's method (with
 * Levenberg damping and/or a backtracking line search) and diagonal-Hessian preconditioning.
 */
import { enableGrad, noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { eye } from '../tensor/creation.js';
import { abs, add, div, mul, neg } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { reshape } from '../ops/primitives/shape.js';
import { solve } from '../ops/primitives/linalg.js';
import { HessianOperator, materialize } from '../autograd/operators.js';
import { type Closure, type ParamGroupInit, Optimizer } from './optimizer.js';

import { nonNegative, positive } from './validate.js';

/** The loss, flat gradient and dense Hessian of `closure` with respect to `params` (from descend/diagnostics). */
export function gradAndHessian(
  closure: () => Tensor,
  params: readonly Tensor[],
): { loss: number; g: Tensor; H: Tensor } {
  const op = new HessianOperator(closure, params);
  return { loss: op.loss, g: op.gradient, H: materialize(op) };
}

export interface NewtonOptions {
  /** Step scale (1 is the pure Newton step). */
  lr: number;
  /** Levenberg damping: solves (H + damping I) d = -g, which keeps steps sane where H is indefinite. */
  damping: number;
  /** 'backtracking' halves the step until the Armijo condition holds; null takes the full step. */
  lineSearch: 'backtracking' | null;
}

/**
 * Newton's method: d = -(H + damping I)^-1 g, x += lr d. One step solves a convex quadratic exactly.
 * Needs a closure that returns the loss with its graph (no backward call needed).
 * @example
 * const x = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
 * new Newton([x]).step(() => quad(x));
 * x.detach() // tensor([0., 0.], dtype=float64)
 */
export class Newton extends Optimizer<NewtonOptions> {
  protected override checkStateShapes = false;
  constructor(
    params: readonly Tensor[] | readonly ParamGroupInit<NewtonOptions>[],
    options: Partial<NewtonOptions> = {},
  ) {
    super('Newton', params, { lr: 1, damping: 0, lineSearch: null }, options);
  }
  protected override validate(o: NewtonOptions): void {
    positive('Newton', 'lr', o.lr);
    nonNegative('Newton', 'damping', o.damping);
    if (o.lineSearch !== null && o.lineSearch !== 'backtracking') {
      throw new ValueError(
        'Newton',
        `lineSearch must be 'backtracking' or null, got '${String(o.lineSearch)}'`,
      );
    }
  }
  override step(closure?: Closure): number | undefined {
    if (!closure) throw new ValueError('Newton', 'step needs a closure that returns the loss');
    const lossOf = (): Tensor => {
      const l = closure();
      if (typeof l === 'number')
        throw new ValueError('Newton', 'the closure must return the loss as a Tensor (with its graph)');
      return l;
    };
    let first: number | undefined;
    for (const group of this.paramGroups) {
      const ps = group.params;
      const { loss, g, H } = gradAndHessian(lossOf, ps);
      first ??= loss;
      const A = group.damping
        ? add(H, mul(eye(H.shape[0], H.shape[0], { dtype: H.dtype }), group.damping))
        : H;
      const d = neg(solve(A, g));
      const gtd = sum(mul(g, d)).item();
      noGrad(() => {
        const x0 = ps.map((p) => p.detach().clone());
        const apply = (t: number) => {
          let off = 0;
          ps.forEach((p, i) => {
            p.copy_(x0[i].add(reshape(d.narrow(0, off, p.size), p.shape).mul(t)));
            off += p.size;
          });
        };
        let t = group.lr;
        apply(t);
        if (group.lineSearch === 'backtracking') {
          for (let k = 0; k < 30 && enableGrad(lossOf).item() > loss + 1e-4 * t * gtd; k++) {
            t /= 2;
            apply(t);
          }
        }
        this.state.set(ps[0], { step: ((this.state.get(ps[0])?.step as number | undefined) ?? 0) + 1, t });
      });
    }
    return first;
  }
}

/**
 * Diagonal-Hessian preconditioning: x -= lr g / (|diag H| + eps), each coordinate scaled by its own
 * curvature (exact for separable quadratics, where one step with lr 1 lands on the minimum).
 * @example const x = tensor([1, 1], { dtype: 'float64', requiresGrad: true }); new DiagonalNewton([x], { lr: 1 }).step(() => quad(x));
 */
export class DiagonalNewton extends Optimizer<{ lr: number; eps: number }> {
  protected override checkStateShapes = false;
  constructor(
    params: readonly Tensor[] | readonly ParamGroupInit<{ lr: number; eps: number }>[],
    options: Partial<{ lr: number; eps: number }> = {},
  ) {
    super('DiagonalNewton', params, { lr: 1, eps: 1e-8 }, options);
  }
  protected override validate(o: { lr: number; eps: number }): void {
    positive('DiagonalNewton', 'lr', o.lr);
    nonNegative('DiagonalNewton', 'eps', o.eps);
  }
  override step(closure?: Closure): number | undefined {
    if (!closure) throw new ValueError('DiagonalNewton', 'step needs a closure that returns the loss');
    let first: number | undefined;
    for (const group of this.paramGroups) {
      const ps = group.params;
      const { loss, g, H } = gradAndHessian(() => closure() as Tensor, ps);
      first ??= loss;
      const diag = reshape(H, [-1]).index(`::${H.shape[0] + 1}`);
      const step = div(g, add(abs(diag), group.eps));
      noGrad(() => {
        let off = 0;
        for (const p of ps) {
          p.sub_(reshape(step.narrow(0, off, p.size), p.shape).mul(group.lr));
          off += p.size;
        }
      });
    }
    return first;
  }
}
