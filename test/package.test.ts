/** The built package resolves through its `exports` map and carries type declarations. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('package', () => {
  it('imports as `descend` from the build (run `npm run build` first; npm test does)', () => {
    expect(existsSync(join(root, 'dist', 'index.js')), 'dist/index.js is missing: run npm run build').toBe(
      true,
    );
    expect(existsSync(join(root, 'dist', 'index.d.ts'))).toBe(true);
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const d = await import('descend'); const x = d.tensor([3], { requiresGrad: true }); x.mul(x).sum().backward(); console.log(x.grad.item());",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('6');
  });
  it('exposes descend/optim, schedules, nn, data, train, io, diagnostics and lm', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const o = await import('descend/optim'); const s = await import('descend/schedules'); const n = await import('descend/nn'); const dt = await import('descend/data'); const t = await import('descend/train'); const i = await import('descend/io'); const g = await import('descend/diagnostics'); const l = await import('descend/lm'); console.log(typeof l.NGramModel, typeof g.lanczos, typeof o.Adam, typeof o.adamw, typeof s.CosineAnnealingLR, typeof n.Linear, typeof dt.DataLoader, typeof t.fit, typeof i.saveCheckpoint);",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(out.trim()).toBe(
      'function function function function function function function function function',
    );
  });
});
