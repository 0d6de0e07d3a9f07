/**
 * The linear-classifier panel's model (the lectures' interactive demo): scores s = W x + b for 3 classes
 * of 2-D points, the Weston–Watkins multiclass SVM loss or softmax cross-entropy, plus λ‖W‖²; gradients
 * by descend's autodiff, plain gradient steps.
 */
import * as d from 'descend';
import { linearToy } from 'descend/data';

export type LinearLoss = 'svm' | 'softmax';

export class LinearDemo {
  points: [number, number][];
  labels: number[];
  /** W[c] = [w_c1, w_c2]; b[c]: the bias of class c. */
  W = [
    [1, 2],
    [2, -4],
    [3, -1],
  ];
  b = [0, 0.5, -0.5];
  loss: LinearLoss = 'svm';
  reg = 0.1;
  step = 0.1;

  constructor() {
    const { x, y } = linearToy({ dtype: 'float64' });
    const xs = x.dataSync();
    this.points = Array.from({ length: xs.length / 2 }, (_, k) => [xs[2 * k]!, xs[2 * k + 1]!]);
    this.labels = Array.from(y.dataSync());
  }

  /** Scores, per-point losses, the total loss and its gradients with respect to W and b. */
  evaluate() {
    const W = d.tensor(this.W, { dtype: 'float64', requiresGrad: true });
    const b = d.tensor(this.b, { dtype: 'float64', requiresGrad: true });
    const X = d.tensor(this.points, { dtype: 'float64' });
    const y = d.tensor(this.labels, { dtype: 'int32' });
    const scores = d.matmul(X, W.t()).add(b);
    // Weston–Watkins: sum over j != y of max(0, s_j - s_y + 1); PyTorch's multi_margin_loss divides by C.
    const perPoint =
      this.loss === 'svm'
        ? d.multiMarginLoss(scores, y, { reduction: 'none' }).mul(scores.shape[1]!)
        : d.crossEntropy(scores, y, { reduction: 'none' });
    const dataLoss = perPoint.mean();
    const regLoss = W.pow(2).sum().mul(this.reg);
    const total = dataLoss.add(regLoss);
    total.backward();
    const rows = (t: d.Tensor) => t.tolist() as number[][];
    return {
      scores: rows(scores.detach()),
      perPoint: Array.from(perPoint.detach().dataSync()),
      dataLoss: dataLoss.item(),
      regLoss: regLoss.item(),
      total: total.item(),
      dW: rows(W.grad!),
      db: Array.from(b.grad!.dataSync()),
    };
  }

  /** One gradient step on W and b; returns the loss before it. */
  update(): number {
    const e = this.evaluate();
    this.W = this.W.map((row, c) => row.map((w, k) => w - this.step * e.dW[c]![k]!));
    this.b = this.b.map((v, c) => v - this.step * e.db[c]!);
    return e.total;
  }
}
