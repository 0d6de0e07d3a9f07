/**
 * descend/train: the training loop, callbacks, the gradient-health monitor and the progress bar.
 * @packageDocumentation
 */
export * from './fit.js';
export * from './callbacks.js';
export * from './health.js';
export * from './progress.js';
