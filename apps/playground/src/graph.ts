/**
 * The autodiff-graph panel's model: turns an expression in x, y, z into a DAG (one node per variable, so
 * fan-out shows as several edges leaving it), evaluates every node as a descend tensor and runs backward,
 * keeping each node's forward value and the gradient of the output with respect to it.
 */
import * as d from 'descend';
import { FORMULA_FUNCTIONS, parseFormula, type FormulaNode } from 'descend/diagnostics';

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

const BINARY: Record<string, (a: d.Tensor, b: d.Tensor) => d.Tensor> = {
  '+': d.add,
  '-': d.sub,
  '*': d.mul,
  '/': d.div,
  '^': d.pow,
};
export const VARIABLES = ['x', 'y', 'z'] as const;

/** Parses `src` (descend's safe formula parser) and returns the nodes in topological order (output last). */
export function buildGraph(src: string, at: Record<string, number>): GraphNode[] {
  if (src.trim() === '') throw new FormulaError('type an expression in x, y and z, e.g. (x+y)*z');
  const tree = parseFormula(src, { variables: VARIABLES });
  const nodes: GraphNode[] = [];
  const tensors: d.Tensor[] = [];
  const vars = new Map<string, number>();
  const add = (label: string, inputs: number[], t: d.Tensor): number => {
    nodes.push({ id: nodes.length, label, inputs, value: NaN, grad: 0 });
    tensors.push(t);
    return nodes.length - 1;
  };
  // One node per variable, so fan-out shows as several edges leaving it.
  const walk = (n: FormulaNode): number => {
    switch (n.k) {
      case 'num':
        return add(String(Number(n.v.toPrecision(6))), [], d.tensor(n.v, { dtype: 'float64' }));
      case 'var': {
        const seen = vars.get(n.name);
        if (seen !== undefined) return seen;
        const v = at[n.name];
        if (v === undefined || !Number.isFinite(v)) throw new FormulaError(`${n.name} needs a finite value`);
        const id = add(n.name, [], d.tensor(v, { dtype: 'float64', requiresGrad: true }));
        vars.set(n.name, id);
        return id;
      }
      case 'neg': {
        const a = walk(n.a);
        return add('neg', [a], d.neg(tensors[a]!));
      }
      case 'call': {
        const a = walk(n.a);
        return add(n.fn, [a], FORMULA_FUNCTIONS[n.fn]!(tensors[a]!));
      }
      case 'bin': {
        const a = walk(n.a);
        const b = walk(n.b);
        return add(n.op, [a, b], BINARY[n.op]!(tensors[a]!, tensors[b]!));
      }
    }
  };
  const out = walk(tree);
  for (const t of tensors) if (t.requiresGrad && t.gradFn !== null) t.retainGrad();
  const y = tensors[out]!;
  if (y.requiresGrad) y.backward();
  nodes.forEach((n, k) => {
    const t = tensors[k]!;
    n.value = t.item();
    n.grad = k === out ? 1 : (t.grad?.item() ?? 0);
  });
  return nodes;
}

/** Columns for drawing: a node's column is its longest path from a leaf. */
export function layers(nodes: GraphNode[]): number[] {
  const col: number[] = [];
  for (const n of nodes) col.push(n.inputs.length ? Math.max(...n.inputs.map((j) => col[j]!)) + 1 : 0);
  return col;
}
