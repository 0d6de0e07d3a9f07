/** Data augmentation for 28 x 28 digits: a random shift of up to `max` pixels per image (zero fill). */
import type { Tensor } from '../tensor/tensor.js';
import { tensor, zeros } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import { gather } from '../ops/primitives/indexing.js';
import { cat } from '../ops/primitives/shape.js';

export function randomShift(x: Tensor, g: Generator, max = 2): Tensor {
  const n = x.shape[0];
  const side = 28;
  const big = side + 2 * max;
  // Pad each image into a (28 + 2 max)^2 canvas, then gather a 28 x 28 window at a random offset.
  const img = x.reshape(n, side, side);
  const padCols = zeros([n, side, max], { dtype: x.dtype });
  const wide = cat([padCols, img, padCols], 2);
  const padRows = zeros([n, max, big], { dtype: x.dtype });
  const canvas = cat([padRows, wide, padRows], 1).reshape(n, big * big);
  const idx = new Int32Array(n * side * side);
  for (let b = 0; b < n; b++) {
    const dy = g.randint(0, 2 * max + 1);
    const dx = g.randint(0, 2 * max + 1);
    for (let r = 0; r < side; r++)
      for (let c = 0; c < side; c++) idx[b * side * side + r * side + c] = (r + dy) * big + (c + dx);
  }
  return gather(canvas, 1, tensor(idx).reshape(n, side * side));
}
