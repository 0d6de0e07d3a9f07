/** Convolution and its gradients as unfold + batched matmul (the reference the fused kernels match). */
import type { Backend, ConvKernels, WindowKernels } from '../backend.js';

export function composedConv(b: Backend, win: WindowKernels): ConvKernels {
  return {
    conv2d: (x, w, g, o) => {
      const k = g.c * g.kh * g.kw;
      const wb = b.strided(w, [g.n, o, k], [0, k, 1], 0);
      return b.matmul(wb, win.im2col(x, g, 0), { batch: g.n, m: o, k, n: g.oh * g.ow });
    },
    conv2dWeightGrad: (x, gy, g, o) => {
      const k = g.c * g.kh * g.kw;
      const each = b.matmul(gy, win.im2col(x, g, 0), {
        batch: g.n,
        m: o,
        k: g.oh * g.ow,
        n: k,
        transB: true,
      });
      return b.reduce('sum', each, [g.n, o, k], [0]);
    },
    conv2dInputGrad: (gy, w, g, o) => {
      const k = g.c * g.kh * g.kw;
      const wb = b.strided(w, [g.n, o, k], [0, k, 1], 0);
      return win.col2im(b.matmul(wb, gy, { batch: g.n, m: k, k: o, n: g.oh * g.ow, transA: true }), g);
    },
  };
}
