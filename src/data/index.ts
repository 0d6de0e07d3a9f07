/**
 * descend/data: datasets, minibatch loading, splits, standardization and the lectures' toy problems.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './dataset.js';
export * from './preprocess.js';
export * from './toy.js';
export * from './text/index.js';
