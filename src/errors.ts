/**
 * Typed errors. Every message names the op, the argument, and the shapes, dtypes or values at fault,
 * so a failure deep inside a model still says where it came from.
 */

/** Base class of every error descend throws on purpose. `op` is the operation that refused the input. */
export class DescendError extends Error {
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = new.target.name;
    this.op = op;
  }
}

/** Shapes that do not fit together (broadcasting, matmul, reshape, cat, ...). */
export class ShapeError extends DescendError {}

/** A dtype the op cannot take, or two dtypes that cannot be mixed. */
export class DTypeError extends DescendError {}

/** An argument value out of range (a dim, an index, a probability, an option). */
export class ValueError extends DescendError {}

/** Misuse of autodiff: backward of a non-scalar without a gradient, a released graph, ... */
export class AutogradError extends DescendError {}

/** vmap misuse: bad inAxes/outAxes, mismatched batch sizes, a batched value read directly. */
export class BatchingError extends DescendError {}

/** A tensor saved for backward was modified in place before backward ran. */
export class InplaceError extends AutogradError {}

/** Anomaly mode found NaN or Inf produced inside backward. */
export class AnomalyError extends AutogradError {}

/** gradcheck/gradgradcheck found analytic and numeric derivatives that disagree. */
export class GradcheckError extends DescendError {}

/**
 * A value for an error message, at most `max` characters (strings as they are, others as JSON), so a
 * hostile file or a huge argument cannot flood the log.
 * @example clip('x'.repeat(100)).endsWith('... (100 chars)') // true
 */
export function clip(v: unknown, max = 60): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > max ? `${s.slice(0, max)}... (${s.length} chars)` : s;
}

/**
 * A table's own entry for a name from outside (a flag, a file, a user's string), or undefined: never
 * an inherited one, so 'constructor' or '__proto__' is unknown rather than Object's.
 * @example own({ adam: 1 }, 'constructor') // undefined
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
