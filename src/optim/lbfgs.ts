/**
 * L-BFGS, a port of torch.optim.LBFGS: the two-loop recursion over a limited history, with either a fixed
 * step or PyTorch's strong-Wolfe line search (cubic interpolation, bracketing and zoom). Needs a closure
 * that re-evaluates the loss and its gradients, as in PyTorch.
 * @example
 * const x = tensor([1, 1], { dtype: 'float64', requiresGrad: true });
 * const opt = new LBFGS([x], { lineSearchFn: 'strong_wolfe' });
 * opt.step(() => { opt.zeroGrad(); const l = quad(x); l.backward(); return l; });
 * x.detach().abs().max().item() < 1e-6 // true
 */
import { enableGrad, noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { abs, mul, neg, sub } from '../ops/primitives/elementwise.js';
import { amax, sum } from '../ops/primitives/reduce.js';
import { cat, reshape } from '../ops/primitives/shape.js';
import { type Closure, type ParamGroupInit, Optimizer } from './optimizer.js';
import type { ParamState } from './torch/rule.js';
import { nonNegative, positive } from './validate.js';

export interface LBFGSOptions {
  lr: number;
  maxIter: number;
  /** Default: maxIter * 5 / 4. */
  maxEval: number | null;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearchFn: 'strong_wolfe' | null;
}

const dot = (a: Tensor, b: Tensor) => sum(mul(a, b)).item();
const maxAbs = (a: Tensor) => amax(abs(a)).item();

/** Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds. */
function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type ObjFn = (x: Tensor[], t: number, d: Tensor) => [number, Tensor];

/**
 * PyTorch's strong-Wolfe line search along d from x: returns [f, g, t, evaluations].
 * @internal exported for tests and for other optimizers' line searches.
 */
export function strongWolfe(
  obj: ObjFn,
  x: Tensor[],
  t0: number,
  d: Tensor,
  f: number,
  g: Tensor,
  gtd: number,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): [number, Tensor, number, number] {
  let t = t0;
  const dNorm = maxAbs(d);
  let [fNew, gNew] = obj(x, t, d);
  let evals = 1;
  let gtdNew = dot(gNew, d);
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bF: number[] = [];
  let bG: Tensor[] = [];
  let bGtd: number[] = [];
  while (lsIter < maxLs) {
    // PyTorch's order: no sufficient decrease brackets [tPrev, t]; else the curvature condition ends the
    // search; else a non-negative slope brackets too.
    const noDecrease = fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev);
    if (!noDecrease && Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bF, bG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (noDecrease || gtdNew >= 0) {
      [bracket, bF, bG, bGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, fNew, gNew, gtdNew];
    [fNew, gNew] = obj(x, t, d);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs)
    [bracket, bF, bG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];

  let insufProgress = false;
  let [low, high] = bF[0] <= bF[bF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bF[0], bGtd[0], bracket[1], bF[1], bGtd[1]);
    const bMax = Math.max(...bracket);
    const bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;
    [fNew, gNew] = obj(x, t, d);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bF[low]) {
      [bracket[high], bF[high], bG[high], bGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bF[0] <= bF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        [bracket[high], bF[high], bG[high], bGtd[high]] = [bracket[low], bF[low], bG[low], bGtd[low]];
      }
      [bracket[low], bF[low], bG[low], bGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return [bF[low], bG[low], bracket[low], evals];
}

interface LBFGSState extends ParamState {
  funcEvals: number;
  nIter: number;
}

/** Limited-memory BFGS (torch.optim.LBFGS); one parameter group; `step(closure)` runs up to maxIter iterations. */
export class LBFGS extends Optimizer<LBFGSOptions> {
  protected override checkStateShapes = false;
  constructor(
    params: readonly Tensor[] | readonly ParamGroupInit<LBFGSOptions>[],
    options: Partial<LBFGSOptions> = {},
  ) {
    super(
      'LBFGS',
      params,
      {
        lr: 1,
        maxIter: 20,
        maxEval: null,
        toleranceGrad: 1e-7,
        toleranceChange: 1e-9,
        historySize: 100,
        lineSearchFn: null,
      },
      options,
    );
    if (this.paramGroups.length !== 1)
      throw new ValueError('LBFGS', "doesn't support per-parameter options (parameter groups)");
  }
  protected override validate(o: LBFGSOptions): void {
    positive('LBFGS', 'lr', o.lr);
    positive('LBFGS', 'maxIter', o.maxIter);
    positive('LBFGS', 'historySize', o.historySize);
    nonNegative('LBFGS', 'toleranceGrad', o.toleranceGrad);
    nonNegative('LBFGS', 'toleranceChange', o.toleranceChange);
    if (o.lineSearchFn !== null && o.lineSearchFn !== 'strong_wolfe') {
      throw new ValueError(
        'LBFGS',
        `lineSearchFn must be 'strong_wolfe' or null, got '${String(o.lineSearchFn)}'`,
      );
    }
  }
  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }
  private flatGrad(): Tensor {
    return cat(this.params.map((p) => reshape(p.grad ?? zerosLike(p.detach()), [-1])));
  }
  private addGrad(t: number, d: Tensor): void {
    let off = 0;
    for (const p of this.params) {
      const n = p.size;
      p.add_(reshape(d.narrow(0, off, n), p.shape).mul(t));
      off += n;
    }
  }
  private setParams(x: Tensor[]): void {
    this.params.forEach((p, i) => p.copy_(x[i]));
  }

  /** Runs up to maxIter L-BFGS iterations; the closure must zero the grads, compute the loss, call backward and return it. */
  override step(closure?: Closure): number | undefined {
    if (!closure)
      throw new ValueError('LBFGS', 'step needs a closure that re-evaluates the model and returns the loss');
    const o = this.paramGroups[0];
    const maxEval = o.maxEval ?? Math.floor((o.maxIter * 5) / 4);
    const evalClosure = () => {
      const l = enableGrad(closure);
      return typeof l === 'number' ? l : l.item();
    };
    const p0 = this.params[0];
    const state = (this.state.get(p0) ?? { funcEvals: 0, nIter: 0 }) as LBFGSState;
    this.state.set(p0, state);

    const origLoss = evalClosure();
    let loss = origLoss;
    let currentEvals = 1;
    state.funcEvals += 1;
    return noGrad(() => {
      let flatGrad = this.flatGrad();
      if (maxAbs(flatGrad) <= o.toleranceGrad) return origLoss;
      let d = state.d as Tensor | undefined;
      let t = state.t as number | undefined;
      let oldDirs = (state.oldDirs as unknown as Tensor[] | undefined) ?? [];
      let oldStps = (state.oldStps as unknown as Tensor[] | undefined) ?? [];
      let ro = (state.ro as unknown as number[] | undefined) ?? [];
      let hDiag = (state.hDiag as number | undefined) ?? 1;
      let prevFlatGrad = state.prevFlatGrad as Tensor | undefined;
      let prevLoss = state.prevLoss as number | undefined;
      let nIter = 0;
      while (nIter < o.maxIter) {
        nIter++;
        state.nIter++;
        if (state.nIter === 1) {
          d = neg(flatGrad);
          [oldDirs, oldStps, ro, hDiag] = [[], [], [], 1];
        } else {
          const y = sub(flatGrad, prevFlatGrad!);
          const s = mul(d!, t!);
          const ys = dot(y, s);
          if (ys > 1e-10) {
            if (oldDirs.length === o.historySize) {
              oldDirs.shift();
              oldStps.shift();
              ro.shift();
            }
            oldDirs.push(y);
            oldStps.push(s);
            ro.push(1 / ys);
            hDiag = ys / dot(y, y);
          }
          const al = new Array<number>(oldDirs.length);
          let q = neg(flatGrad);
          for (let i = oldDirs.length - 1; i >= 0; i--) {
            al[i] = dot(oldStps[i], q) * ro[i];
            q = q.add(oldDirs[i].mul(-al[i]));
          }
          let r = mul(q, hDiag);
          for (let i = 0; i < oldDirs.length; i++) {
            const be = dot(oldDirs[i], r) * ro[i];
            r = r.add(oldStps[i].mul(al[i] - be));
          }
          d = r;
        }
        prevFlatGrad = flatGrad.clone();
        prevLoss = loss;
        t = state.nIter === 1 ? Math.min(1, 1 / sum(abs(flatGrad)).item()) * o.lr : o.lr;
        const gtd = dot(flatGrad, d!);
        if (gtd > -o.toleranceChange) break;
        let lsEvals = 0;
        let optCond = false;
        if (o.lineSearchFn === 'strong_wolfe') {
          const xInit = this.params.map((p) => p.detach().clone());
          const obj: ObjFn = (x, tt, dd) => {
            this.addGrad(tt, dd);
            const l = evalClosure();
            const fg = this.flatGrad();
            this.setParams(x);
            return [l, fg];
          };
          [loss, flatGrad, t, lsEvals] = strongWolfe(obj, xInit, t, d!, loss, flatGrad, gtd);
          this.addGrad(t, d!);
          optCond = maxAbs(flatGrad) <= o.toleranceGrad;
        } else {
          this.addGrad(t, d!);
          if (nIter !== o.maxIter) {
            loss = evalClosure();
            flatGrad = this.flatGrad();
            optCond = maxAbs(flatGrad) <= o.toleranceGrad;
            lsEvals = 1;
          }
        }
        currentEvals += lsEvals;
        state.funcEvals += lsEvals;
        if (nIter === o.maxIter) break;
        if (currentEvals >= maxEval) break;
        if (optCond) break;
        if (maxAbs(mul(d!, t)) <= o.toleranceChange) break;
        if (Math.abs(loss - prevLoss) < o.toleranceChange) break;
      }
      Object.assign(state, { d, t, oldDirs, oldStps, ro, hDiag, prevFlatGrad, prevLoss });
      return origLoss;
    });
  }
}
