/**
 * Ctrl-C and SIGTERM for the long commands. Training is synchronous, so the main thread could not see a
 * signal until it ended: the command runs in a worker thread instead, and the main thread, which stays
 * idle, turns the first signal into a flag the worker polls at every step (it checkpoints, prints how to
 * resume and exits 130 or 143); a second signal ends the process at once, after removing the temporary
 * file of a save in progress (the saved files themselves are replaced atomically, so none is torn).
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** What a long command may ask of whoever runs it. */
export interface RunControl {
  /** The signal received since the run began, or null. */
  stopRequested(): StopSignal | null;
  /** The files and directories the command writes (so a second Ctrl-C can clean their temporary files). */
  announceOutputs?(paths: string[]): void;
}

/** Exit codes of a run stopped by a signal: 128 + the signal's number, as shells report them. */
export const SIGNAL_EXIT: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };
const SIGNAL_CODE: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15 };

/** A run that stopped on a signal after saving: its message says how to resume (one line, exit 130/143). */
export class Interrupted extends Error {
  constructor(
    readonly signal: StopSignal,
    message: string,
  ) {
    super(message);
  }
}

/** A RunControl that reads the flag the main thread sets. */
export function flagControl(flag: Int32Array, announce?: (paths: string[]) => void): RunControl {
  return {
    stopRequested: () => {
      const v = Atomics.load(flag, 0);
      return v === SIGNAL_CODE.SIGINT ? 'SIGINT' : v === SIGNAL_CODE.SIGTERM ? 'SIGTERM' : null;
    },
    announceOutputs: announce,
  };
}

export interface WorkerTask {
  command: string;
  args: unknown[];
  backend?: string;
}

/** Runs a long command in a worker; the process exits with the worker's code. */
export function runInWorker(task: WorkerTask): void {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const here = new URL('./worker.js', import.meta.url);
  const tty = { isTTY: Boolean(process.stdout.isTTY), columns: process.stdout.columns ?? 80 };
  const workerData = { task, flag, tty };
  let worker: Worker;
  if (import.meta.url.endsWith('.ts')) {
    // Under tsx (npm run descend): the worker registers tsx's loader before importing the TypeScript file.
    const entry = new URL('./worker.ts', import.meta.url).href;
    const api = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    worker = new Worker(boot, { eval: true, workerData });
  } else worker = new Worker(here, { workerData });
  let outputs: string[] = [];
  let signals = 0;
  const onSignal = (sig: StopSignal) => {
    signals++;
    if (signals === 1) {
      Atomics.store(flag, 0, SIGNAL_CODE[sig]);
      process.stderr.write(`\ndescend: ${sig}: saving at the next step (again to stop at once)\n`);
      return;
    }
    removeOwnTemps(outputs);
    process.stderr.write(`descend: ${sig} again: stopped without saving\n`);
    process.exit(SIGNAL_EXIT[sig]);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  worker.on('message', (m: { outputs?: string[] }) => {
    if (Array.isArray(m?.outputs)) outputs = m.outputs;
  });
  worker.on('error', (e) => {
    process.stderr.write(`descend: internal error: ${e.message.split('\n')[0]} (please report it)\n`);
    process.exit(1);
  });
  worker.on('exit', (code) => process.exit(code));
}

/** Removes this process's temporary save files (writeFileAtomic's `.<name>.<pid>.<hex>.tmp`) beside `paths`. */
function removeOwnTemps(paths: string[]): void {
  const dirs = new Set(paths.flatMap((p) => [p, dirname(p)]));
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names)
      if (n.startsWith('.') && n.endsWith('.tmp') && n.includes(`.${process.pid}.`))
        try {
          unlinkSync(join(dir, n));
        } catch {
          // gone already
        }
  }
}
