/**
 * The expression of every case in fixtures/autodiff.json, written with descend's public API.
 * Each entry reads like the PyTorch `expr` it mirrors.
 */
import * as d from '../src/index.js';
import type { Tensor } from '../src/index.js';
import type { Encoded } from './helpers.js';

/** One case of fixtures/autodiff.json. */
export interface AutodiffCase {
  name: string;
  expr: string;
  inputs: Record<string, Encoded>;
  output: Encoded;
  upstream_grad: Encoded;
  grads: Record<string, Encoded>;
}

/** The conformance tolerances by dtype. */
export const TOLERANCES: Record<string, { rtol: number; atol: number }> = {
  float64: { rtol: 1e-10, atol: 1e-12 },
  float32: { rtol: 1e-4, atol: 1e-5 },
};

type Inputs = Record<string, Tensor>;
export const CASES: Record<string, (i: Inputs) => Tensor> = {
  exp: ({ x }) => d.exp(x),
  log: ({ x }) => d.log(x),
  sqrt: ({ x }) => d.sqrt(x),
  tanh: ({ x }) => d.tanh(x),
  sigmoid: ({ x }) => d.sigmoid(x),
  relu: ({ x }) => d.relu(x),
  leaky_relu: ({ x }) => d.leakyRelu(x, 0.01),
  elu: ({ x }) => d.elu(x, 1.0),
  softplus: ({ x }) => d.softplus(x),
  softplus_beta2_threshold: ({ x }) => d.softplus(x, 2.0, 20.0),
  gelu_erf: ({ x }) => d.gelu(x),
  gelu_tanh: ({ x }) => d.gelu(x, 'tanh'),
  silu: ({ x }) => d.silu(x),
  atan: ({ x }) => d.atan(x),
  abs: ({ x }) => d.abs(x),
  sin: ({ x }) => d.sin(x),
  cos: ({ x }) => d.cos(x),
  pow_int: ({ x }) => x.pow(3),
  pow_frac: ({ x }) => d.pow(x, 2.5),
  pow_tensor: ({ a, b }) => d.pow(a, b),
  reciprocal: ({ x }) => d.div(1.0, x),
  clamp: ({ x }) => d.clamp(x, -0.5, 0.5),
  scalar_affine_square: ({ x }) => x.mul(2.0).sub(1.5).div(3.0).add(x.mul(x)),
  where: ({ x }) => d.where(x.gt(0), x.mul(2.0), d.exp(x)),
  add_broadcast: ({ a, b }) => a.add(b),
  sub_broadcast: ({ a, b }) => a.sub(b),
  mul_broadcast: ({ a, b }) => a.mul(b),
  div_broadcast: ({ a, b }) => a.div(b),
  maximum: ({ a, b }) => d.maximum(a, b),
  mul_scalar_tensor_broadcast: ({ a, b }) => a.mul(b),
  sum_all: ({ x }) => x.sum(),
  sum_axis_keepdim: ({ x }) => x.sum(1, true),
  sum_axis: ({ x }) => x.sum(0),
  mean_axes: ({ x }) => x.mean([0, 2]),
  mean_keepdim: ({ x }) => x.mean(-1, true),
  mean_all: ({ x }) => x.mean(),
  max_axis_keepdim: ({ x }) => x.max(1, true).values,
  amax_axis0: ({ x }) => d.amax(x, 0),
  max_all: ({ x }) => x.max(),
  min_axis: ({ x }) => d.min(x, 1).values,
  var_biased: ({ x }) => x.var(1, { correction: 0 }),
  std_unbiased: ({ x }) => x.std(0),
  vector_norm: ({ x }) => d.vectorNorm(x),
  norm_dim: ({ x }) => x.norm(2, 1),
  matmul_2d: ({ a, b }) => a.matmul(b),
  matmul_batched: ({ a, b }) => d.matmul(a, b),
  matmul_broadcast: ({ a, b }) => d.matmul(a, b),
  matvec: ({ a, v }) => a.matmul(v),
  outer: ({ u, v }) => d.outer(u, v),
  linear: ({ x, w, b }) => d.linear(x, w, b),
  transpose_reshape: ({ x }) => x.transpose(0, 2).reshape(4, 6),
  permute_flatten_square: ({ x }) => x.permute(1, 0, 2).flatten().pow(2),
  slicing_step: ({ x }) => x.index('1:', '::2'),
  slicing_overlap: ({ x }) => x.index(':', -1).mul(x.index(0, ':')),
  gather: ({ x, idx }) => d.gather(x, 1, idx),
  index_select_repeat: ({ x, idx }) => d.indexSelect(x, 0, idx),
  concat: ({ a, b }) => d.cat([a, b], 1),
  stack: ({ a, b, c }) => d.stack([a, b, c], 1),
  softmax: ({ x }) => d.softmax(x, -1),
  softmax_dim0_large: ({ x }) => d.softmax(x, 0),
  log_softmax: ({ x }) => d.logSoftmax(x, 1),
  logsumexp: ({ x }) => d.logsumexp(x, 1),
  logsumexp_keepdim_large: ({ x }) => d.logsumexp(x, 0, true),
  cross_entropy: ({ logits, target }) => d.crossEntropy(logits, target),
  cross_entropy_sum_label_smoothing: ({ logits, target }) =>
    d.crossEntropy(logits, target, { reduction: 'sum', labelSmoothing: 0.1 }),
  nll_of_log_softmax: ({ logits, target }) => d.nllLoss(d.logSoftmax(logits, 1), target),
  bce_with_logits: ({ z, y }) => d.binaryCrossEntropyWithLogits(z, y),
  bce_with_logits_soft_targets_sum: ({ z, y }) => d.binaryCrossEntropyWithLogits(z, y, { reduction: 'sum' }),
  bce_probabilities: ({ p, y }) => d.binaryCrossEntropy(p, y),
  mse: ({ a, b }) => d.mseLoss(a, b),
  l1_loss: ({ a, b }) => d.l1Loss(a, b),
  huber: ({ a, b }) => d.huberLoss(a, b, { delta: 1.0 }),
  smooth_l1_beta05: ({ a, b }) => d.smoothL1Loss(a, b, { beta: 0.5 }),
  multi_margin_loss: ({ x, target }) => d.multiMarginLoss(x, target),
  multi_margin_loss_sum_margin05: ({ x, target }) =>
    d.multiMarginLoss(x, target, { margin: 0.5, reduction: 'sum' }),
  cosine_similarity: ({ a, b }) => d.cosineSimilarity(a, b, 1),
  layer_norm_affine: ({ x, w, b }) => d.layerNorm(x, [5], w, b, 1e-5),
  layer_norm_2d_no_affine: ({ x }) => d.layerNorm(x, [3, 4]),
  batch_norm_train_2d: ({ x, w, b }) => d.batchNorm(x, null, null, w, b, { training: true, eps: 1e-5 }),
  batch_norm_train_4d: ({ x, w, b }) => d.batchNorm(x, null, null, w, b, { training: true, eps: 1e-5 }),
  embedding: ({ idx, weight }) => d.embedding(idx, weight),
  conv2d_pad1_bias: ({ x, w, b }) => d.conv2d(x, w, b, { stride: 1, padding: 1 }),
  conv2d_stride2: ({ x, w }) => d.conv2d(x, w, null, { stride: 2 }),
  max_pool2d_2x2: ({ x }) => d.maxPool2d(x, 2, { stride: 2 }),
  max_pool2d_3x3_s2_p1_overlap: ({ x }) => d.maxPool2d(x, 3, { stride: 2, padding: 1 }),
  avg_pool2d_2x2: ({ x }) => d.avgPool2d(x, 2),
  mlp_composite_loss: ({ x, w1, b1, w2, b2 }) =>
    d.tanh(x.matmul(w1).add(b1)).matmul(w2).add(b2).pow(2).mean(),
  relu_at_zero: ({ x }) => d.relu(x),
  abs_at_zero: ({ x }) => d.abs(x),
  clamp_at_bounds: ({ x }) => d.clamp(x, 0.0, 1.0),
  maximum_ties: ({ a, b }) => d.maximum(a, b),
  amax_ties: ({ x }) => d.amax(x, 1),
  max_dim_ties: ({ x }) => x.max(1).values,
  max_all_ties: ({ x }) => x.max(),
  max_pool2d_ties: ({ x }) => d.maxPool2d(x, 2, { stride: 2 }),
};
