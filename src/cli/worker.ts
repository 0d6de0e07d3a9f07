/** The worker thread a long command runs in (see interrupt.ts): runs it, then exits with its code. */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { type WorkerTask, flagControl } from './interrupt.js';
import { exitOnError } from './errors.js';
import { LONG_COMMANDS } from './long-commands.js';
import { setBackend } from '../backends/registry.js';

const { task, flag, tty } = workerData as {
  task: WorkerTask;
  flag: Int32Array;
  tty: { isTTY: boolean; columns: number };
};
// A worker's process.stdout is relayed by the main thread only when the worker's event loop turns, which
// a synchronous training loop never lets it do: write straight to the file descriptors instead.
for (const [stream, fd] of [
  [process.stdout, 1],
  [process.stderr, 2],
] as const) {
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    writeAll(fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof stream.write;
}
function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      // A non-blocking pipe that is full: wait for the reader.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
// Keep the terminal's look (progress bars).
if (tty.isTTY) {
  Object.defineProperty(process.stdout, 'isTTY', { value: true });
  Object.defineProperty(process.stdout, 'columns', { value: tty.columns });
}
const log = (s: string) => process.stdout.write(s + '\n');
const control = flagControl(flag, (outputs) => parentPort?.postMessage({ outputs }));
try {
  if (task.backend !== undefined) setBackend(task.backend);
  await LONG_COMMANDS[task.command](task.args, log, control);
  process.exit(0);
} catch (e) {
  exitOnError(e);
}
