/**
 * descend/lm: language models and word embeddings: n-gram models with Kneser-Ney smoothing, Bengio's
 * neural language model, GloVe, nearest neighbours, analogies and 2-D maps.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './ngram.js';
export * from './neural.js';
export * from './train.js';
export * from './sample.js';
export * from './glove.js';
export * from './embeddings.js';
export * from './names.js';
export * from './analogy-benchmark.js';
