/**
 * descend/io: safetensors (pure encode/decode, and files), atomic writes, training checkpoints and the
 * file-writing fit callbacks. The file functions need Node.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './safetensors.js';
export * from './files.js';
export * from './callbacks.js';
export * from './mnist.js';
export * from './brown.js';
