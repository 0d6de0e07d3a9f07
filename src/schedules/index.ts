/**
 * descend/schedules: learning-rate schedules as functions of the step (optax) and as scheduler objects
 * that drive an optimizer (PyTorch).
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './functions.js';
export * from './schedulers.js';
export * from './registry.js';
