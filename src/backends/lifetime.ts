/**
 * Storage lifetime without dispose: the library knows when the temporaries it makes itself can no
 * longer be reached. Backward (without createGraph) and an optimizer's step run in a scope; when the
 * work ends, the storage it made goes back to its backend's pool, except what it hands on (gradients in
 * `.grad`, the gradients it returns, the parameters and the optimizer's state). What user code drops is
 * the FinalizationRegistry's. Backends without scopes (the CPU ones, so far) ignore this.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Backend, Storage } from './backend.js';

const scoped = new Set<Backend>();

/** Called by the registry for each backend that has scopes. */
export function trackScopes(b: Backend): void {
  if (b.beginScope && b.endScope) scoped.add(b);
}

/** Tensors in a value: itself, arrays, and plain objects' values (an optimizer state). */
export function tensorsIn(v: unknown, out: Tensor[] = [], depth = 0): Tensor[] {
  if (v === null || typeof v !== 'object' || depth > 4) return out;
  if ('_storage' in v && 'shape' in v) out.push(v as Tensor);
  else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) tensorsIn(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype)
    for (const x of Object.values(v)) tensorsIn(x, out, depth + 1);
  return out;
}

function storageOf(t: Tensor): Storage | null {
  try {
    return t._storage;
  } catch {
    return null; // a batched view inside vmap: its physical tensor is kept through the trace
  }
}

/**
 * Runs `fn` in a scope of every backend that has scopes; on return, storage made inside and not in
 * `keep(result)` is released. If `fn` throws, nothing is released (the collector frees it later).
 */
export function withScope<T>(fn: () => T, keep: (result: T) => Iterable<Tensor | null | undefined>): T {
  if (!scoped.size) return fn();
  const bs = [...scoped];
  for (const b of bs) b.beginScope!();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    for (const b of bs) b.endScope!(ALL);
    throw e;
  }
  const kept = new Set<Storage>();
  for (const t of keep(result)) {
    const s = t && storageOf(t);
    if (s) kept.add(s);
  }
  for (const b of bs) b.endScope!(kept);
  return result;
}

/** A keep-set that holds everything (used when the scoped work failed). */
const ALL: ReadonlySet<Storage> = { has: () => true } as unknown as ReadonlySet<Storage>;
