/**
 * Loss modules (torch.nn's *Loss classes) over the functional losses, with PyTorch's `reduction`; and
 * the lectures' linear-classifier losses: the multiclass SVM (Weston-Watkins) hinge and the softmax loss.
 */
import { ShapeError } from '../errors.js';
import { fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { arange } from '../tensor/creation.js';
import { add, eq, sub, where } from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { reshape } from '../ops/primitives/shape.js';
import { gather } from '../ops/primitives/indexing.js';
import { relu } from '../ops/composite/math.js';
import { mean } from '../ops/composite/reduce.js';
import { unsqueeze } from '../ops/composite/shape.js';
import { checkIndexTensor, checkTensor } from '../ops/core.js';
import * as L from '../ops/composite/losses.js';
import { Module } from './module.js';

/**
 * The multiclass SVM loss of the lectures (Weston-Watkins): per sample sum over j != y of
 * max(0, s_j - s_y + delta), averaged over samples (not divided by the number of classes, unlike
 * PyTorch's multi_margin_loss).
 * @example multiclassSvmLoss(scores, labels) // delta = 1
 */
export function multiclassSvmLoss(
  scores: Tensor,
  target: Tensor,
  opts: { delta?: number; reduction?: L.Reduction } = {},
): Tensor {
  checkTensor('multiclassSvmLoss', 'scores', scores);
  checkIndexTensor('multiclassSvmLoss', 'target', target);
  if (scores.shape.length !== 2 || target.shape.length !== 1 || target.shape[0] !== scores.shape[0]) {
    throw new ShapeError(
      'multiclassSvmLoss',
      `scores of shape ${fmtShape(scores.shape)} need target of shape [${scores.shape[0]}], got ${fmtShape(target.shape)}`,
    );
  }
  const sy = gather(scores, 1, unsqueeze(target, 1));
  const margins = relu(add(sub(scores, sy), opts.delta ?? 1));
  const isTarget = eq(unsqueeze(target, 1), reshape(arange(scores.shape[1]), [1, -1]));
  const perSample = sum(where(isTarget, 0, margins), 1);
  const r = opts.reduction ?? 'mean';
  return r === 'none' ? perSample : r === 'sum' ? sum(perSample) : mean(perSample);
}

/** The softmax (cross-entropy) loss of a linear classifier: crossEntropy under the lectures' name. */
export function softmaxLoss(scores: Tensor, target: Tensor, opts: { reduction?: L.Reduction } = {}): Tensor {
  return L.crossEntropy(scores, target, opts);
}

abstract class LossModule<O> extends Module {
  constructor(readonly opts: O) {
    super();
  }
}

/** @example new CrossEntropyLoss({ labelSmoothing: 0.1 }).call(logits, labels) */
export class CrossEntropyLoss extends LossModule<L.CrossEntropyOptions> {
  constructor(opts: L.CrossEntropyOptions = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, this.opts);
  }
}
export class NLLLoss extends LossModule<L.NllOptions> {
  constructor(opts: L.NllOptions = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, this.opts);
  }
}
export class BCELoss extends LossModule<L.BceOptions> {
  constructor(opts: L.BceOptions = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, this.opts);
  }
}
export class BCEWithLogitsLoss extends LossModule<L.BceLogitsOptions> {
  constructor(opts: L.BceLogitsOptions = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, this.opts);
  }
}
export class MSELoss extends LossModule<L.ReductionOptions> {
  constructor(opts: L.ReductionOptions = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, this.opts);
  }
}
export class L1Loss extends LossModule<L.ReductionOptions> {
  constructor(opts: L.ReductionOptions = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, this.opts);
  }
}
export class HuberLoss extends LossModule<L.ReductionOptions & { delta?: number }> {
  constructor(opts: L.ReductionOptions & { delta?: number } = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, this.opts);
  }
}
export class SmoothL1Loss extends LossModule<L.ReductionOptions & { beta?: number }> {
  constructor(opts: L.ReductionOptions & { beta?: number } = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, this.opts);
  }
}
export class MultiMarginLoss extends LossModule<L.MultiMarginOptions> {
  constructor(opts: L.MultiMarginOptions = {}) {
    super(opts);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multiMarginLoss(input, target, this.opts);
  }
}
/** The lectures' multiclass SVM loss as a module. */
export class MulticlassSVMLoss extends LossModule<{ delta?: number; reduction?: L.Reduction }> {
  constructor(opts: { delta?: number; reduction?: L.Reduction } = {}) {
    super(opts);
  }
  forward(scores: Tensor, target: Tensor): Tensor {
    return multiclassSvmLoss(scores, target, this.opts);
  }
}
export class CosineSimilarity extends Module {
  constructor(
    readonly dim = 1,
    readonly eps = 1e-8,
  ) {
    super();
  }
  forward(a: Tensor, b: Tensor): Tensor {
    return L.cosineSimilarity(a, b, this.dim, this.eps);
  }
}
