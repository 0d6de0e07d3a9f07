/** Activation modules: every function of the lectures' table plus the common modern ones. */
import type { Tensor } from '../tensor/tensor.js';
import { getDefaultDtype } from '../tensor/dtype.js';
import { full } from '../tensor/creation.js';
import { atan, sigmoid, tanh } from '../ops/primitives/elementwise.js';
import * as A from '../ops/composite/math.js';
import { logSoftmax, softmax } from '../ops/composite/softmax.js';
import { Module } from './module.js';
import type { LayerOptions } from './layers.js';

/** x. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return A.identity(x);
  }
}
/** The lectures' binary step: 1 for x >= 0, else 0 (zero gradient). */
export class BinaryStep extends Module {
  forward(x: Tensor): Tensor {
    return A.binaryStep(x);
  }
}
/** 1 / (1 + e^-x). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}
/** tanh(x). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
/** arctan(x). */
export class Arctan extends Module {
  forward(x: Tensor): Tensor {
    return atan(x);
  }
}
/** max(0, x). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return A.relu(x);
  }
}
/** x for x > 0, slope x otherwise. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return A.leakyRelu(x, this.negativeSlope);
  }
  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}
/** Leaky ReLU with a learnable slope (one, or one per channel), initialized to 0.25 as in PyTorch. */
export class PReLU extends Module {
  readonly weight: Tensor;
  constructor(numParameters = 1, init = 0.25, opts: LayerOptions = {}) {
    super();
    this.weight = this.param(
      'weight',
      full([numParameters], init, { dtype: opts.dtype ?? getDefaultDtype() }),
    );
  }
  forward(x: Tensor): Tensor {
    return A.prelu(x, this.weight);
  }
}
/** x for x > 0, alpha (e^x - 1) otherwise. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return A.elu(x, this.alpha);
  }
}
/** log(1 + e^(beta x)) / beta, linear above threshold. */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return A.softplus(x, this.beta, this.threshold);
  }
}
/** GELU, exact ('none') or tanh approximation. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  forward(x: Tensor): Tensor {
    return A.gelu(x, this.approximate);
  }
}
/** x sigmoid(x). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return A.silu(x);
  }
}
/** Softmax along dim. */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
}
/** Log-softmax along dim. */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
}
