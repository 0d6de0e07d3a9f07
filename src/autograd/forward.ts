/**
 * Forward mode's bookkeeping: each `jvp` call opens a level; a tensor carries its tangent at each active
 * level (`Tensor._tangents`), and every primitive's JVP rule (src/autograd/primitive.ts) maps its
 * inputs' tangents to its output's. Levels keep nested jvps apart (no perturbation confusion): while the
 * rule for level L runs, levels >= L are hidden, so the tangent it computes carries only the outer
 * levels' tangents (which higher-order derivatives need) and never its own.
 */
import type { Tensor } from '../tensor/tensor.js';
import { Levels } from './levels.js';

const active = new Levels();
/** Levels above this are invisible (while a JVP rule or a kernel runs). */
let visibleBelow = Infinity;

/** Opens a forward-mode level for one jvp call. */
export function openLevel(): number {
  return active.open();
}

/** Closes a level: tangents left on tensors at this level are ignored from now on. */
export function closeLevel(level: number): void {
  active.close(level);
}

/** Whether any forward-mode level is open (the fast path of every primitive checks this first). */
export function forwardActive(): boolean {
  return active.size > 0;
}

/** Runs fn with levels >= `level` hidden. */
export function hidingFrom<T>(level: number, fn: () => T): T {
  const prev = visibleBelow;
  visibleBelow = Math.min(prev, level);
  try {
    return fn();
  } finally {
    visibleBelow = prev;
  }
}

/** x's tangent at `level`, if it has one there. */
export function tangentAt(x: Tensor, level: number): Tensor | undefined {
  return x._tangents?.get(level);
}

/** Attaches a tangent at `level` (copy-on-write: a tensor's tangent map is never shared). */
export function setTangent(x: Tensor, level: number, t: Tensor): void {
  const m = new Map(x._tangents ?? []);
  m.set(level, t);
  x._tangents = m;
}

/** The visible active levels present on any of these tensors, ascending. */
export function levelsOf(xs: readonly Tensor[]): number[] {
  let out: number[] | null = null;
  for (const x of xs) {
    if (!x._tangents) continue;
    for (const l of x._tangents.keys()) {
      if (l >= visibleBelow || !active.has(l)) continue;
      out ??= [];
      if (!out.includes(l)) out.push(l);
    }
  }
  return out ? out.sort((a, b) => a - b) : [];
}

/** Copies x's tangents to y (transforms that re-create tensors, such as grad's tracing, keep them). */
export function carryTangents(from: Tensor, to: Tensor): Tensor {
  if (from._tangents) to._tangents = new Map(from._tangents);
  return to;
}
