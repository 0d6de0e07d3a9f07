/**
 * descend/train: the training loop, callbacks, the gradient-health monitor and the progress bar.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './fit.js';
export * from './callbacks.js';
export * from './health.js';
export * from './progress.js';
