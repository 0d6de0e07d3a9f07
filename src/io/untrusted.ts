/**
 * Reading untrusted files safely (internal to descend/io): JSON refused before it can exhaust the stack,
 * names that cannot reach an object's prototype, error messages that quote a bounded part of a bad value.
 */
import { DescendError, clip } from '../errors.js';

/** A malformed or unreadable checkpoint. */
export class CheckpointError extends DescendError {}

/** Deeper JSON is refused before parsing (a fuzzed header must not exhaust the stack). */
export const MAX_JSON_DEPTH = 64;

/** Sets an own property even for names like '__proto__' (plain assignment would change the prototype). */
export function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The nesting depth of a JSON text, counted without parsing (strings are skipped). */
export function jsonDepth(s: string): number {
  let depth = 0;
  let max = 0;
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inStr = false;
    } else if (c === 34) inStr = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/**
 * JSON.parse for untrusted text: refuses nesting deeper than MAX_JSON_DEPTH and turns every failure into
 * a CheckpointError from `op` that names `what`.
 */
export function parseUntrustedJson(op: string, text: string, what: string): unknown {
  const d = jsonDepth(text);
  if (d > MAX_JSON_DEPTH)
    throw new CheckpointError(op, `the ${what} nests ${d} levels deep (limit ${MAX_JSON_DEPTH})`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(op, `the ${what} is not valid JSON (${clip((e as Error).message, 120)})`);
  }
}
