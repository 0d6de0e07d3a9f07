/**
 * Import-cycle lint (part of `npm run lint`): finds the runtime import cycles among src/ (type-only
 * imports are erased and do not count) and fails on any cycle outside the known one.
 *
 * The known one is the core: Tensor's methods call the ops, and the ops make Tensors, so tensor.ts,
 * creation.ts, the ops and the autograd engine import each other (issue 20 is about shrinking it to
 * Tensor -> ops alone). Its files are listed in scripts/cycle-baseline.json: a file that joins it, or any
 * new cycle elsewhere, fails the lint, so it can only shrink. `--update` rewrites the baseline (when a
 * refactor has shrunk it).
 *   npx tsx scripts/check-cycles.ts [--update] [--root DIR]
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const rootArg = process.argv.find((a) => a.startsWith('--root='))?.slice(7);
const root = resolve(rootArg ?? join(here, '..'));
const src = join(root, 'src');
const baselineFile = join(root, 'scripts', 'cycle-baseline.json');

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
if (process.argv.includes('--update')) {
  writeFileSync(baselineFile, JSON.stringify({ allowed: found.flat().sort() }, null, 2) + '\n');
  console.log(`cycle baseline: ${found.flat().length} files in ${found.length} cycle(s)`);
  process.exit(0);
}
const allowed = new Set((JSON.parse(readFileSync(baselineFile, 'utf8')) as { allowed: string[] }).allowed);
const bad = found.filter((c) => c.some((f) => !allowed.has(f)));
if (bad.length) {
  for (const c of bad) {
    const outside = c.filter((f) => !allowed.has(f));
    console.error(
      `import cycle through ${outside.join(', ')} (the ${c.length} files that import each other: ${c.join(', ')})`,
    );
  }
  console.error('check-cycles: new import cycles (see scripts/check-cycles.ts)');
  process.exit(1);
}
const core = found.flat().length;
console.log(
  `check-cycles: no new import cycles (the known core cycle has ${core} files; baseline ${allowed.size})`,
);
