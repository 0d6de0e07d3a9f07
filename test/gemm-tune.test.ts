/**
 * The native GEMM's autotune: descend's own kernels (smallGemm, dotGemm) and OpenBLAS each forced in
 * turn agree with the JS reference on every shape class where both apply (matmul and a convolution's
 * forward and backward, whose weight gradient accumulates with beta = 1); in 'auto' the decisions are
 * recorded and reported by backendInfo().
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { backendInfo, nativeBackend, type Tensor } from '../src/index.js';
import { assertClose } from './helpers.js';

const native = nativeBackend;
// The autotune lives in the native addon: without it (not built, or DESCEND_NATIVE=0) there is nothing to tune.
if (!native) console.warn('native GEMM autotune tests skipped: the native backend is not loaded');

/** [a shape, b shape, transpose b]: the classes the own kernels cover, and one they do not. */
const PRODUCTS: [number[], number[], boolean][] = [
  [[6, 25], [25, 784], false], // smallGemm: k <= 32, n >= 256
  [[13, 9], [9, 300], false], // smallGemm with row and column tails
  [[6, 784], [25, 784], true], // dotGemm: A B^T, k >= 256
  [[31, 300], [5, 300], true], // dotGemm tails
  [[16, 150], [150, 100], false], // neither
];

function onBackend<T>(b: string, f: () => T): T {
  return d.withBackend(b, f);
}

function conv(b: string): Tensor[] {
  return onBackend(b, () => {
    const g = new d.Generator(3);
    const x = d.randn([2, 3, 28, 28], { generator: g }).requiresGrad_();
    const w = d.randn([6, 3, 5, 5], { generator: g }).requiresGrad_();
    const y = d.conv2d(x, w, undefined, { padding: 2 });
    y.mul(y).sum().backward();
    return [y.detach(), x.grad!, w.grad!];
  });
}

describe.skipIf(!native)('native GEMM autotune', () => {
  afterAll(() => native?.setGemmTune('auto'));

  for (const mode of ['own', 'blas', 'auto'] as const) {
    it(`${mode}: every product and a convolution's gradients equal the JS reference`, () => {
      native!.setGemmTune(mode);
      for (const [sa, sb, tb] of PRODUCTS) {
        const g = new d.Generator(sa[0] * 1000 + sb[1]);
        const a = d.randn(sa, { generator: g });
        const b = d.randn(sb, { generator: g });
        const ref = onBackend('js', () => d.matmul(a, tb ? b.transpose(0, 1) : b));
        const got = onBackend('native', () => {
          const [an, bn] = [a, b].map((t) => d.tensor(t.dataSync(), { dtype: t.dtype }).reshape(t.shape));
          return d.matmul(an, tb ? bn.transpose(0, 1) : bn);
        });
        assertClose(got, ref, 1e-4, 1e-4, `${mode} ${sa} x ${sb}${tb ? '^T' : ''}`);
      }
      const want = conv('js');
      conv('native').forEach((t, i) =>
        assertClose(t, want[i], 2e-4, 2e-3, `${mode} conv ${['y', 'dx', 'dw'][i]}`),
      );
      const m = backendInfo().machine!;
      expect(m.tune).toBe(mode);
      if (mode === 'auto' && m.ownKernels === 'AVX2+FMA') {
        // Each class the own kernels cover was timed once, both ways, and decided (builds without AVX2
        // have no own kernels, so nothing to decide).
        const kernels = m.decisions.map((x) => x.shape.split(' ')[0]);
        expect(kernels).toContain('smallGemm');
        expect(kernels).toContain('dotGemm');
        for (const x of m.decisions) {
          expect(x.ownUs).toBeGreaterThan(0);
          expect(x.blasUs).toBeGreaterThan(0);
          expect(x.chosen).toBe(x.ownUs < x.blasUs ? 'own' : 'blas');
        }
      } else if (mode !== 'auto') expect(m.decisions).toEqual([]);
    });
  }

  it('reports the CPU features and the own kernels instruction set', () => {
    const m = backendInfo().machine!;
    if (process.arch === 'x64') expect(m.cpuFeatures).toMatch(/\bavx\b/);
    expect(m.ownKernels).toMatch(/^(AVX2\+FMA|none \(built without AVX2\/FMA\))$/);
  });
});
