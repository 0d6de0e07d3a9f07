/**
 * The doctest's rules for expected output. An example line `expr // expected` is checked when the comment
 * is a complete literal: `tensor(...)` is compared with the printed tensor (whitespace folded), and a
 * number, boolean, string, array or object literal (JSON with single quotes, NaN and Infinity allowed)
 * with the value, tensors read as nested arrays, each number to the precision written. Any other comment
 * (`// dy = cos(x) * v`, `// 1 with probability 0.8`) is prose and is not checked.
 */
import { Tensor } from '../src/tensor/tensor.js';

export type Expected = { kind: 'printed'; text: string } | { kind: 'value'; value: unknown; text: string };

export function parseExpected(comment: string): Expected | null {
  const text = comment.trim();
  if (/^tensor\(.*\)$/s.test(text)) return { kind: 'printed', text };
  if (/^-?0x[0-9a-f]+$/i.test(text)) return { kind: 'value', value: Number(text), text };
  if (!/^(-?\d|-?\.\d|\[|\{|true$|false$|null$|NaN$|-?Infinity$|'|")/.test(text)) return null;
  const json = text
    .replace(/'((?:[^'\\]|\\.)*)'/g, (_, s: string) => JSON.stringify(s))
    .replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":')
    .replace(/-?\bInfinity\b|\bNaN\b/g, (m) => `"__${m}"`);
  try {
    const revive = (_k: string, v: unknown) =>
      typeof v === 'string' && v.startsWith('__') ? Number(v.slice(2)) : v;
    return { kind: 'value', value: JSON.parse(json, revive), text };
  } catch {
    return null;
  }
}

const fold = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Decimal places written in a literal number (its precision). */
function decimals(n: number, text: string): number {
  const m = text.match(/\.(\d+)/);
  return m ? m[1].length : Number.isInteger(n) ? 0 : 15;
}

function matches(actual: unknown, expected: unknown, numbers: string[]): boolean {
  if (actual instanceof Tensor) return matches(actual.tolist(), expected, numbers);
  if (typeof expected === 'number') {
    const written = numbers.shift() ?? String(expected);
    if (typeof actual === 'bigint') actual = Number(actual);
    if (typeof actual === 'boolean') actual = actual ? 1 : 0;
    if (typeof actual !== 'number') return false;
    if (Number.isNaN(expected)) return Number.isNaN(actual);
    if (!Number.isFinite(expected)) return actual === expected;
    const tol = 0.5 * 10 ** -decimals(expected, written) + 1e-12 * Math.abs(expected);
    return Math.abs(actual - expected) <= tol;
  }
  if (Array.isArray(expected)) {
    const list = ArrayBuffer.isView(actual) ? Array.from(actual as unknown as ArrayLike<number>) : actual;
    return (
      Array.isArray(list) && list.length === expected.length && expected.every((e, i) => matches(list[i], e, numbers))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    const a = actual as Record<string, unknown>;
    return Object.entries(expected).every(([k, v]) => matches(a[k], v, numbers));
  }
  return actual === expected;
}

/** Throws when `actual` does not show as `expected`. */
export function check(actual: unknown, expected: Expected, where: string): void {
  if (expected.kind === 'printed') {
    const shown = actual instanceof Tensor ? actual.toString() : String(actual);
    if (fold(shown) !== fold(expected.text))
      throw new Error(`${where}: printed ${fold(shown)}, the example says ${expected.text}`);
    return;
  }
  const numbers = [...expected.text.matchAll(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)].map((m) => m[0]);
  if (!matches(actual, expected.value, expected.text.startsWith('0x') ? [] : numbers)) {
    const shown = actual instanceof Tensor ? JSON.stringify(actual.tolist()) : JSON.stringify(actual);
    throw new Error(`${where}: got ${shown}, the example says ${expected.text}`);
  }
}
