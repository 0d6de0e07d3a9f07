/** The computation-graph panel: a formula, its graph, forward values and backward gradients. */
import { buildGraph, FormulaError, layers, VARIABLES, type GraphNode } from './graph.js';
import { $, escapeXml, fmt, hashParams } from './dom.js';
const COL = 150;
const ROW = 90;

/**
 * Where an edge passes column `c` (strictly between its ends): the free y nearest to `want`, between
 * or beyond that column's nodes (rows at 50 + r·ROW), so that no edge runs through a node it does not
 * touch.
 */
function freeY(nodeYs: number[], want: number): number {
  const blocked = (y: number) => nodeYs.some((ny) => Math.abs(ny - y) < 24 + 12);
  if (!blocked(want)) return want;
  const slots = [5, ...nodeYs.map((y) => y + ROW / 2), ...nodeYs.map((y) => y - ROW / 2)].filter(
    (y) => y >= 5 && !blocked(y),
  );
  return slots.reduce((best, y) => (Math.abs(y - want) < Math.abs(best - want) ? y : best));
}

/**
 * Draws the graph as the lectures do: forward values in green above each node, gradients in red below.
 * An edge that skips columns bends through free space at each column it crosses.
 */
export function drawGraph(nodes: GraphNode[]): string {
  const col = layers(nodes);
  const rows = new Map<number, number>();
  const pos = nodes.map((_, k) => {
    const c = col[k]!;
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    return { x: 60 + c * COL, y: 50 + r * ROW };
  });
  const ysIn = (c: number) => pos.filter((_, k) => col[k] === c).map((p) => p.y);
  const w = 60 + (Math.max(...col) + 1) * COL;
  let h = 50 + Math.max(...rows.values()) * ROW;
  const out: string[] = [];
  for (const n of nodes)
    for (const j of n.inputs) {
      const a = pos[j]!;
      const b = pos[n.id]!;
      const pts: [number, number][] = [[a.x + 24, a.y]];
      for (let c = col[j]! + 1; c < col[n.id]!; c++) {
        const x = 60 + c * COL;
        const t = (x - a.x) / (b.x - a.x);
        pts.push([x, freeY(ysIn(c), a.y + t * (b.y - a.y))]);
      }
      pts.push([b.x - 24, b.y]);
      h = Math.max(h, ...pts.map((p) => p[1] + 30));
      // Straight when direct; through the waypoints with horizontal tangents when it bends.
      const d = pts
        .map(([x, y], i) => {
          if (i === 0) return `M${x},${y}`;
          if (pts.length === 2) return `L${x},${y}`;
          const [px, py] = pts[i - 1]!;
          const m = (x - px) / 2;
          return `C${px + m},${py} ${x - m},${y} ${x},${y}`;
        })
        .join(' ');
      out.push(
        `<path class="edge" data-from="${j}" data-to="${n.id}" d="${d}" fill="none" stroke="#666" marker-end="url(#arrow)"/>`,
      );
    }
  nodes.forEach((n, k) => {
    const p = pos[k]!;
    const leaf = n.inputs.length === 0;
    out.push(
      `<g class="node" data-id="${k}" data-label="${escapeXml(n.label)}" data-value="${n.value}" data-grad="${n.grad}">` +
        `<circle cx="${p.x}" cy="${p.y}" r="24" fill="${leaf ? '#eef' : '#fff'}" stroke="#333"/>` +
        `<text x="${p.x}" y="${p.y + 5}" text-anchor="middle" font-size="15">${escapeXml(n.label)}</text>` +
        `<text x="${p.x + 28}" y="${p.y - 14}" fill="#080" font-size="13">${fmt(n.value)}</text>` +
        `<text x="${p.x + 28}" y="${p.y + 26}" fill="#c00" font-size="13">${fmt(n.grad)}</text></g>`,
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w + 60}" height="${h}" role="img" aria-label="computation graph">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>${out.join('')}</svg>`
  );
}

export function graphPanel(): void {
  const expr = $<HTMLInputElement>('graph-expr');
  const inputs = VARIABLES.map((v) => $<HTMLInputElement>(`graph-${v}`));
  const params = hashParams();
  if (params.has('expr')) expr.value = params.get('expr')!;
  VARIABLES.forEach((v, k) => {
    if (params.has(v)) inputs[k]!.value = params.get(v)!;
  });
  const update = () => {
    const at = Object.fromEntries(VARIABLES.map((v, k) => [v, Number(inputs[k]!.value)]));
    const error = $('graph-error');
    try {
      const nodes = buildGraph(expr.value, at);
      const grads = $('graph-grads');
      grads.innerHTML = VARIABLES.map((v) => {
        const n = nodes.find((m) => m.label === v && m.inputs.length === 0);
        return `<li data-var="${v}">df/d${v} = <output>${n ? fmt(n.grad) : '0'}</output></li>`;
      }).join('');
      $('graph-value').textContent = `f = ${fmt(nodes[nodes.length - 1]!.value)}`;
      $('graph-svg').innerHTML = drawGraph(nodes);
      error.textContent = '';
    } catch (e) {
      // A bad formula leaves the last good graph in place and says why, in the page.
      error.textContent = e instanceof FormulaError || e instanceof Error ? e.message : String(e);
    }
    const state = hashParams();
    state.set('expr', expr.value);
    VARIABLES.forEach((v, k) => state.set(v, inputs[k]!.value));
    history.replaceState(null, '', `#${state}`);
  };
  for (const el of [expr, ...inputs]) el.addEventListener('input', update);
  update();
}
