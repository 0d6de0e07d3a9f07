/** The bench's descend models, shared by the engine (bench/engines/descend.ts) and bench/page-faults.ts. */
import * as nn from '../src/nn/index.js';

/** Workload b's MLP: 784-256-128-10 with ReLUs (MNIST-sized). */
export function benchMlp(): nn.Sequential {
  return new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}
