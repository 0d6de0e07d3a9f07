/**
 * The doctest: every `@example` in src/ runs, with the library's public names and the fixtures of
 * test/doctest-prelude.ts in scope, and every `expr // literal` line is checked (test/doctest-check.ts).
 * README and docs code blocks run in test/docs.test.ts. `npm run doctest` runs this file alone.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { extractExamples } from '../scripts/doctest-extract.js';
import { parseExpected } from './doctest-check.js';
import { exampleScope } from './doctest-prelude.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(root, 'test', '.doctest-tmp');
const examples = extractExamples(root);

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
    const expr = last.trim();
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

describe('doctest: every @example in src/ runs', () => {
  mkdirSync(tmp, { recursive: true });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  it('finds the examples', () => expect(examples.length).toBeGreaterThan(300));
  examples.forEach((ex, i) => {
    it(ex.where, async () => {
      const { code } = instrument(ex.code, ex.where);
      const names = Object.keys(await exampleScope());
      const file = join(tmp, `ex${i}.ts`);
      writeFileSync(
        file,
        `import { exampleScope } from '../doctest-prelude.js';\n` +
          `import { check as __check } from '../doctest-check.js';\n` +
          `const { ${names.join(', ')} } = await exampleScope();\n` +
          `process.chdir(${JSON.stringify(tmp)});\n{\n${code}\n}\nexport {};\n`,
      );
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      const cwd = process.cwd();
      try {
        await import(file);
      } finally {
        process.chdir(cwd);
        log.mockRestore();
      }
    }, 60_000);
  });
});
