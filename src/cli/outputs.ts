/** The paths a command will write, checked before it works: one line naming the flag and the fault. */
import { mkdirSync } from 'node:fs';
import { outputProblem } from '../io/files.js';
import { usage } from './errors.js';
import type { ProgressWriter } from '../train/progress.js';

/** Each [flag, path, kind] must be writable as that kind; then the directories are created. */
export function checkOutputs(paths: readonly (readonly [string, string, 'file' | 'dir'])[]): void {
  for (const [flag, path, kind] of paths) {
    const problem = outputProblem(path, kind);
    if (problem) usage(`${flag} '${path}': ${problem}`);
  }
  for (const [, path, kind] of paths) if (kind === 'dir') mkdirSync(path, { recursive: true });
}

/** --no-progress: no bar, but still a line per epoch (false would drop those too). */
export function progressOption(progress: boolean | undefined): ProgressWriter | undefined {
  return progress === false ? { isTTY: false, write: (s) => void process.stdout.write(s) } : undefined;
}
