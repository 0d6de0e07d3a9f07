/**
 * gradcheck / gradgradcheck: compare analytic derivatives (reverse mode) with central finite
 * differences in float64, as torch.autograd.gradcheck does, and report the worst element on failure.
 */
import { DTypeError, GradcheckError, ValueError } from '../errors.js';
import { fmtShape, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor, zerosLike } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { randn } from '../tensor/creation.js';
import { autogradGrad } from '../ops/autograd.js';
import { withGradMode } from '../autograd/mode.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw a GradcheckError describing the worst element (default true); otherwise return false. */
  raiseException?: boolean;
}

/** A function checked by gradcheck: tensors in, one tensor or several out. */
export type GradcheckFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(fn: GradcheckFn, inputs: Tensor[]): Tensor[] {
  const r = fn(...inputs);
  return (r instanceof Tensor ? [r] : [...r]).filter((o) => o.dtype === 'float64' || o.dtype === 'float32');
}

function multiIndex(shape: readonly number[], flat: number): string {
  const st = stridesOf(shape);
  return `[${shape.map((_, i) => Math.floor(flat / st[i]) % shape[i]).join(', ')}]`;
}

/**
 * Checks reverse-mode gradients of `fn` against central differences for every input that requires grad
 * (which must be float64). Returns true, or throws (or returns false) naming the worst element.
 * @example
 * const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
 * gradcheck((x) => tanh(x).sum(), [x]); // true
 */
export function gradcheck(fn: GradcheckFn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const diff = inputs.map((x, i) => {
    if (!(x instanceof Tensor)) throw new ValueError('gradcheck', `inputs[${i}] must be a Tensor`);
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new DTypeError('gradcheck', `inputs[${i}] is ${x.dtype}; finite differences need float64 inputs`);
    }
    return x.requiresGrad;
  });
  if (!diff.some(Boolean)) throw new ValueError('gradcheck', 'no input requires grad; nothing to check');
  const base = inputs.map((x) => x.dataSync());
  const fresh = (values: ArrayLike<number>[]) =>
    inputs.map((x, i) =>
      tensor(Float64Array.from(values[i]), { dtype: x.dtype })
        .reshape(x.shape)
        .detach()
        .requiresGrad_(diff[i]),
    );
  const evaluate = (values: ArrayLike<number>[]) =>
    withGradMode(true, () => outputsOf(fn, fresh(values)).map((o) => o.dataSync()));

  const leaves = fresh(base);
  const outs = withGradMode(true, () => outputsOf(fn, leaves));
  let worst = { err: -Infinity, ok: true, msg: '' };
  outs.forEach((out, oi) => {
    // Analytic Jacobian, one row per output element (a VJP with a one-hot upstream gradient).
    const rows: Float64Array[][] = [];
    for (let k = 0; k < out.size; k++) {
      if (!out.requiresGrad) {
        rows.push(inputs.map((x) => new Float64Array(x.size)));
        continue;
      }
      const onehot = new Float64Array(out.size);
      onehot[k] = 1;
      const up = tensor(onehot, { dtype: out.dtype }).reshape(out.shape);
      const used = leaves.filter((_, i) => diff[i]);
      const gs = autogradGrad([out], used, { gradOutputs: [up], retainGraph: true, allowUnused: true });
      let u = 0;
      rows.push(
        inputs.map((x) =>
          diff[inputs.indexOf(x)] ? Float64Array.from(gs[u++].dataSync()) : new Float64Array(x.size),
        ),
      );
    }
    inputs.forEach((x, i) => {
      if (!diff[i]) return;
      for (let j = 0; j < x.size; j++) {
        const plus = base.map((b) => Float64Array.from(b));
        const minus = base.map((b) => Float64Array.from(b));
        plus[i][j] += eps;
        minus[i][j] -= eps;
        const fp = evaluate(plus)[oi];
        const fm = evaluate(minus)[oi];
        for (let k = 0; k < out.size; k++) {
          const num = (fp[k] - fm[k]) / (2 * eps);
          const ana = rows[k][i][j];
          const err = Math.abs(ana - num);
          const ok = err <= atol + rtol * Math.abs(num) && !(Number.isNaN(ana) !== Number.isNaN(num));
          const excess = err - (atol + rtol * Math.abs(num));
          if (excess > worst.err || (!ok && worst.ok)) {
            worst = {
              err: excess,
              ok: worst.ok && ok,
              msg:
                `Jacobian mismatch for output ${oi} (shape ${fmtShape(out.shape)}) element ${multiIndex(out.shape, k)} ` +
                `with respect to input ${i} (shape ${fmtShape(x.shape)}) element ${multiIndex(x.shape, j)}: ` +
                `analytic ${ana}, numerical ${num}, |diff| ${err} > atol ${atol} + rtol ${rtol} * |numerical|`,
            };
          }
          if (!ok) worst.ok = false;
        }
      }
    });
  });
  if (!worst.ok) {
    if (opts.raiseException ?? true) throw new GradcheckError('gradcheck', worst.msg);
    return false;
  }
  return true;
}

/**
 * Checks second derivatives: runs gradcheck on the map (inputs, v) -> VJP of fn at inputs with v, whose
 * own derivatives are the second derivatives of fn (as torch.autograd.gradgradcheck).
 * @example gradgradcheck((x) => sin(x).mul(x), [x]);
 */
export function gradgradcheck(
  fn: GradcheckFn,
  inputs: readonly Tensor[],
  gradOutputs?: readonly Tensor[],
  opts: GradcheckOptions & { seed?: number } = {},
): boolean {
  const outs = withGradMode(true, () => outputsOf(fn, [...inputs]));
  const gen = new Generator(opts.seed ?? 0);
  const gos =
    gradOutputs ??
    outs.map((o) => randn([...o.shape], { dtype: 'float64', generator: gen }).requiresGrad_(true));
  const n = inputs.length;
  const wrapped = (...all: Tensor[]) => {
    const xs = all.slice(0, n);
    const vs = all.slice(n);
    const ys = outputsOf(fn, xs);
    const used = xs.filter((x) => x.requiresGrad);
    const live = ys.map((y, i) => [y, vs[i]] as const).filter(([y]) => y.requiresGrad);
    if (!live.length) return used.map((x) => zerosLike(x));
    return autogradGrad(
      live.map(([y]) => y),
      used,
      { gradOutputs: live.map(([, v]) => v), createGraph: true, allowUnused: true },
    );
  };
  return gradcheck(wrapped, [...inputs, ...gos], opts);
}
