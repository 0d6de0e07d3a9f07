/**
 * Max pooling's choices from the core kernels, with PyTorch's rules: the first maximum in window order,
 * any NaN beating every number (the first NaN), padding never chosen.
 */
import type { Backend, PoolKernels, WindowKernels } from '../backend.js';

export function composedPool(b: Backend, win: WindowKernels): PoolKernels {
  return {
    poolArgmax: (s, g) => {
      const kk = g.kh * g.kw;
      const L = g.oh * g.ow;
      const shape = [g.n * g.c, kk, L];
      const cols = win.im2col(s, g, -Infinity);
      // A window's max is NaN when it holds one (max propagates NaN), and then only NaNs match it.
      const max = b.reduce('max', cols, shape, [1]);
      const matches = b.binary(
        'logicalOr',
        b.binary('eq', cols, shape, max, [g.n * g.c, 1, L], shape, 'bool'),
        shape,
        b.unary('isnan', cols, 'bool'),
        shape,
        shape,
        'bool',
      );
      // One plane's taps: where each reads in the h*w plane (-1 in the padding, which never matches).
      const plane = { ...g, n: 1, c: 1 };
      const at = Array.from({ length: g.h * g.w }, (_, i) => i);
      const where = win.im2col(b.fromArray('int32', at), plane, -1);
      const real = b.binary('ge', where, [1, kk, L], b.full('int32', 1, 0), [], [1, kk, L], 'bool');
      const chosen = b.binary('logicalAnd', matches, shape, real, [1, kk, L], shape, 'bool');
      const first = b.argReduce('argmax', b.cast(chosen, 'int32'), shape, 1);
      return b.gather(b.strided(where, shape, [0, L, 1], 0), shape, 1, first, [g.n * g.c, 1, L]);
    },
  };
}
