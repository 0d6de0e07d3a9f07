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
 * The first key that an object of a valid JSON text repeats, or null. JSON.parse keeps the last of
 * duplicates silently, so a second `__metadata__` could replace the checked one.
 */
export function duplicateKey(s: string): string | null {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 123) stack.push(new Set());
    else if (c === 91) stack.push(null);
    else if (c === 125 || c === 93) stack.pop();
    else if (c === 34) {
      const start = i;
      for (i++; s.charCodeAt(i) !== 34; i++) if (s.charCodeAt(i) === 92) i++;
      let j = i + 1;
      while (j < s.length && /\s/.test(s[j]!)) j++;
      const keys = stack[stack.length - 1];
      if (s[j] === ':' && keys) {
        const key = JSON.parse(s.slice(start, i + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
    }
  }
  return null;
}

/**
 * JSON.parse for untrusted text: refuses nesting deeper than MAX_JSON_DEPTH and objects with a repeated
 * key, and turns every failure into a CheckpointError from `op` that names `what`.
 */
export function parseUntrustedJson(op: string, text: string, what: string): unknown {
  const d = jsonDepth(text);
  if (d > MAX_JSON_DEPTH)
    throw new CheckpointError(op, `the ${what} nests ${d} levels deep (limit ${MAX_JSON_DEPTH})`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(op, `the ${what} is not valid JSON (${clip((e as Error).message, 120)})`);
  }
  const dup = duplicateKey(text);
  if (dup !== null) throw new CheckpointError(op, `the ${what} repeats the key '${clip(dup)}'`);
  return value;
}
