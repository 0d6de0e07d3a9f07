/**
 * Fused optimizer steps as ops: one pass of the backend's `optim` capability where it has one, over plain
 * same-shaped float tensors outside a recorded graph (where nothing can tell the difference from the
 * composed update). Each returns null when it does not apply; the caller then runs the composed rule
 * (optim/torch/sgd.ts, adam.ts), which is the definition the kernels are tested against bit for bit.
 */
import type { AdamStepArgs, SgdStepArgs, Storage } from '../backends/backend.js';
import { kernelsOf } from '../backends/kernels.js';
import { isGradEnabled } from '../autograd/mode.js';
import { isFloat } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { fromStorage } from './core.js';

function fusable(p: Tensor, g: Tensor, state: readonly (Tensor | null)[]): boolean {
  const same = (t: Tensor | null) =>
    t === null || (t.dtype === p.dtype && t.backend === p.backend && shapesEqual(t.shape, p.shape));
  if (!isFloat(p.dtype) || (isGradEnabled() && (p.requiresGrad || g.requiresGrad))) return false;
  return same(g) && state.every(same);
}

/** The tensors written in place have their version bumped (as any in-place op does). */
function bump(ts: readonly (Tensor | null)[]): void {
  for (const t of ts) if (t) t._version.value++;
}

export interface AdamStepTensors {
  p: Tensor;
  m: Tensor;
  v: Tensor;
  maxV: Tensor | null;
}

/** One Adam(W) update; with `inPlace`, p, m, v and maxV are overwritten and returned. */
export function fusedAdamStep(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  maxV: Tensor | null,
  args: AdamStepArgs,
  inPlace: boolean,
): AdamStepTensors | null {
  const kernel = kernelsOf(p.backend).optim;
  if (!kernel || !fusable(p, g, [m, v, maxV])) return null;
  const r = kernel.adamStep(
    p._storage,
    g._storage,
    m._storage,
    v._storage,
    maxV?._storage ?? null,
    args,
    inPlace,
  );
  if (inPlace) {
    bump([p, m, v, maxV]);
    return { p, m, v, maxV };
  }
  const t = (s: Storage) => fromStorage(s, p.shape);
  return { p: t(r.p), m: t(r.m), v: t(r.v), maxV: r.maxV ? t(r.maxV) : null };
}

/** One SGD update; `buf` is the momentum buffer (null before the first step, and without momentum). */
export function fusedSgdStep(
  p: Tensor,
  g: Tensor,
  buf: Tensor | null,
  args: SgdStepArgs,
  inPlace: boolean,
): { p: Tensor; buf: Tensor | null } | null {
  const kernel = kernelsOf(p.backend).optim;
  if (!kernel || !fusable(p, g, [buf])) return null;
  const r = kernel.sgdStep(p._storage, g._storage, buf?._storage ?? null, args, inPlace);
  if (inPlace) bump([p, buf]);
  const nextBuf = r.buf === null ? null : buf && r.buf === buf._storage ? buf : fromStorage(r.buf, p.shape);
  return { p: inPlace ? p : fromStorage(r.p, p.shape), buf: nextBuf };
}
