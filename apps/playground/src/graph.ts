/**
 * The autodiff-graph panel's model: parses an expression in x, y, z into a DAG (one node per variable, so
 * fan-out shows as several edges leaving it), evaluates every node as a descend tensor and runs backward,
 * keeping each node's forward value and the gradient of the output with respect to it.
 */
import * as d from 'descend';

export type GraphNode = {
  id: number;
  /** What the node computes: a variable name, a number, or an op ('+', '*', 'sin', ...). */
  label: string;
  inputs: number[];
  value: number;
  /** d(output)/d(this node). */
  grad: number;
};

export class FormulaError extends Error {}

const FUNCS: Record<string, (t: d.Tensor) => d.Tensor> = {
  sin: d.sin,
  cos: d.cos,
  tan: d.tan,
  exp: d.exp,
  log: d.log,
  sqrt: d.sqrt,
  abs: d.abs,
  tanh: d.tanh,
  sigmoid: d.sigmoid,
};
const BINARY: Record<string, (a: d.Tensor, b: d.Tensor) => d.Tensor> = {
  '+': d.add,
  '-': d.sub,
  '*': d.mul,
  '/': d.div,
  '^': d.pow,
};
export const VARIABLES = ['x', 'y', 'z'] as const;

/** Parses `src` and returns the nodes in topological order (the output last). */
export function buildGraph(src: string, at: Record<string, number>): GraphNode[] {
  const tokens = src.match(/\s*(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+|[A-Za-z_]\w*|\*\*|[-+*/^()])/gy) ?? [];
  if (src.trim() === '') throw new FormulaError('type an expression in x, y and z, e.g. (x+y)*z');
  if (tokens.join('').replace(/\s/g, '') !== src.replace(/\s/g, ''))
    throw new FormulaError(`cannot parse '${src}': unexpected character after '${tokens.join('').trim()}'`);
  const ts = tokens.map((t) => (t.trim() === '**' ? '^' : t.trim()));
  let i = 0;
  const nodes: GraphNode[] = [];
  const tensors: d.Tensor[] = [];
  const vars = new Map<string, number>();
  const add = (label: string, inputs: number[], t: d.Tensor): number => {
    nodes.push({ id: nodes.length, label, inputs, value: NaN, grad: 0 });
    tensors.push(t);
    return nodes.length - 1;
  };
  const expect = (t: string) => {
    if (ts[i] !== t)
      throw new FormulaError(`cannot parse '${src}': expected '${t}', found '${ts[i] ?? 'the end'}'`);
    i++;
  };
  const binary = (op: string, a: number, b: number) => {
    const t = BINARY[op]!(tensors[a]!, tensors[b]!);
    return add(op, [a, b], t);
  };
  const expr = (): number => {
    let a = term();
    while (ts[i] === '+' || ts[i] === '-') a = binary(ts[i++]!, a, term());
    return a;
  };
  const term = (): number => {
    let a = unary();
    while (ts[i] === '*' || ts[i] === '/') a = binary(ts[i++]!, a, unary());
    return a;
  };
  const unary = (): number => {
    if (ts[i] === '-') {
      i++;
      const a = unary();
      return add('neg', [a], d.neg(tensors[a]!));
    }
    const base = atom();
    if (ts[i] === '^') {
      i++;
      return binary('^', base, unary());
    }
    return base;
  };
  const atom = (): number => {
    const t = ts[i++];
    if (t === undefined) throw new FormulaError(`cannot parse '${src}': it ends too early`);
    if (t === '(') {
      const a = expr();
      expect(')');
      return a;
    }
    if (/^[\d.]/.test(t)) return add(t, [], d.tensor(Number(t), { dtype: 'float64' }));
    if ((VARIABLES as readonly string[]).includes(t)) {
      const seen = vars.get(t);
      if (seen !== undefined) return seen;
      const v = at[t];
      if (v === undefined || !Number.isFinite(v)) throw new FormulaError(`${t} needs a finite value`);
      const id = add(t, [], d.tensor(v, { dtype: 'float64', requiresGrad: true }));
      vars.set(t, id);
      return id;
    }
    const fn = FUNCS[t];
    if (fn) {
      expect('(');
      const a = expr();
      expect(')');
      return add(t, [a], fn(tensors[a]!));
    }
    throw new FormulaError(
      `unknown name '${t}': use x, y, z, numbers, + - * / ^ and ${Object.keys(FUNCS).join(', ')}`,
    );
  };
  const out = expr();
  if (i < ts.length) throw new FormulaError(`cannot parse '${src}': unexpected '${ts[i]}'`);
  for (const t of tensors) if (t.requiresGrad && t.gradFn !== null) t.retainGrad();
  const y = tensors[out]!;
  if (y.requiresGrad) y.backward();
  nodes.forEach((n, k) => {
    const t = tensors[k]!;
    n.value = t.item();
    n.grad = k === out ? 1 : (t.grad?.item() ?? 0);
  });
  // Constant subtrees no longer reachable from the output (none in a parsed tree) are kept; the order is
  // topological because every node is created after its inputs.
  return nodes;
}

/** Columns for drawing: a node's column is its longest path from a leaf. */
export function layers(nodes: GraphNode[]): number[] {
  const col: number[] = [];
  for (const n of nodes) col.push(n.inputs.length ? Math.max(...n.inputs.map((j) => col[j]!)) + 1 : 0);
  return col;
}
