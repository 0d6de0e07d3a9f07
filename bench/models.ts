/** The bench's descend models, shared by the engine (bench/engines/descend.ts), bench/page-faults.ts and bench/vmap.ts. */
import * as descendNn from '../src/nn/index.js';

/** The nn namespace to build with: this checkout's, or another's (bench/ab.ts compares two). */
type NN = typeof descendNn;

/** Workload b's MLP: 784-256-128-10 with ReLUs (MNIST-sized). */
export function benchMlp(nn: NN = descendNn): descendNn.Sequential {
  return new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

/** Workload e's LeNet-5-shaped CNN for 28x28 digits: 6@28x28 -> pool -> 16@10x10 -> pool -> 120 -> 84 -> 10. */
export function benchCnn(nn: NN = descendNn): descendNn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );
}
