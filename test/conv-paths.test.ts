/**
 * The native backend's two float32 convolution paths: the implicit GEMM (stride 1, undilated; forward and
 * input gradient) and im2col + GEMM, each forced in turn, against the JS backend in float64. The
 * geometries cover padding wider than the kernel (the input gradient falls back to im2col), rectangular
 * kernels and images, one and several channels, a batch of one, and strided and dilated convolutions
 * (which never take the implicit path, so both settings must agree there too).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { nativeBackend, type Tensor } from '../src/index.js';
import { assertClose } from './helpers.js';

const native = nativeBackend;
// The implicit GEMM lives in the native addon: without it (not built, or DESCEND_NATIVE=0) there is nothing to compare.
if (!native) console.warn('native convolution path tests skipped: the native backend is not loaded');

interface Case {
  x: number[];
  w: number[];
  padding?: number | [number, number];
  stride?: number;
  dilation?: number;
}
const CASES: Case[] = [
  { x: [3, 1, 28, 28], w: [6, 1, 5, 5], padding: 2 }, // LeNet's first layer
  { x: [2, 6, 14, 14], w: [16, 6, 5, 5] }, // LeNet's second layer
  { x: [1, 3, 9, 13], w: [5, 3, 3, 2], padding: [1, 0] }, // rectangular everything, batch 1
  { x: [2, 2, 7, 7], w: [7, 2, 3, 3], padding: 3 }, // padding wider than kernel - 1
  { x: [2, 4, 6, 5], w: [13, 4, 1, 1] }, // 1x1, channel count past a register block
  { x: [2, 3, 11, 11], w: [4, 3, 3, 3], padding: 1, stride: 2 }, // strided: im2col either way
  { x: [2, 3, 11, 11], w: [4, 3, 3, 3], padding: 2, dilation: 2 }, // dilated: im2col either way
];

function run(backend: string, c: Case, dtype: 'float32' | 'float64'): Tensor[] {
  return d.withBackend(backend, () => {
    const g = new d.Generator(c.x[1] * 100 + c.w[0]);
    const x = d.randn(c.x, { generator: g, dtype }).requiresGrad_();
    const w = d.randn(c.w, { generator: g, dtype }).requiresGrad_();
    const y = d.conv2d(x, w, undefined, {
      padding: c.padding ?? 0,
      stride: c.stride ?? 1,
      dilation: c.dilation ?? 1,
    });
    const gy = d.randn(y.shape, { generator: g, dtype });
    y.mul(gy).sum().backward();
    return [y.detach(), x.grad!, w.grad!];
  });
}

describe.skipIf(!native)('native convolution paths', () => {
  afterAll(() => native?.setConvPath('auto'));

  it('reports the path it takes', () => {
    native!.setConvPath('im2col');
    expect(native!.convPath()).toBe('im2col');
    native!.setConvPath('auto');
    // Builds without AVX2+FMA have only im2col.
    expect(['implicit', 'im2col']).toContain(native!.convPath());
  });

  for (const path of ['auto', 'im2col'] as const)
    for (const c of CASES)
      it(`${path}: x ${c.x} w ${c.w} padding ${c.padding ?? 0} stride ${c.stride ?? 1} dilation ${c.dilation ?? 1}`, () => {
        native!.setConvPath(path);
        const want = run('js', c, 'float64');
        const got = run('native', c, 'float32');
        got.forEach((t, i) =>
          assertClose(t.to('float64'), want[i], 1e-4, 1e-4, `${path} ${['y', 'dx', 'dw'][i]}`),
        );
      });
});
