/**
 * A pool of workers over the kernels' shared memory. The calling thread posts a job (its address in
 * wasm memory), does share 0 itself, and waits for the workers' shares; a job is one synchronous call,
 * as the Backend interface needs. Workers spin briefly between jobs (a training step posts hundreds of
 * them back to back) and then sleep on Atomics.wait.
 */

// Control block layout, in int32 words.
const GEN = 0;
const JOB = 1;
const NT = 2;
const STOP = 3;
const READY = 4;
const MAX_WORKERS = 15;
/** Set by a worker whose share threw (a wasm trap): the caller throws instead of waiting forever. */
const FAILED = READY + MAX_WORKERS + 1 + MAX_WORKERS + 1;
const DONE = READY + MAX_WORKERS + 1;
export const CONTROL_WORDS = FAILED + 1;

// The worker's whole program: plain JS, shared by Node's worker_threads and browsers' Workers.
const WORKER_SOURCE = `
const start = ({ module, memory, ctl, id, spin }) => {
  const run = new WebAssembly.Instance(module, { env: { memory } }).exports.run;
  const c = new Int32Array(memory.buffer, ctl, ${CONTROL_WORDS});
  let seen = Atomics.load(c, ${GEN});
  Atomics.store(c, ${READY} + id, 1);
  for (;;) {
    let g = Atomics.load(c, ${GEN});
    for (let i = 0; g === seen && i < spin; i++) g = Atomics.load(c, ${GEN});
    if (g === seen) {
      Atomics.wait(c, ${GEN}, seen);
      continue;
    }
    seen = g;
    if (Atomics.load(c, ${STOP})) return;
    const nt = Atomics.load(c, ${NT});
    try {
      if (id < nt) run(Atomics.load(c, ${JOB}), id, nt);
    } catch {
      Atomics.store(c, ${FAILED}, id);
    }
    Atomics.store(c, ${DONE} + id, g);
    Atomics.notify(c, ${DONE} + id);
  }
};
if (typeof self === 'undefined') {
  const { parentPort } = require('node:worker_threads');
  parentPort.once('message', start);
} else {
  self.onmessage = (e) => start(e.data);
}
`;

interface PoolWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
  unref?(): void;
}
type WorkerThreads = { Worker: new (src: string, o: { eval: boolean }) => PoolWorker };

function spawn(): PoolWorker {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
  if (wt) {
    const w = new wt.Worker(WORKER_SOURCE, { eval: true });
    w.unref?.(); // an idle pool never keeps a Node process alive
    return w;
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  return new Worker(url);
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  return typeof (globalThis as { document?: unknown }).document === 'undefined';
}

export class ThreadPool {
  private readonly workers: PoolWorker[] = [];
  private readonly c: Int32Array;
  private readonly block = canBlock();
  private usable = false;

  /** `ctl` is the byte address of CONTROL_WORDS int32s in `memory`, reserved for the pool. */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    ctl: number,
    workers: number,
    private readonly run: (job: number, t: number, nt: number) => void,
    spin = 20000,
  ) {
    this.c = new Int32Array(memory.buffer, ctl, CONTROL_WORDS);
    const n = Math.min(workers, MAX_WORKERS);
    for (let id = 1; id <= n; id++) {
      const w = spawn();
      w.postMessage({ module, memory, ctl, id, spin });
      this.workers.push(w);
    }
  }

  /** Threads a job can use now: 1 + the workers, once every worker has started (before that, 1). */
  get threads(): number {
    if (!this.usable) {
      for (let i = 1; i <= this.workers.length; i++) if (Atomics.load(this.c, READY + i) !== 1) return 1;
      this.usable = this.workers.length > 0;
    }
    return 1 + this.workers.length;
  }

  /** Runs `job` split over `nt` threads (nt <= threads): share 0 here, the rest on workers 1..nt-1. */
  dispatch(job: number, nt: number): void {
    const c = this.c;
    if (nt <= 1) {
      this.run(job, 0, 1);
      return;
    }
    Atomics.store(c, JOB, job);
    Atomics.store(c, NT, nt);
    const g = (Atomics.load(c, GEN) + 1) | 0;
    Atomics.store(c, GEN, g);
    Atomics.notify(c, GEN);
    let failed = 0;
    try {
      this.run(job, 0, nt);
    } finally {
      // Even when share 0 threw: the workers must be done with the job's memory before anyone reuses it.
      for (let id = 1; id < nt; id++) {
        let spins = 0;
        for (let v = Atomics.load(c, DONE + id); v !== g; v = Atomics.load(c, DONE + id))
          if (this.block && ++spins > 2000) Atomics.wait(c, DONE + id, v, 1);
      }
      failed = Atomics.exchange(c, FAILED, 0);
    }
    if (failed) throw new Error(`wasm backend: worker ${failed} failed on a kernel (a wasm trap)`);
  }

  /** Stops the workers (they exit after their current job). */
  close(): void {
    Atomics.store(this.c, STOP, 1);
    Atomics.add(this.c, GEN, 1);
    Atomics.notify(this.c, GEN);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
    this.usable = false;
  }
}
