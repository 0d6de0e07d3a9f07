/**
 * The playground's worker: runs one task at a time (t-SNE, an optimizer race, network training, the
 * name generator) and posts progress and the result. It never touches the DOM, so the page stays
 * responsive however long the task takes; the page cancels by terminating it.
 */
import * as d from 'descend';
import { tsne, sampleNames, trainNameModel, type NameModel } from 'descend/lm';
import { NetRun } from './net.js';
import { grid, race, surfaceOf, toTracks } from './race.js';
import type { NetFrame, Reply, Task } from './tasks.js';

// The name model is kept between clicks (a terminated worker forgets it; the next click retrains).
let nameModel: NameModel | null = null;
let nameModelFor = '';

const post = (m: Reply, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: Reply, t: Transferable[]): void }).postMessage(m, transfer);

/** At most one progress message per `ms`, and always the last. */
function throttle(id: number, ms = 50) {
  let last = 0;
  return (done: number, total: number) => {
    const now = performance.now();
    if (now - last < ms && done < total) return;
    last = now;
    post({ id, type: 'progress', done, total });
  };
}

function runTask(id: number, task: Task): unknown {
  switch (task.kind) {
    case 'tsne': {
      const X = d.tensor(task.table).reshape([task.n, task.dim]);
      const Y = tsne(X, { iterations: task.iterations, seed: 0, onIteration: throttle(id) });
      return Float64Array.from(Y.to('float64').dataSync());
    }
    case 'race': {
      const fn = surfaceOf(task.settings);
      if (task.settings.start) fn.start = task.settings.start;
      const progress = throttle(id, 0);
      // The surface first: the page draws it while the optimizers run.
      const contour = grid(fn);
      post({ id, type: 'progress', done: 0, total: 1, contour }, [contour.buffer]);
      // Two-element tensors: plain JS beats a crossing into WebAssembly per op.
      return toTracks(d.withBackend('js', () => race(task.settings, fn, progress)));
    }
    case 'net': {
      const run = new NetRun(task.settings);
      let data: NetFrame['data'] = {
        points: Float32Array.from(run.data.x.dataSync()),
        labels: Int32Array.from(run.data.y.dataSync()),
      };
      let sent = 0;
      let more = true;
      while (more) {
        more = run.train(15);
        const frame: NetFrame = {
          step: run.step,
          losses: run.losses.slice(sent),
          gradNorms: run.gradNorms.map((g) => g.slice(sent)),
          regions: Int32Array.from(run.regions(task.grid, task.lo, task.hi)),
          accuracy: run.accuracy(),
          data,
        };
        data = undefined;
        sent = run.step;
        post({ id, type: 'progress', done: run.step, total: task.settings.steps, frame }, [
          frame.regions.buffer,
        ]);
      }
      return { steps: run.step };
    }
    case 'names': {
      const key = String(task.names.length);
      if (!nameModel || nameModelFor !== key) {
        const epochs = 2;
        post({ id, type: 'progress', done: 0, total: epochs });
        nameModel = trainNameModel(task.names, {
          epochs,
          progress: false,
          seed: 0,
          callbacks: [
            { onEpochEnd: (ctx) => post({ id, type: 'progress', done: ctx.epoch, total: epochs }) },
          ],
        });
        nameModelFor = key;
      }
      return sampleNames(nameModel, task.count, {
        temperature: 0.8,
        generator: new d.Generator(task.seed),
      });
    }
  }
}

self.onmessage = (e: MessageEvent<{ id: number; task: Task }>) => {
  const { id, task } = e.data;
  try {
    const value = runTask(id, task);
    post({ id, type: 'result', value });
  } catch (x) {
    post({ id, type: 'error', message: x instanceof Error ? x.message : String(x) });
  }
};
