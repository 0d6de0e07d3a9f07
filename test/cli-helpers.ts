/** Running the built `descend` executable (dist/cli/bin.js) in a scratch folder, for the CLI tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = join(root, 'dist', 'cli', 'bin.js');

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** A scratch folder (removed after the file's tests) and a runner of the CLI inside it. */
export function cliSandbox(
  prefix: string,
  timeoutMs = 120_000,
): { dir: string; run: (...args: string[]) => CliResult } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]): CliResult => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  return { dir, run };
}

/** A bad input: exit 2 and exactly one line on stderr, no stack trace. */
export function expectUsageError(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.err).toBe(2);
  const lines = r.err.trim().split('\n');
  expect(lines.length, r.err).toBe(1);
  expect(lines[0]).toMatch(/^descend: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /);
}
