import type { Tensor } from '../tensor/tensor.js';

/** True when any element is NaN or +-Inf (always false for int32/bool). */
export function hasNonFinite(t: Tensor): boolean {
  if (t.dtype === 'int32' || t.dtype === 'bool') return false;
  const d = t.backend.read(t._storage);
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return true;
  return false;
}
