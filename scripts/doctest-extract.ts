/**
 * Finds every `@example` in the source's doc comments, for the doctest (test/doctest.test.ts).
 * An example runs from its tag to the next tag or the comment's end; the ` * ` margins are removed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Example {
  /** Where it is: file:line. */
  where: string;
  code: string;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

export function extractExamples(root: string): Example[] {
  const out: Example[] = [];
  for (const file of files(join(root, 'src')).sort()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const comment = m[0];
      const start = m.index ?? 0;
      for (const e of comment.matchAll(/@example\b/g)) {
        const from = (e.index ?? 0) + '@example'.length;
        const rest = comment.slice(from);
        const end = rest.search(/\n\s*\*\s*@\w+|\*\/$/);
        const body = (end < 0 ? rest : rest.slice(0, end))
          .split('\n')
          .map((l) => l.replace(/^\s*\* ?/, ''))
          .join('\n')
          .replace(/\*\/\s*$/, '')
          .trim();
        const line = text.slice(0, start + from).split('\n').length;
        out.push({ where: `${relative(root, file)}:${line}`, code: body });
      }
    }
  }
  return out;
}

if (process.argv[1]?.endsWith('doctest-extract.ts')) {
  for (const e of extractExamples(process.cwd())) console.log(`--- ${e.where}\n${e.code}`);
}
