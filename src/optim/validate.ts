/** Hyperparameter checks: typed errors that name the optimizer, the option and the value at fault. */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

export function checkOptions(op: string, opts: object | undefined, allowed: readonly string[]): void {
  if (!opts) return;
  if (typeof opts !== 'object') throw new ValueError(op, `options must be an object, got ${typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new ValueError(op, `unknown option '${k}' (valid options: ${allowed.join(', ')})`);
    }
  }
}

export function nonNegative(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0) || v === Infinity)
    throw new ValueError(op, `invalid ${name} ${String(v)}: must be a finite number >= 0`);
  return v;
}

export function positive(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !(v > 0) || v === Infinity)
    throw new ValueError(op, `invalid ${name} ${String(v)}: must be a finite number > 0`);
  return v;
}

/** A decay rate in [0, 1). */
export function unitInterval(op: string, name: string, v: number, closed = false): number {
  const ok = typeof v === 'number' && v >= 0 && (closed ? v <= 1 : v < 1);
  if (!ok) throw new ValueError(op, `invalid ${name} ${String(v)}: must be in [0, 1${closed ? ']' : ')'}`);
  return v;
}

export function lrValue(op: string, lr: unknown): void {
  if (typeof lr === 'function') return;
  if (lr instanceof Tensor) return tensorHyper(op, 'lr', lr);
  nonNegative(op, 'lr', lr as number);
}

/**
 * A tensor hyperparameter (for differentiating through training): one float element. Its value is not
 * range-checked: it is meant to move (and inside vmap it cannot be read).
 */
export function tensorHyper(op: string, name: string, v: Tensor): void {
  if (v.size !== 1 || (v.dtype !== 'float32' && v.dtype !== 'float64'))
    throw new ValueError(
      op,
      `invalid ${name}: a tensor hyperparameter must be one float element, got ${v.dtype} of shape [${v.shape.join(', ')}]`,
    );
}
