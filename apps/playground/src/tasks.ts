/**
 * Heavy work off the page's thread: each panel owns a TaskWorker (a module Worker running worker.ts)
 * and sends it one task at a time. Progress comes back as messages; cancelling terminates the worker
 * (a synchronous loop inside it cannot read a message) and the next task starts a fresh one.
 */
import type { NetSettings } from './net.js';
import type { RaceSettings, RaceTrack } from './race.js';

export type Task =
  | { kind: 'tsne'; table: Float32Array; n: number; dim: number; iterations: number }
  | { kind: 'race'; settings: RaceSettings }
  | { kind: 'net'; settings: NetSettings; grid: number; lo: number; hi: number }
  | { kind: 'names'; names: string[]; count: number; seed: number };

/** One frame of network training: the steps since the last frame, and the state now. */
export interface NetFrame {
  step: number;
  losses: number[];
  /** Per Linear layer, the gradient norms of the new steps. */
  gradNorms: number[][];
  regions: Int32Array;
  accuracy: number;
  /** The training points (x, y pairs) and their classes, in the first frame only. */
  data?: { points: Float32Array; labels: Int32Array };
}

export interface Results {
  tsne: Float64Array;
  race: RaceTrack[];
  net: { steps: number };
  names: string[];
}

export type Reply =
  | { id: number; type: 'progress'; done: number; total: number; frame?: NetFrame; contour?: Float64Array }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; message: string };

/** The error a cancelled (or superseded) task's promise rejects with. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

interface Pending {
  id: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number, frame?: NetFrame, contour?: Float64Array) => void;
}

export class TaskWorker {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private nextId = 1;

  /** Whether a task is in flight. */
  get busy(): boolean {
    return this.pending !== null;
  }

  /** Runs `task`, cancelling the one in flight (its promise rejects with Cancelled). */
  run<K extends Task['kind']>(
    task: Extract<Task, { kind: K }>,
    onProgress?: (done: number, total: number, frame?: NetFrame, contour?: Float64Array) => void,
  ): Promise<Results[K]> {
    this.cancel();
    const w = (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<Results[K]>((resolve, reject) => {
      this.pending = { id, resolve: resolve as (v: unknown) => void, reject, onProgress };
      w.postMessage({ id, task });
    });
  }

  /** Stops the task in flight, if any. */
  cancel(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.worker?.terminate();
    this.worker = null;
    p.reject(new Cancelled());
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<Reply>) => {
      const m = e.data;
      const p = this.pending;
      if (!p || m.id !== p.id) return;
      if (m.type === 'progress') p.onProgress?.(m.done, m.total, m.frame, m.contour);
      else {
        this.pending = null;
        if (m.type === 'result') p.resolve(m.value);
        else p.reject(new Error(m.message));
      }
    };
    w.onerror = (e) => {
      const p = this.pending;
      this.pending = null;
      this.worker = null;
      w.terminate();
      p?.reject(new Error(`the worker failed: ${e.message || 'could not start'}`));
    };
    return w;
  }
}

/**
 * A panel's progress line: a <progress> bar, a label and a Cancel button (ids `${prefix}-progress`,
 * `${prefix}-progress-label`, `${prefix}-cancel`), shown while work runs.
 */
export function progressView(prefix: string, onCancel: () => void) {
  const box = document.getElementById(`${prefix}-busy`) as HTMLElement;
  const bar = document.getElementById(`${prefix}-progress`) as HTMLProgressElement;
  const label = document.getElementById(`${prefix}-progress-label`) as HTMLElement;
  (document.getElementById(`${prefix}-cancel`) as HTMLButtonElement).onclick = onCancel;
  return {
    show(text: string, done = 0, total = 0): void {
      box.hidden = false;
      if (total > 0) {
        bar.max = total;
        bar.value = done;
      } else bar.removeAttribute('value'); // indeterminate
      label.textContent = text;
      box.dataset.done = String(done);
      box.dataset.total = String(total);
    },
    hide(): void {
      box.hidden = true;
    },
  };
}
