/**
 * Import-cycle lint (part of `npm run lint`): finds the runtime import cycles among src/ (type-only
 * imports are erased and do not count) and fails on any cycle that leaves src/ops/.
 *
 * The layers run one way: backends <- tensor (data only) <- ops <- autograd transforms, Tensor's methods
 * (tensor/methods.ts), nn, optim, ... The one place files may import each other is inside src/ops/: the
 * primitives' VJPs and batching rules are written with each other (a sum's VJP is an expand, an expand's
 * a sum; every batching rule moves dims with permute).
 *   npx tsx scripts/check-cycles.ts [--root DIR]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const rootArg = process.argv.find((a) => a.startsWith('--root='))?.slice(7);
const root = resolve(rootArg ?? join(here, '..'));
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Runtime imports of a file: `import ... from`, `export ... from`, `import '...'`; not `import type`. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue; // import type / export type
    const spec = m[4] ?? m[5];
    // `import { type A, type B } from` is type-only too.
    const names = m[3] ?? '';
    if (names.startsWith('{') && /^\{\s*(type\s+\w+\s*(as\s+\w+\s*)?,?\s*)+\}$/.test(names.trim())) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    out.push(target);
  }
  return out;
}

/** Strongly connected components with more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const graph = new Map(files(src).map((f) => [f, imports(f)]));
const found = cycles(graph).map((c) => c.map((f) => relative(root, f)));
const inOps = (f: string) => f.startsWith('src/ops/');
const bad = found.filter((c) => !c.every(inOps));
if (bad.length) {
  for (const c of bad) {
    const outside = c.filter((f) => !inOps(f));
    console.error(
      `import cycle through ${outside.join(', ')} (the ${c.length} files that import each other: ${c.join(', ')})`,
    );
  }
  console.error('check-cycles: import cycles outside src/ops/ (see scripts/check-cycles.ts)');
  process.exit(1);
}
const within = found.flat().length;
console.log(`check-cycles: no import cycle leaves src/ops/ (${within} ops files import each other)`);
