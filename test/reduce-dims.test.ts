import { describe, expect, it } from 'vitest';
import { coalesceReduce } from '../src/backends/reduce-dims.js';

describe('coalesceReduce', () => {
  it('merges neighbouring reduced or kept dims and drops dims of size 1', () => {
    // A conv bias gradient: [N, C, H, W] over 0, 2, 3.
    expect(coalesceReduce([64, 6, 28, 28], [0, 2, 3])).toEqual({ shape: [64, 6, 784], axes: [0, 2] });
    expect(coalesceReduce([2, 3, 4], [0, 1])).toEqual({ shape: [6, 4], axes: [0] });
    expect(coalesceReduce([2, 3, 4], [1])).toEqual({ shape: [2, 3, 4], axes: [1] });
    expect(coalesceReduce([2, 1, 3, 1, 4], [0, 2, 4])).toEqual({ shape: [24], axes: [0] });
    expect(coalesceReduce([2, 1, 3, 1, 4], [0, 4])).toEqual({ shape: [2, 3, 4], axes: [0, 2] });
    expect(coalesceReduce([2, 1, 3], [1])).toEqual({ shape: [6], axes: [] });
    expect(coalesceReduce([1, 1], [0, 1])).toEqual({ shape: [], axes: [] });
    expect(coalesceReduce([5, 0, 2], [1])).toEqual({ shape: [5, 0, 2], axes: [1] });
  });
});
