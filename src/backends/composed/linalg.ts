/**
 * Linear algebra for backends without it: the JS reference kernels on a host copy. These are small
 * matrices (Newton steps, Hessian spectra), so the round trip costs little, and a GPU backend would do the
 * same (LU and QL iterations are serial).
 */
import type { Backend, LinalgKernels, Storage } from '../backend.js';
import { JsBackend } from '../js/index.js';

const host = new JsBackend();

export function composedLinalg(b: Backend): LinalgKernels {
  const toHost = (s: Storage) => host.fromArray(s.dtype, b.read(s));
  const fromHost = (s: Storage) => b.fromArray(s.dtype, host.read(s));
  return {
    solve: (a, rhs, n, k) => fromHost(host.linalg.solve(toHost(a), toHost(rhs), n, k)),
    eigh: (a, n) => {
      const { values, vectors } = host.linalg.eigh(toHost(a), n);
      return { values: fromHost(values), vectors: fromHost(vectors) };
    },
    eigvalsh: (a, n) => fromHost(host.linalg.eigvalsh(toHost(a), n)),
  };
}
