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
      Array.isArray(list) &&
      list.length === expected.length &&
      expected.every((e, i) => matches(list[i], e, numbers))
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

/** Splits `a; b; expr` at its last top-level semicolon: [statements, final expression]. */
function lastStatement(code: string): [string, string] {
  let depth = 0;
  let quote = '';
  let cut = -1;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ';' && depth === 0 && i < code.trimEnd().length - 1) cut = i;
  }
  return cut < 0 ? ['', code] : [code.slice(0, cut + 1), code.slice(cut + 1)];
}

/** The example with each checkable `// literal` line turned into a check; how many checks it has. */
export function instrument(code: string, where: string): { code: string; checks: number } {
  let checks = 0;
  const lines = code.split('\n').map((line) => {
    const m = line.match(/^(.*?\S.*?)\s*\/\/\s*(.+)$/);
    if (!m || m[1].includes('//')) return line;
    const expected = parseExpected(m[2]);
    if (!expected) return line;
    const [before, last] = lastStatement(m[1].trim().replace(/;$/, ''));
    // `console.log(v); // literal` shows what v prints: check v.
    const expr = last.trim().replace(/^console\.log\(([\s\S]*)\)$/, '$1');
    const arg = JSON.stringify(expected);
    const at = JSON.stringify(where);
    const decl = expr.match(/^(?:const|let)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=/);
    if (decl) {
      checks++;
      return `${before} ${expr}; __check(${decl[1]}, ${arg}, ${at});`;
    }
    if (/^(const|let|var|for|if|while|return|class|function)\b/.test(expr)) return line;
    checks++;
    return `${before} __check((${expr}), ${arg}, ${at});`;
  });
  return { code: lines.join('\n'), checks };
}
