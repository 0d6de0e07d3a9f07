/** Sliding-window primitives: im2col (unfold) and its adjoint col2im (fold). Convolution and pooling use them. */
import type { Window2d } from '../../backends/backend.js';
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fromStorage } from '../core.js';

export const im2colPrim: Primitive<{ g: Window2d; padValue: number }> = definePrimitive<{
  g: Window2d;
  padValue: number;
}>({
  name: 'unfold',
  forward: ([x], { g, padValue }) =>
    fromStorage(x.backend.im2col(x._storage, g, padValue), [g.n, g.c * g.kh * g.kw, g.oh * g.ow]),
  vjp: (grad, { attrs: { g } }) => [col2imPrim([grad], { g })],
});

export const col2imPrim: Primitive<{ g: Window2d }> = definePrimitive<{ g: Window2d }>({
  name: 'fold',
  forward: ([cols], { g }) => fromStorage(cols.backend.col2im(cols._storage, g), [g.n, g.c, g.h, g.w]),
  vjp: (grad, { attrs: { g } }) => [im2colPrim([grad], { g, padValue: 0 })],
});

export function im2col(x: Tensor, g: Window2d, padValue = 0): Tensor {
  return im2colPrim([x], { g, padValue });
}
