/**
 * A backend's kernels for every capability: its own where it has them, the composed ones (written with
 * its core kernels) where it does not. Softmax and optimizer steps have no storage-level composition:
 * their composed path is the differentiable ops themselves (ops/composite/softmax.ts, optim/torch/adam.ts and sgd.ts),
 * so they stay optional here.
 */
import type {
  ActivationKernels,
  Backend,
  ConvKernels,
  LinalgKernels,
  OptimKernels,
  PoolKernels,
  SoftmaxKernels,
  WindowKernels,
} from './backend.js';
import { composedActivations } from './composed/activations.js';
import { composedConv } from './composed/conv.js';
import { composedLinalg } from './composed/linalg.js';
import { composedPool } from './composed/pool.js';
import { composedWindow } from './composed/window.js';

export interface Kernels {
  readonly window: WindowKernels;
  readonly conv: ConvKernels;
  readonly pool: PoolKernels;
  readonly linalg: LinalgKernels;
  readonly activations: ActivationKernels;
  readonly softmax: SoftmaxKernels | undefined;
  readonly optim: OptimKernels | undefined;
}

/** Every capability of `b` composed from its core alone, ignoring its own fused kernels (for tests). */
export function composedKernels(b: Backend): Kernels {
  const window = composedWindow(b);
  return {
    window,
    conv: composedConv(b, window),
    pool: composedPool(b, window),
    linalg: composedLinalg(b),
    activations: composedActivations(b),
    softmax: undefined,
    optim: undefined,
  };
}

const cache = new WeakMap<Backend, Kernels>();

let last: { b: Backend; k: Kernels } | null = null;

/** `b`'s kernels: its own capabilities, else the composed ones. */
export function kernelsOf(b: Backend): Kernels {
  // Ops ask per call; nearly always for the same backend as last time.
  if (last?.b === b) return last.k;
  let k = cache.get(b);
  if (!k) {
    const window = b.window ?? composedWindow(b);
    k = {
      window,
      conv: b.conv ?? composedConv(b, window),
      pool: b.pool ?? composedPool(b, window),
      linalg: b.linalg ?? composedLinalg(b),
      activations: b.activations ?? composedActivations(b),
      softmax: b.softmax,
      optim: b.optim,
    };
    cache.set(b, k);
  }
  last = { b, k };
  return k;
}
