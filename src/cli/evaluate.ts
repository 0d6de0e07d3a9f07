/** A classifier's predictions, loss, accuracy and confusion matrix on a test set, in batches. */
import { noGrad } from '../autograd/mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { argmax } from '../ops/primitives/reduce.js';
import { crossEntropy } from '../ops/composite/losses.js';
import * as nn from '../nn/index.js';

export function predictAll(model: nn.Module, x: Tensor, batch = 500): Tensor[] {
  const outs: Tensor[] = [];
  noGrad(() => {
    model.eval();
    for (let i = 0; i < x.shape[0]; i += batch)
      outs.push(model.call(x.narrow(0, i, Math.min(batch, x.shape[0] - i))) as Tensor);
  });
  return outs;
}

export function evaluate(model: nn.Module, x: Tensor, y: Tensor) {
  const outs = predictAll(model, x);
  let loss = 0;
  const preds: number[] = [];
  let off = 0;
  for (const o of outs) {
    const yb = y.narrow(0, off, o.shape[0]);
    loss += crossEntropy(o, yb).item() * o.shape[0];
    preds.push(...Array.from(argmax(o, 1).dataSync()));
    off += o.shape[0];
  }
  const truth = Array.from(y.dataSync());
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  truth.forEach((t, i) => {
    confusion[t][preds[i]]++;
    if (t === preds[i]) correct++;
  });
  return { loss: loss / truth.length, accuracy: correct / truth.length, preds, truth, confusion };
}
