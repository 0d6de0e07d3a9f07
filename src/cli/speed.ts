/**
 * How much the backend in use speeds up training over the plain JS backend: a few training steps of the
 * same model, optimizer and batch on each, timed after a warm-up step. The trainer reports it.
 */
import { backend, getBackend, setBackend } from '../backends/registry.js';
import { crossEntropy } from '../ops/composite/losses.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import type * as nn from '../nn/index.js';

export interface Speedup {
  backend: string;
  /** Samples per second on the backend in use and on the JS backend. */
  current: number;
  js: number;
  ratio: number;
  steps: number;
}

/** Builds a fresh model and its optimizer on the current backend. */
export type TrainerFactory = () => { model: nn.Module; opt: { zeroGrad(): void; step(): void } };

function measure(name: string, build: TrainerFactory, x: Tensor, y: Tensor, steps: number): number {
  const before = getBackend();
  setBackend(name);
  try {
    const { model, opt } = build();
    const xs = tensor(x.dataSync(), { dtype: x.dtype }).reshape(x.shape);
    const ys = tensor(y.dataSync(), { dtype: y.dtype }).reshape(y.shape);
    const step = () => {
      opt.zeroGrad();
      crossEntropy(model.call(xs) as Tensor, ys).backward();
      opt.step();
    };
    step();
    const t = performance.now();
    for (let i = 0; i < steps; i++) step();
    return (steps * x.shape[0]) / ((performance.now() - t) / 1000);
  } finally {
    setBackend(before);
  }
}

/** The backend in use against the JS backend on one batch (x, y); null on the JS backend itself. */
export function backendSpeedup(build: TrainerFactory, x: Tensor, y: Tensor, steps = 5): Speedup | null {
  const name = backend();
  if (name === 'js') return null;
  const current = measure(name, build, x, y, steps);
  const js = measure('js', build, x, y, steps);
  return { backend: name, current, js, ratio: current / js, steps };
}
