/**
 * A safe parser for user formulas in x and y (no eval): numbers, x, y, pi, e, + - * / ^, parentheses,
 * unary minus, and the functions sin cos tan exp log sqrt abs tanh sigmoid. Compiles to tensor ops, so
 * formulas are differentiable.
 */
import type { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';
import { ValueError, clip, own } from '../errors.js';

/** The deepest nesting a formula may have. */
export const MAX_FORMULA_DEPTH = 200;

/** Formula errors name the formula and what is wrong with it. */
function fail(message: string): never {
  throw new ValueError('formula', message);
}

/** A parsed formula. */
export type FormulaNode =
  | { k: 'num'; v: number }
  | { k: 'var'; name: string }
  | { k: 'neg'; a: FormulaNode }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: FormulaNode; b: FormulaNode }
  | { k: 'call'; fn: string; a: FormulaNode };

/** The functions a formula may call, by name. */
export const FORMULA_FUNCTIONS: Readonly<Record<string, (t: Tensor) => Tensor>> = {
  sin: F.sin,
  cos: F.cos,
  tan: F.tan,
  exp: F.exp,
  log: F.log,
  sqrt: F.sqrt,
  abs: F.abs,
  tanh: F.tanh,
  sigmoid: F.sigmoid,
};

/**
 * Parses a formula into its tree; `variables` are the names it may use (default x and y).
 * @example parseFormula('(x+y)*z', { variables: ['x', 'y', 'z'] })
 */
export function parseFormula(src: string, opts: { variables?: readonly string[] } = {}): FormulaNode {
  const variables = opts.variables ?? ['x', 'y'];
  const tokens = src.match(/\s*(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+|[A-Za-z_]\w*|\*\*|[-+*/^()])/gy);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== src.replace(/\s/g, ''))
    fail(`cannot parse formula '${src}': unexpected characters`);
  const ts = tokens.map((t) => t.trim());
  let i = 0;
  const peek = () => ts[i];
  const expect = (t: string) => {
    if (ts[i] !== t)
      fail(`cannot parse formula '${src}': expected '${t}' at token ${i + 1}, found '${ts[i] ?? 'end'}'`);
    i++;
  };
  const expr = (): FormulaNode => {
    let a = term();
    while (peek() === '+' || peek() === '-') {
      const op = ts[i++] as '+' | '-';
      a = { k: 'bin', op, a, b: term() };
    }
    return a;
  };
  const term = (): FormulaNode => {
    let a = unary();
    while (peek() === '*' || peek() === '/') {
      const op = ts[i++] as '*' | '/';
      a = { k: 'bin', op, a, b: unary() };
    }
    return a;
  };
  let depth = 0;
  const unary = (): FormulaNode => {
    // Every level of nesting (parentheses, calls, signs, powers) passes here: bound it before the stack.
    if (++depth > MAX_FORMULA_DEPTH)
      fail(`cannot parse formula '${clip(src)}': it nests deeper than ${MAX_FORMULA_DEPTH} levels`);
    try {
      if (peek() === '-') {
        i++;
        return { k: 'neg', a: unary() };
      }
      if (peek() === '+') {
        i++;
        return unary();
      }
      return power();
    } finally {
      depth--;
    }
  };
  const power = (): FormulaNode => {
    const a = atom();
    if (peek() === '^' || peek() === '**') {
      i++;
      return { k: 'bin', op: '^', a, b: unary() };
    }
    return a;
  };
  const atom = (): FormulaNode => {
    const t = ts[i++];
    if (t === undefined) fail(`cannot parse formula '${src}': it ends too early`);
    if (t === '(') {
      const e = expr();
      expect(')');
      return e;
    }
    if (!/^[\w.]/.test(t))
      fail(`cannot parse formula '${src}': expected a number, a name or '(' at token ${i}, found '${t}'`);
    if (/^[\d.]/.test(t)) return { k: 'num', v: Number(t) };
    if (variables.includes(t)) return { k: 'var', name: t };
    if (t === 'pi') return { k: 'num', v: Math.PI };
    if (t === 'e') return { k: 'num', v: Math.E };
    if (own(FORMULA_FUNCTIONS, t)) {
      expect('(');
      const a = expr();
      expect(')');
      return { k: 'call', fn: t, a };
    }
    return fail(
      `cannot parse formula '${src}': unknown name '${t}' (use ${variables.join(', ')}, pi, e, ${Object.keys(FORMULA_FUNCTIONS).join(', ')})`,
    );
  };
  const tree = expr();
  if (i !== ts.length) fail(`cannot parse formula '${src}': unexpected '${ts[i]}'`);
  return tree;
}

/** Compiles a formula to f(p) with p = [x, y] (a 2-element tensor). */
export function compileFormula(src: string): (p: Tensor) => Tensor {
  const tree = parseFormula(src);
  return (p: Tensor) => {
    const x = p.index(0);
    const y = p.index(1);
    const ev = (n: FormulaNode): Tensor | number => {
      switch (n.k) {
        case 'num':
          return n.v;
        case 'var':
          return n.name === 'x' ? x : y;
        case 'neg': {
          const a = ev(n.a);
          return typeof a === 'number' ? -a : F.neg(a);
        }
        case 'call': {
          const a = ev(n.a);
          return FORMULA_FUNCTIONS[n.fn](typeof a === 'number' ? x.mul(0).add(a) : a);
        }
        case 'bin': {
          const a = ev(n.a);
          const b = ev(n.b);
          if (typeof a === 'number' && typeof b === 'number') {
            return n.op === '+'
              ? a + b
              : n.op === '-'
                ? a - b
                : n.op === '*'
                  ? a * b
                  : n.op === '/'
                    ? a / b
                    : a ** b;
          }
          const at = typeof a === 'number' ? x.mul(0).add(a) : a;
          if (n.op === '+') return F.add(at, b);
          if (n.op === '-') return F.sub(at, b);
          if (n.op === '*') return F.mul(at, b);
          if (n.op === '/') return F.div(at, b);
          return F.pow(at, b);
        }
      }
    };
    const r = ev(tree);
    return typeof r === 'number' ? x.mul(0).add(r) : r;
  };
}
