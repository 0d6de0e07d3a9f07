/** Every op, in functional form. The Tensor methods call these. */
export * from './primitives/elementwise.js';
export { sum, amax, amin, argmax, argmin, sumTo } from './primitives/reduce.js';
export { reshape, permute, expand, cat, narrow, stridedView, stridedScatter } from './primitives/shape.js';
export { gather, scatterAdd } from './primitives/indexing.js';
export { solve } from './primitives/linalg.js';
export * from './primitives/sort.js';
export * from './composite/math.js';
export * from './composite/reduce.js';
export * from './composite/shape.js';
export * from './composite/indexing.js';
export * from './composite/linalg.js';
export * from './composite/softmax.js';
export * from './composite/losses.js';
export * from './composite/nn.js';
export * from './composite/sampling.js';
export { inplace, copy_, fill_ } from './inplace.js';
export { backward, autogradGrad, gradNodeOf, type AutogradGradOptions } from './autograd.js';
export { hasNonFinite } from './inspect.js';
