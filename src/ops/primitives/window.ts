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

// Convolution and its two gradients form a closed family of bilinear primitives: each one's VJP is made of
// the other two (and itself), so convolution has gradients of every order without unfolded copies in the
// graph. x [n, c, h, w], w [o, c, kh, kw], y and gy [n, o, oh, ow].
type ConvAttrs = { g: Window2d; o: number };

export const conv2dPrim: Primitive<ConvAttrs> = definePrimitive<ConvAttrs>({
  name: 'conv2d',
  forward: ([x, w], { g, o }) =>
    fromStorage(x.backend.conv2d(x._storage, w._storage, g, o), [g.n, o, g.oh, g.ow]),
  vjp: (gy, { inputs: [x, w], attrs, needsGrad }) => [
    needsGrad[0] ? conv2dInputGradPrim([gy, w], attrs) : null,
    needsGrad[1] ? conv2dWeightGradPrim([x, gy], attrs) : null,
  ],
  saves: { inputs: [0, 1] },
});

/** dw = d<gy, conv2d(x, w)>/dw; linear in x and in gy. */
export const conv2dWeightGradPrim: Primitive<ConvAttrs> = definePrimitive<ConvAttrs>({
  name: 'conv2dWeightGrad',
  forward: ([x, gy], { g, o }) =>
    fromStorage(x.backend.conv2dWeightGrad(x._storage, gy._storage, g, o), [o, g.c, g.kh, g.kw]),
  vjp: (k, { inputs: [x, gy], attrs, needsGrad }) => [
    needsGrad[0] ? conv2dInputGradPrim([gy, k], attrs) : null,
    needsGrad[1] ? conv2dPrim([x, k], attrs) : null,
  ],
  saves: { inputs: [0, 1] },
});

/** dx = d<gy, conv2d(x, w)>/dx (a transposed convolution); linear in gy and in w. */
export const conv2dInputGradPrim: Primitive<ConvAttrs> = definePrimitive<ConvAttrs>({
  name: 'conv2dInputGrad',
  forward: ([gy, w], { g, o }) =>
    fromStorage(gy.backend.conv2dInputGrad(gy._storage, w._storage, g, o), [g.n, g.c, g.h, g.w]),
  vjp: (h, { inputs: [gy, w], attrs, needsGrad }) => [
    needsGrad[0] ? conv2dPrim([h, w], attrs) : null,
    needsGrad[1] ? conv2dWeightGradPrim([h, gy], attrs) : null,
  ],
  saves: { inputs: [0, 1] },
});
