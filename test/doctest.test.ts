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
import { check, instrument, parseExpected } from './doctest-check.js';
import { tensor as tensorOf } from '../src/index.js';
import { exampleScope } from './doctest-prelude.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(root, 'test', '.doctest-tmp');
const examples = extractExamples(root);

describe('doctest: every @example in src/ runs', () => {
  mkdirSync(tmp, { recursive: true });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  it('finds the examples, and checks the printed output of those that show one', () => {
    expect(examples.length).toBeGreaterThan(300);
    const checks = examples.reduce((n, ex) => n + instrument(ex.code, ex.where).checks, 0);
    expect(checks).toBeGreaterThan(100);
  });
  it('a wrong printed output fails (the check is not vacuous)', () => {
    const { code, checks } = instrument('add(tensor([1]), 1) // tensor([3.])', 'x.ts:1');
    expect(checks).toBe(1);
    expect(code).toContain('__check((add(tensor([1]), 1)),');
    const t = tensorOf([2]);
    expect(() => check(t, parseExpected('tensor([3.])')!, 'x.ts:1')).toThrow(
      'x.ts:1: printed tensor([2.]), the example says tensor([3.])',
    );
    expect(() => check(t, parseExpected('tensor([2.])')!, 'x.ts:1')).not.toThrow();
    expect(() => check(0.17, parseExpected('0.1')!, 'x.ts:1')).toThrow(/got 0.17/);
    expect(() => check(0.12, parseExpected('0.12')!, 'x.ts:1')).not.toThrow();
    expect(parseExpected('1 with probability 0.8')).toBeNull();
  });
  examples.forEach((ex, i) => {
    it(
      ex.where,
      async () => {
        const { code } = instrument(ex.code, ex.where);
        const scope = await exampleScope();
        // The example's own file's exports too (internal helpers are documented with examples).
        const src = join(root, ex.where.slice(0, ex.where.lastIndexOf(':')));
        const own = Object.keys((await import(src)) as object).filter(
          (n) => !(n in scope) && n !== 'default',
        );
        const file = join(tmp, `ex${i}.ts`);
        writeFileSync(
          file,
          `import { exampleScope } from '../doctest-prelude.js';\n` +
            `import { check as __check } from '../doctest-check.js';\n` +
            `import * as __own from ${JSON.stringify(src)};\n` +
            `const { ${Object.keys(scope).join(', ')} } = await exampleScope();\n` +
            (own.length ? `const { ${own.join(', ')} } = __own;\n` : '') +
            `process.chdir(${JSON.stringify(tmp)});\n` +
            // Examples of global switches (setBackend, setGradEnabled, ...) must not leak into the next.
            `const __was = [backend(), getDefaultDtype()] as const;\n` +
            `try {\n${code}\n} finally {\n  setBackend(__was[0]); setDefaultDtype(__was[1]);\n` +
            `  setGradEnabled(true); setDetectAnomaly(false);\n}\nexport {};\n`,
        );
        const log = vi.spyOn(console, 'log').mockImplementation(() => {});
        const cwd = process.cwd();
        try {
          await import(file);
        } finally {
          process.chdir(cwd);
          log.mockRestore();
        }
      },
      60_000,
    );
  });
});
