/**
 * descend/optim: optimizers as pure, composable gradient transformations (optax's design and numbers),
 * PyTorch-style classes over them (PyTorch's numbers), L-BFGS, second-order methods and clipping.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './core.js';
export * from './transforms.js';
export * from './recipes.js';
export * from './torch/index.js';
export * from './optimizer.js';
export * from './optax-classes.js';
export * from './clip.js';
export * from './lbfgs.js';
export * from './second-order.js';
export * from './minimize.js';
export * from './by-name.js';
export * from './unroll.js';
export * from './registry.js';
