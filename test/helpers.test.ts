/** The conformance matcher itself must be able to fail. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../src/index.js';
import { assertClose } from './helpers.js';

describe('assertClose', () => {
  const t = tensor([1, NaN, Infinity], { dtype: 'float64' });
  it('accepts equal values, NaN with NaN and Inf with the same Inf', () => {
    expect(() => assertClose(t, { shape: [3], data: [1, 'NaN', 'Infinity'] }, 1e-10, 0)).not.toThrow();
  });
  it('rejects a relative error over rtol and names the worst element', () => {
    expect(() => assertClose(tensor([1, 2], { dtype: 'float64' }), [1, 2 + 1e-8], 1e-10, 1e-12)).toThrow(
      /element 1/,
    );
  });
  it('never treats NaN as Inf, or a different shape as equal', () => {
    expect(() => assertClose(t, { shape: [3], data: [1, 'Infinity', 'Infinity'] }, 1, 1)).toThrow(
      /element 1/,
    );
    expect(() => assertClose(t, [1, 2], 1, 1)).toThrow(/shape/);
  });
});
