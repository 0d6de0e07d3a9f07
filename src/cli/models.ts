/** The trainer's models for 28 x 28 digits. */
import { ValueError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import * as nn from '../nn/index.js';

export const MODEL_NAMES = ['logistic', 'mlp', 'cnn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelConfig {
  model: ModelName;
  dropout: number;
  init: 'default' | 'xavier' | 'kaiming';
  dtype: DType;
}

/** Reshapes flat 784-pixel rows to [N, 1, 28, 28] for the convolutional model. */
class ToImage extends nn.Module {
  forward(x: import('../tensor/tensor.js').Tensor) {
    return x.reshape(-1, 1, 28, 28);
  }
}

export function buildModel(c: ModelConfig): nn.Module {
  const o = { dtype: c.dtype };
  let m: nn.Module;
  if (c.model === 'logistic') m = new nn.Sequential(new nn.Linear(784, 10, o));
  else if (c.model === 'mlp') {
    const layers: nn.Module[] = [new nn.Linear(784, 256, o), new nn.ReLU()];
    if (c.dropout > 0) layers.push(new nn.Dropout(c.dropout));
    layers.push(new nn.Linear(256, 128, o), new nn.ReLU());
    if (c.dropout > 0) layers.push(new nn.Dropout(c.dropout));
    layers.push(new nn.Linear(128, 10, o));
    m = new nn.Sequential(...layers);
  } else if (c.model === 'cnn') {
    // LeNet-5's shape with 8 and 16 channels: 8@28x28 -> pool -> 16@10x10 -> pool -> 120 -> 84 -> 10.
    const layers: nn.Module[] = [
      new ToImage(),
      new nn.Conv2d(1, 8, 5, { ...o, padding: 2 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 16, 5, o),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(400, 120, o),
      new nn.ReLU(),
    ];
    if (c.dropout > 0) layers.push(new nn.Dropout(c.dropout));
    layers.push(new nn.Linear(120, 84, o), new nn.ReLU(), new nn.Linear(84, 10, o));
    m = new nn.Sequential(...layers);
  } else throw new ValueError('buildModel', `unknown model '${String(c.model)}'`);
  if (c.init !== 'default') {
    for (const mod of m.modules()) {
      if (mod instanceof nn.Linear || mod instanceof nn.Conv2d) {
        if (c.init === 'xavier') nn.init.xavierUniform_(mod.weight);
        else nn.init.kaimingNormal_(mod.weight, { nonlinearity: 'relu' });
        if (mod.bias) nn.init.zeros_(mod.bias);
      }
    }
  }
  return m;
}
