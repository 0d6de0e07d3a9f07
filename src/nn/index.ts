/**
 * descend/nn: modules, layers, activations, losses, initializers and regularizers.
 * @packageDocumentation
 */
// Tensor's op methods (x.add(y), x.sum(), ...) are installed by this import.
import '../tensor/methods.js';
export * from './module.js';
export { functionalCall, paramsOf, buffersOf } from './functional-call.js';
export * from './layers.js';
export * from './activations.js';
export * from './losses.js';
export * from './regularization.js';
export * as init from './init.js';
export * from '../ops/composite/losses.js';
export {
  dropout,
  batchNorm,
  layerNorm,
  embedding,
  conv2d,
  maxPool2d,
  avgPool2d,
} from '../ops/composite/nn.js';
