/**
 * descend/data: datasets, minibatch loading, splits, standardization and the lectures' toy problems.
 * @packageDocumentation
 */
export * from './dataset.js';
export * from './preprocess.js';
export * from './toy.js';
export * from './text/index.js';
