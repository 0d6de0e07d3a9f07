/**
 * Every TypeScript example in the README and docs/*.md runs (against the source, via the `descend` alias),
 * and every `expr // literal` line in them is checked, by the doctest's rules (test/doctest-check.ts).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { instrument } from './doctest-check.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(root, 'test', '.docs-tmp');
const tsBlocks = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const blocks = tsBlocks(join(root, 'README.md'));
const docs = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .flatMap((f) =>
    tsBlocks(join(root, 'docs', f)).map((code, i) => ({ name: `docs/${f} example ${i + 1}`, code })),
  );

describe('README and docs examples', () => {
  mkdirSync(tmp, { recursive: true });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  it('has examples', () => expect(blocks.length).toBeGreaterThanOrEqual(2));
  const runs = [...blocks.map((code, i) => ({ name: `README example ${i + 1}`, code })), ...docs];
  runs.forEach(({ name, code }, i) => {
    it(`${name} runs`, async () => {
      const file = join(tmp, `example${i}.ts`);
      const checked = instrument(code, name).code;
      writeFileSync(file, `import { check as __check } from '../doctest-check.js';\n${checked}`);
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import(file);
      } finally {
        log.mockRestore();
      }
    });
  });
  it("docs/optimizers.md's lists by name are the registries'", async () => {
    const { OPTIMIZER_NAMES, RECIPE_NAMES } = await import('../src/optim/index.js');
    const { SCHEDULE_NAMES } = await import('../src/schedules/index.js');
    const page = readFileSync(join(root, 'docs', 'optimizers.md'), 'utf8');
    const list = (label: string) => {
      const item = page.slice(page.indexOf(label));
      const names = item.slice(item.indexOf('):') + 2, item.indexOf('.\n')).replace(/\s+/g, ' ');
      return names.split(',').map((n) => n.trim());
    };
    expect(list('- Optimizer classes')).toEqual(OPTIMIZER_NAMES);
    expect(list('- optax recipes')).toEqual(RECIPE_NAMES);
    expect(list('- Training schedules')).toEqual(SCHEDULE_NAMES);
  });
  it('the tour prints what its comments say', async () => {
    const file = join(tmp, 'tour.ts');
    writeFileSync(file, blocks[0]);
    const lines: string[] = [];
    const log = vi
      .spyOn(console, 'log')
      .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      await import(file + '?again');
    } finally {
      log.mockRestore();
    }
    expect(lines[0]).toBe('tensor([[2., 4.],\n        [6., 8.]])');
    expect(Number(lines[1])).toBeCloseTo(-22.967856797858, 10);
    expect(lines[2]).toBe('true');
  });
});
