/** Activations' VJPs from their outputs with the core's mul, sub and where (three roundings, not one). */
import type { ActivationKernels, Backend } from '../backend.js';

export function composedActivations(b: Backend): ActivationKernels {
  return {
    activationGrad: (op, g, gShape, y, yShape, out, dtype) => {
      const one = b.full(dtype, 1, 1);
      if (op === 'reluBackward') {
        const off = b.binary('le', y, yShape, b.full(dtype, 1, 0), [], yShape, 'bool');
        return b.where(off, yShape, b.full(dtype, 1, 0), [], g, gShape, out);
      }
      const slope =
        op === 'tanhBackward'
          ? b.binary(
              'sub',
              one,
              [],
              b.binary('mul', y, yShape, y, yShape, yShape, dtype),
              yShape,
              yShape,
              dtype,
            )
          : b.binary(
              'mul',
              y,
              yShape,
              b.binary('sub', one, [], y, yShape, yShape, dtype),
              yShape,
              yShape,
              dtype,
            );
      return b.binary('mul', g, gShape, slope, yShape, out, dtype);
    },
  };
}
