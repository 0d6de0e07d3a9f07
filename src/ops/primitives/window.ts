/** Sliding-window primitives: im2col (unfold) and its adjoint col2im (fold). Convolution and pooling use them. */
import type { Window2d } from '../../backends/backend.js';
import { kernelsOf } from '../../backends/kernels.js';
import { definePrimitive, type Primitive } from '../../autograd/primitive.js';
import { batchByLoop, batchSizeOf, moveDim, toFront } from '../batching.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fromStorage } from '../core.js';
import { permute, reshape } from './shape.js';
import { bmmPrim } from './linalg.js';
import { sumTangents } from './elementwise.js';

/**
 * A window primitive's batching when only its image-like operand is batched: the vmap batch joins the
 * images' n dim (the geometry's n grows to match), and splits off again after.
 */
function foldBatch(x: Tensor, bdim: number, run: (flat: Tensor, n: number) => Tensor): [Tensor, number] {
  const f = moveDim(x, bdim, 0);
  const [B, n] = [f.shape[0], f.shape[1]];
  const out = run(reshape(f, [B * n, ...f.shape.slice(2)]), B * n);
  return [reshape(out, [B, n, ...out.shape.slice(1)]), 0];
}

export const im2colPrim: Primitive<{ g: Window2d; padValue: number }> = definePrimitive<{
  g: Window2d;
  padValue: number;
}>({
  name: 'unfold',
  forward: ([x], { g, padValue }) =>
    fromStorage(kernelsOf(x.backend).window.im2col(x._storage, g, padValue), [
      g.n,
      g.c * g.kh * g.kw,
      g.oh * g.ow,
    ]),
  vjp: (grad, { attrs: { g } }) => [col2imPrim([grad], { g })],
  jvp: ([t], { attrs }) => (t ? im2colPrim([t], attrs) : null), // linear
  batch: ([x], [b], { g, padValue }) =>
    foldBatch(x, b!, (f, n) => im2colPrim([f], { g: { ...g, n }, padValue })),
});

export const col2imPrim: Primitive<{ g: Window2d }> = definePrimitive<{ g: Window2d }>({
  name: 'fold',
  forward: ([cols], { g }) =>
    fromStorage(kernelsOf(cols.backend).window.col2im(cols._storage, g), [g.n, g.c, g.h, g.w]),
  vjp: (grad, { attrs: { g } }) => [im2colPrim([grad], { g, padValue: 0 })],
  jvp: ([t], { attrs }) => (t ? col2imPrim([t], attrs) : null), // linear
  batch: ([x], [b], { g }) => foldBatch(x, b!, (f, n) => col2imPrim([f], { g: { ...g, n } })),
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
    fromStorage(kernelsOf(x.backend).conv.conv2d(x._storage, w._storage, g, o), [g.n, o, g.oh, g.ow]),
  vjp: (gy, { inputs: [x, w], attrs, needsGrad }) => [
    needsGrad[0] ? conv2dInputGradPrim([gy, w], attrs) : null,
    needsGrad[1] ? conv2dWeightGradPrim([x, gy], attrs) : null,
  ],
  jvp: ([tx, tw], { inputs: [x, w], attrs, out }) =>
    sumTangents(out, [tx ? conv2dPrim([tx, w], attrs) : null, tw ? conv2dPrim([x, tw], attrs) : null]),
  batch: ([x, w], [bx, bw], attrs) =>
    bw === null
      ? foldBatch(x, bx!, (f, n) => conv2dPrim([f, w], { ...attrs, g: { ...attrs.g, n } }))
      : batchByLoop((ys) => conv2dPrim(ys, attrs), [x, w], [bx, bw]), // a batch of weights (ensembles)
  saves: { inputs: [0, 1] },
});

/** dw = d<gy, conv2d(x, w)>/dw; linear in x and in gy. */
export const conv2dWeightGradPrim: Primitive<ConvAttrs> = definePrimitive<ConvAttrs>({
  name: 'conv2dWeightGrad',
  forward: ([x, gy], { g, o }) =>
    fromStorage(kernelsOf(x.backend).conv.conv2dWeightGrad(x._storage, gy._storage, g, o), [
      o,
      g.c,
      g.kh,
      g.kw,
    ]),
  vjp: (k, { inputs: [x, gy], attrs, needsGrad }) => [
    needsGrad[0] ? conv2dInputGradPrim([gy, k], attrs) : null,
    needsGrad[1] ? conv2dPrim([x, k], attrs) : null,
  ],
  jvp: ([tx, tgy], { inputs: [x, gy], attrs, out }) =>
    sumTangents(out, [
      tx ? conv2dWeightGradPrim([tx, gy], attrs) : null,
      tgy ? conv2dWeightGradPrim([x, tgy], attrs) : null,
    ]),
  // Per-example weight gradients (DP-SGD's): dW[b] = sum over b's images of gy (O x L) times the unfolded
  // x (K x L) transposed: one batched product over the vmap batch, [O, n*L] x [n*L, K].
  batch: ([x, gy], bdims, { g, o }) => {
    const B = batchSizeOf([x, gy], bdims);
    const [xf, gf] = [toFront(x, bdims[0], B), toFront(gy, bdims[1], B)];
    const n = g.n;
    const K = g.c * g.kh * g.kw;
    const L = g.oh * g.ow;
    const cols = im2colPrim([reshape(xf, [B * n, g.c, g.h, g.w])], { g: { ...g, n: B * n }, padValue: 0 });
    const colsT = reshape(permute(reshape(cols, [B, n, K, L]), [0, 2, 1, 3]), [B, K, n * L]);
    const gyT = reshape(permute(reshape(gf, [B, n, o, L]), [0, 2, 1, 3]), [B, o, n * L]);
    const dw = bmmPrim([gyT, colsT], { ta: false, tb: true });
    return [reshape(dw, [B, o, g.c, g.kh, g.kw]), 0];
  },
  saves: { inputs: [0, 1] },
});

/** dx = d<gy, conv2d(x, w)>/dx (a transposed convolution); linear in gy and in w. */
export const conv2dInputGradPrim: Primitive<ConvAttrs> = definePrimitive<ConvAttrs>({
  name: 'conv2dInputGrad',
  forward: ([gy, w], { g, o }) =>
    fromStorage(kernelsOf(gy.backend).conv.conv2dInputGrad(gy._storage, w._storage, g, o), [
      g.n,
      g.c,
      g.h,
      g.w,
    ]),
  vjp: (h, { inputs: [gy, w], attrs, needsGrad }) => [
    needsGrad[0] ? conv2dPrim([h, w], attrs) : null,
    needsGrad[1] ? conv2dWeightGradPrim([h, gy], attrs) : null,
  ],
  jvp: ([tgy, tw], { inputs: [gy, w], attrs, out }) =>
    sumTangents(out, [
      tgy ? conv2dInputGradPrim([tgy, w], attrs) : null,
      tw ? conv2dInputGradPrim([gy, tw], attrs) : null,
    ]),
  batch: ([gy, w], [bg, bw], attrs) =>
    bw === null
      ? foldBatch(gy, bg!, (f, n) => conv2dInputGradPrim([f, w], { ...attrs, g: { ...attrs.g, n } }))
      : batchByLoop((ys) => conv2dInputGradPrim(ys, attrs), [gy, w], [bg, bw]),
  saves: { inputs: [0, 1] },
});
