/**
 * descend/schedules: learning-rate schedules as functions of the step (optax) and as scheduler objects
 * that drive an optimizer (PyTorch).
 * @packageDocumentation
 */
export * from './functions.js';
export * from './schedulers.js';
export * from './registry.js';
