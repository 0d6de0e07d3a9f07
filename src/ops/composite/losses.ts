/**
 * Loss functions with PyTorch's semantics and `reduction` options ('mean' | 'sum' | 'none'), built from
 * differentiable ops so every loss has gradients of any order.
 */
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { isFloat } from '../../tensor/dtype.js';
import { fmtShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { asFloat, checkIndexRange, checkIndexTensor, checkTensor } from '../core.js';
import { abs, add, div, eq, log, lt, maximum, mul, ne, neg, sub, where } from '../primitives/elementwise.js';
import { sum } from '../primitives/reduce.js';
import { reshape } from '../primitives/shape.js';
import { gatherTrusted, indexSelectTrusted } from '../primitives/indexing.js';
import { clamp, relu, softplusStable } from './math.js';
import { mean, vectorNorm } from './reduce.js';
import { logSoftmax } from './softmax.js';
import { flatten, squeeze, transpose, unsqueeze } from './shape.js';
import { arange } from '../../tensor/creation.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(op: string, loss: Tensor, reduction: Reduction | undefined): Tensor {
  const r = reduction ?? 'mean';
  if (r === 'mean') return mean(loss);
  if (r === 'sum') return sum(loss);
  if (r === 'none') return loss;
  throw new ValueError(op, `reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
}

function checkPair(
  op: string,
  input: Tensor,
  target: Tensor,
  inputName = 'input',
  targetName = 'target',
): void {
  checkTensor(op, inputName, input);
  checkTensor(op, targetName, target);
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(
      op,
      `${inputName} has shape ${fmtShape(input.shape)} but ${targetName} has shape ${fmtShape(target.shape)}; they must be equal`,
    );
  }
  if (isFloat(input.dtype) && isFloat(target.dtype) && input.dtype !== target.dtype) {
    throw new DTypeError(op, `${inputName} is ${input.dtype} but ${targetName} is ${target.dtype}`);
  }
}

export interface ReductionOptions {
  reduction?: Reduction;
}

/** Mean squared error. @example mseLoss(pred, y) */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair('mseLoss', input, target);
  const d = sub(input, target);
  return reduce('mseLoss', mul(d, d), opts.reduction);
}

/** Mean absolute error. @example l1Loss(pred, y) */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair('l1Loss', input, target);
  return reduce('l1Loss', abs(sub(input, target)), opts.reduction);
}

/** Huber loss: quadratic within `delta`, linear beyond. @example huberLoss(pred, y, { delta: 1 }) */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  opts: ReductionOptions & { delta?: number } = {},
): Tensor {
  checkPair('huberLoss', input, target);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ValueError('huberLoss', `delta must be positive, got ${delta}`);
  const d = sub(input, target);
  const a = abs(d);
  const loss = where(lt(a, delta), mul(mul(d, d), 0.5), mul(sub(a, 0.5 * delta), delta));
  return reduce('huberLoss', loss, opts.reduction);
}

/** Smooth L1: quadratic within `beta` (divided by beta), linear beyond. @example smoothL1Loss(p, y, { beta: 0.5 }) */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  opts: ReductionOptions & { beta?: number } = {},
): Tensor {
  checkPair('smoothL1Loss', input, target);
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new ValueError('smoothL1Loss', `beta must be >= 0, got ${beta}`);
  const a = abs(sub(input, target));
  if (beta === 0) return reduce('smoothL1Loss', a, opts.reduction);
  const d = sub(input, target);
  const loss = where(lt(a, beta), div(mul(mul(d, d), 0.5), beta), sub(a, 0.5 * beta));
  return reduce('smoothL1Loss', loss, opts.reduction);
}

export interface NllOptions extends ReductionOptions {
  /** Per-class weights [C]. */
  weight?: Tensor;
  /** Targets equal to this are ignored (default -100). */
  ignoreIndex?: number;
}

/** Moves the class dim (1) last and flattens: [N, C, d...] -> [N*d..., C]. */
function classesLast(x: Tensor): Tensor {
  if (x.shape.length <= 2) return x;
  const moved = x.shape.length === 3 ? transpose(x, 1, 2) : flatten(x, 2).transpose(1, 2);
  return reshape(moved, [-1, x.shape[1]]);
}

function checkClassTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  checkIndexTensor(op, 'target', target);
  const expected = input.shape.length === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (target.shape.length !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      op,
      `target has shape ${fmtShape(target.shape)} but input of shape ${fmtShape(input.shape)} needs target shape ${fmtShape(expected)}`,
    );
  }
  const C = input.shape.length === 1 ? input.shape[0] : input.shape[1];
  checkIndexRange(op, 'target', target, C, `class labels for ${C} classes`, ignoreIndex);
}

/** Core of nll/cross-entropy on [M, C] log-probabilities and [M] targets; returns per-sample losses and weights. */
function nllCore(
  logp: Tensor,
  target: Tensor,
  weight: Tensor | undefined,
  ignoreIndex: number,
): [Tensor, Tensor] {
  const valid = ne(target, ignoreIndex);
  const safeTarget = where(valid, target, 0);
  const picked = squeeze(gatherTrusted(logp, 1, unsqueeze(safeTarget, 1)), 1); // targets checked by the caller
  let w = where(valid, 1, 0).to(logp.dtype);
  if (weight) w = mul(w, indexSelectTrusted(weight, 0, safeTarget));
  return [neg(mul(picked, w)), w];
}

function finishNll(
  op: string,
  losses: Tensor,
  w: Tensor,
  reduction: Reduction | undefined,
  outShape: readonly number[],
): Tensor {
  const r = reduction ?? 'mean';
  if (r === 'none') return reshape(losses, outShape);
  if (r === 'sum') return sum(losses);
  if (r === 'mean') return div(sum(losses), sum(w));
  throw new ValueError(op, `reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
}

/**
 * Negative log-likelihood of class targets given log-probabilities [N, C] (or [N, C, d...], or [C]).
 * 'mean' divides by the total weight of the non-ignored targets, as PyTorch does.
 * @example nllLoss(logSoftmax(logits, 1), labels)
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  checkTensor('nllLoss', 'input', input);
  checkClassTarget('nllLoss', input, target, opts.ignoreIndex ?? -100);
  const x = input.shape.length === 1 ? unsqueeze(input, 0) : classesLast(input);
  const [losses, w] = nllCore(x, reshape(target, [-1]), opts.weight, opts.ignoreIndex ?? -100);
  return finishNll('nllLoss', losses, w, opts.reduction, target.shape);
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 - eps) y + eps / C. */
  labelSmoothing?: number;
}

/**
 * Softmax cross-entropy of logits [N, C] (or [N, C, d...], or [C]) against int32 class targets, or
 * against class probabilities of the logits' shape. Matches torch.nn.functional.cross_entropy,
 * including `labelSmoothing`, `weight` and `ignoreIndex`.
 * @example crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  checkTensor('crossEntropy', 'input', input);
  checkTensor('crossEntropy', 'target', target);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1))
    throw new ValueError('crossEntropy', `labelSmoothing must be in [0, 1], got ${eps}`);
  const x = asFloat(input);
  const C = x.shape.length === 1 ? x.shape[0] : x.shape[1];
  const logp = logSoftmax(x, x.shape.length === 1 ? 0 : 1);
  if (isFloat(target.dtype)) {
    checkPair('crossEntropy', x, target, 'input', 'target');
    const y = eps > 0 ? add(mul(target, 1 - eps), eps / C) : target;
    let prod = mul(logp, y);
    if (opts.weight) prod = mul(prod, reshape(opts.weight, [C, ...x.shape.slice(2).map(() => 1)]));
    const losses = neg(sum(prod, x.shape.length === 1 ? 0 : 1));
    return reduce('crossEntropy', losses, opts.reduction);
  }
  checkClassTarget('crossEntropy', x, target, opts.ignoreIndex ?? -100);
  const lp = x.shape.length === 1 ? unsqueeze(logp, 0) : classesLast(logp);
  const t = reshape(target, [-1]);
  const ignore = opts.ignoreIndex ?? -100;
  const [nll, w] = nllCore(lp, t, opts.weight, ignore);
  if (eps === 0) return finishNll('crossEntropy', nll, w, opts.reduction, target.shape);
  // Smoothing term: -sum_c w_c log p_c per sample, zero for ignored samples.
  const valid = ne(t, ignore).to(lp.dtype);
  const perClass = opts.weight ? mul(lp, opts.weight) : lp;
  const smooth = mul(neg(sum(perClass, 1)), valid);
  const r = opts.reduction ?? 'mean';
  if (r === 'none') return reshape(add(mul(nll, 1 - eps), mul(smooth, eps / C)), target.shape);
  if (r === 'sum') return add(mul(sum(nll), 1 - eps), mul(sum(smooth), eps / C));
  if (r === 'mean') {
    const denom = sum(w);
    return add(mul(div(sum(nll), denom), 1 - eps), mul(div(sum(smooth), denom), eps / C));
  }
  throw new ValueError('crossEntropy', `reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
}

export interface BceOptions extends ReductionOptions {
  /** Rescales each element's loss. */
  weight?: Tensor;
}

/**
 * Binary cross-entropy of probabilities p against targets y in [0, 1]; logs are clamped at -100 as in
 * PyTorch, so p = 0 or 1 gives a finite loss.
 * @example binaryCrossEntropy(sigmoid(z), y)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  checkPair('binaryCrossEntropy', input, target);
  let loss = neg(
    add(mul(target, clamp(log(input), -100)), mul(sub(1, target), clamp(log(sub(1, input)), -100))),
  );
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce('binaryCrossEntropy', loss, opts.reduction);
}

export interface BceLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast over the last (class) dim. */
  posWeight?: Tensor;
}

/**
 * Binary cross-entropy on logits, computed stably: (1 - y) z + (1 + (pw - 1) y) log(1 + e^-z).
 * @example binaryCrossEntropyWithLogits(z, y)
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: BceLogitsOptions = {},
): Tensor {
  checkPair('binaryCrossEntropyWithLogits', input, target);
  const sp = softplusStable(neg(input));
  const lw = opts.posWeight ? add(mul(sub(opts.posWeight, 1), target), 1) : null;
  let loss = add(mul(sub(1, target), input), lw ? mul(lw, sp) : sp);
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce('binaryCrossEntropyWithLogits', loss, opts.reduction);
}

export interface MultiMarginOptions extends ReductionOptions {
  /** 1 (hinge) or 2 (squared hinge). */
  p?: 1 | 2;
  margin?: number;
  /** Per-class weights [C], applied by the target class. */
  weight?: Tensor;
}

/**
 * Multiclass hinge loss (torch.nn.functional.multi_margin_loss): for each sample,
 * sum over j != y of max(0, margin - x[y] + x[j])^p, divided by the number of classes C.
 * @example multiMarginLoss(scores, labels, { margin: 1 })
 */
export function multiMarginLoss(input: Tensor, target: Tensor, opts: MultiMarginOptions = {}): Tensor {
  checkTensor('multiMarginLoss', 'input', input);
  const x = input.shape.length === 1 ? unsqueeze(input, 0) : input;
  if (x.shape.length !== 2)
    throw new ShapeError(
      'multiMarginLoss',
      `input must be [N, C] or [C], got shape ${fmtShape(input.shape)}`,
    );
  checkIndexTensor('multiMarginLoss', 'target', target);
  const t = reshape(target, [-1]);
  if (t.shape[0] !== x.shape[0]) {
    throw new ShapeError(
      'multiMarginLoss',
      `target has shape ${fmtShape(target.shape)} but input has ${x.shape[0]} samples (shape ${fmtShape(input.shape)})`,
    );
  }
  const p = opts.p ?? 1;
  if (p !== 1 && p !== 2) throw new ValueError('multiMarginLoss', `p must be 1 or 2, got ${String(p)}`);
  const C = x.shape[1];
  checkIndexRange('multiMarginLoss', 'target', t, C, `class labels for ${C} classes`);
  const xy = gatherTrusted(x, 1, unsqueeze(t, 1));
  let h = relu(add(sub(opts.margin ?? 1, xy), x));
  if (p === 2) h = mul(h, h);
  if (opts.weight) h = mul(h, unsqueeze(indexSelectTrusted(opts.weight, 0, t), 1));
  const isTarget = eq(unsqueeze(t, 1), reshape(arange(C, undefined, 1, { backend: t.backend }), [1, C]));
  const losses = div(sum(where(isTarget, 0, h), 1), C);
  return reduce('multiMarginLoss', input.shape.length === 1 ? squeeze(losses, 0) : losses, opts.reduction);
}

/**
 * Cosine similarity along `dim`: sum(a b) / (max(|a|, eps) max(|b|, eps)), as PyTorch.
 * @example cosineSimilarity(tensor([[1, 0]]), tensor([[1, 1]]), 1) // tensor([0.7071])
 */
export function cosineSimilarity(a: Tensor, b: Tensor, dim = 1, eps = 1e-8): Tensor {
  checkPair('cosineSimilarity', a, b, 'a', 'b');
  const na = maximum(vectorNorm(a, 2, dim, true), eps);
  const nb = maximum(vectorNorm(b, 2, dim, true), eps);
  return sum(mul(div(a, na), div(b, nb)), dim);
}
