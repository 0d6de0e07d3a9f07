/** `descend info`: where descend runs and what it decided there (backends, CPU, OpenBLAS, GEMM autotune). */
import { backendInfo, nativeBackend, withBackend } from '../backends/registry.js';
import { matmul } from '../ops/composite/linalg.js';
import { conv2d } from '../ops/composite/nn.js';
import { randn } from '../tensor/creation.js';

/**
 * The shape classes where descend's own GEMM kernels compete with OpenBLAS, run once so the autotune
 * decides: the bench's LeNet convolutions forward and backward (per-image products: smallGemm forward,
 * dotGemm for the weight gradient) and a product with a short inner dimension.
 */
function probeGemm(): void {
  withBackend('native', () => {
    matmul(randn([6, 25]), randn([25, 784]));
    const x = randn([2, 1, 28, 28]).requiresGrad_();
    const w1 = randn([6, 1, 5, 5]).requiresGrad_();
    const w2 = randn([16, 6, 5, 5]).requiresGrad_();
    conv2d(conv2d(x, w1, null, { padding: 2 }), w2)
      .sum()
      .backward();
  });
}

export function infoCommand(log: (s: string) => void, version: string): void {
  if (nativeBackend) probeGemm();
  const info = backendInfo();
  log(`descend ${version}, Node ${process.version}, ${process.platform} ${process.arch}`);
  log(`backend: ${info.name} (${info.reason}); available: ${info.available.join(', ')}`);
  log(`native: ${info.native}`);
  log(`wasm: ${info.wasm}`);
  const m = info.machine;
  if (!m) return;
  log(`CPU features: ${m.cpuFeatures || 'none detected'}`);
  log(`descend's own kernels: ${m.ownKernels}`);
  log(`GEMM autotune (${m.tune}): ${m.decisions.length ? '' : 'no shape decided yet'}`);
  for (const d of m.decisions)
    log(
      `  ${d.shape.padEnd(36)} own ${d.ownUs.toFixed(1).padStart(7)} us, OpenBLAS ${d.blasUs.toFixed(1).padStart(7)} us -> ${d.chosen}`,
    );
}
