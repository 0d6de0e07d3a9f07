/** The built package resolves through its `exports` map and carries type declarations. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  it('exposes descend/optim, schedules, nn, data, train, io, diagnostics, lm and webgpu', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const o = await import('descend/optim'); const s = await import('descend/schedules'); const n = await import('descend/nn'); const dt = await import('descend/data'); const t = await import('descend/train'); const i = await import('descend/io'); const g = await import('descend/diagnostics'); const l = await import('descend/lm'); const w = await import('descend/webgpu'); console.log(typeof w.initWebGPU, typeof l.NGramModel, typeof g.lanczos, typeof o.Adam, typeof o.adamw, typeof s.CosineAnnealingLR, typeof n.Linear, typeof dt.DataLoader, typeof t.fit, typeof i.saveCheckpoint);",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(out.trim()).toBe(
      'function function function function function function function function function function',
    );
  });

  it("require('descend') works in CommonJS on Node >= 20.19 (require of ES modules)", () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        "const d = require('descend'); const { Adam } = require('descend/optim'); const x = d.tensor([3], { requiresGrad: true }); x.mul(x).sum().backward(); console.log(x.grad.item(), typeof Adam);",
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(out.trim()).toBe('6 function');
  });
  it('TypeScript finds the subpaths with moduleResolution node10 (typesVersions) and node16', () => {
    const dir = mkdtempSync(join(tmpdir(), 'descend-ts-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(root, join(dir, 'node_modules', 'descend'), 'dir');
      const code =
        "import { tensor } from 'descend';\nimport { Adam } from 'descend/optim';\nimport { Linear } from 'descend/nn';\nimport { fit } from 'descend/train';\nconst w = new Linear(2, 1);\nconst opt: Adam = new Adam(w.parameters());\nexport const n: number = tensor([1]).size + opt.paramGroups.length + (typeof fit === 'function' ? 1 : 0);\n";
      writeFileSync(join(dir, 'main.ts'), code); // CommonJS under node10
      writeFileSync(join(dir, 'main.mts'), code); // an ES module under node16
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      for (const [module, resolution, file] of [
        ['commonjs', 'node10', 'main.ts'],
        ['node16', 'node16', 'main.mts'],
      ]) {
        const r = execFileSync(
          process.execPath,
          [
            tsc,
            '--noEmit',
            '--strict',
            '--skipLibCheck',
            '--module',
            module,
            '--moduleResolution',
            resolution,
            '--ignoreDeprecations',
            '5.0',
            file,
          ],
          { cwd: dir, encoding: 'utf8' },
        );
        expect(r.trim(), `${module}/${resolution}`).toBe('');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
