/** The optimizer race panel: trajectories on a surface, the loss chart and the results table. */
import { wasmReady } from 'descend';
import {
  COLORS,
  contourCanvas,
  curvatureAt,
  defaultSettings,
  frame,
  FUNCTION_NAMES,
  lossChart,
  RACERS,
  SIZE,
  surfaceOf,
  type RaceSettings,
  type RaceTrack,
} from './race.js';
import { $, hashParams } from './dom.js';
import { Cancelled, progressView, TaskWorker } from './tasks.js';

/** How long the race's drawing replays the computed trajectories. */
export const RACE_REPLAY_MS = 700;

/** The race's results table: end point, loss and steps to tolerance per optimizer. */
export function fillRaceTable(results: RaceTrack[], steps: number): void {
  $('race-results').innerHTML =
    '<tr><th>optimizer</th><th>end x</th><th>end y</th><th>f</th><th>steps to f* + 1e-6</th></tr>' +
    results
      .map((r) => {
        const [x, y] = [r.path[r.path.length - 2]!, r.path[r.path.length - 1]!];
        const f = r.losses[r.losses.length - 1]!;
        return `<tr data-name="${r.name}" data-x="${x}" data-y="${y}" data-loss="${f}"><td>${r.name}</td><td>${x.toFixed(4)}</td><td>${y.toFixed(4)}</td><td>${f.toExponential(2)}</td><td>${r.stepsToTol ?? (r.path.length / 2 - 1 < steps ? 'diverged' : '—')}</td></tr>`;
      })
      .join('');
}

// The wasm kernels may compile in the background (a browser may refuse to compile them synchronously on
// the main thread): wait, so that every tensor the panels make lives on the backend the page ends on.
await wasmReady;

export function racePanel(): void {
  const panel = $('race-panel');
  let settings = defaultSettings();
  try {
    const saved = hashParams().get('race');
    if (saved) settings = { ...settings, ...(JSON.parse(saved) as Partial<RaceSettings>) };
  } catch {
    // A hand-edited URL with bad JSON falls back to the defaults.
  }
  const surface = $<HTMLSelectElement>('race-surface');
  surface.innerHTML = FUNCTION_NAMES.map((n) => `<option value="${n}">${n}</option>`).join('');
  const kappa = $<HTMLInputElement>('race-kappa');
  const formula = $<HTMLInputElement>('race-formula');
  const steps = $<HTMLInputElement>('race-steps');
  const table = $('race-racers');
  const num = (v: number | undefined, key: string, name: string, label: string) =>
    v === undefined
      ? '<td></td>'
      : `<td><label>${label} <input type="number" step="any" data-racer="${name}" data-key="${key}" value="${v}" aria-label="${name} ${label}"/></label></td>`;
  table.innerHTML = RACERS.map((name, k) => {
    const r = settings.racers[name]!;
    return (
      `<tr><td><label style="color:${COLORS[k]}"><input type="checkbox" data-racer="${name}" data-key="on" ${r.on ? 'checked' : ''}/> ${name}</label></td>` +
      num(r.lr, 'lr', name, 'lr') +
      num(r.momentum, 'momentum', name, 'momentum') +
      num(r.beta1, 'beta1', name, 'β1') +
      num(r.beta2, 'beta2', name, 'β2') +
      num(r.eps, 'eps', name, 'eps') +
      '</tr>'
    );
  }).join('');
  const canvas = $<HTMLCanvasElement>('race-canvas');
  canvas.width = canvas.height = SIZE;
  const ctx = canvas.getContext('2d')!;
  const error = $('race-error');
  let anim = 0;

  const read = () => {
    settings.surface = surface.value;
    settings.kappa = Number(kappa.value);
    settings.formula = formula.value;
    settings.steps = Math.max(1, Math.min(5000, Math.round(Number(steps.value)) || 1));
    for (const el of table.querySelectorAll<HTMLInputElement>('input')) {
      const r = settings.racers[el.dataset.racer!]! as Record<string, number | boolean>;
      r[el.dataset.key!] = el.type === 'checkbox' ? el.checked : Number(el.value);
    }
  };
  const write = () => {
    surface.value = settings.surface;
    kappa.value = String(settings.kappa);
    formula.value = settings.formula;
    steps.value = String(settings.steps);
    $('race-kappa-row').hidden = settings.surface !== 'quadratic';
    $('race-formula-row').hidden = settings.surface !== 'formula';
  };

  const worker = new TaskWorker();
  const busy = progressView('race', () => worker.cancel());
  let generation = 0;

  const run = async () => {
    const gen = ++generation;
    cancelAnimationFrame(anim);
    panel.dataset.done = 'false';
    read();
    write();
    const state = hashParams();
    state.set('race', JSON.stringify(settings));
    history.replaceState(null, '', `#${state}`);
    let fn: ReturnType<typeof surfaceOf>;
    let results: RaceTrack[];
    let img: HTMLCanvasElement;
    try {
      // Parsed here too: a bad formula is reported at once, and the contour is drawn from it.
      fn = surfaceOf(settings);
      if (settings.start) fn.start = settings.start;
      error.textContent = '';
      performance.mark('race-start');
      busy.show('racing…');
      // The surface and the race are computed in the worker: a 5,000-step race never blocks the page.
      let surfaceImg: HTMLCanvasElement | null = null;
      results = await worker.run({ kind: 'race', settings }, (done, total, _f, contour) => {
        if (contour) {
          surfaceImg = contourCanvas(contour);
          ctx.imageSmoothingEnabled = false;
          ctx.drawImage(surfaceImg, 0, 0, SIZE, SIZE);
        } else busy.show(`${done} of ${total} optimizers done`, done, total);
      });
      if (!surfaceImg) throw new Error('the worker sent no surface');
      img = surfaceImg;
      performance.mark('race-computed');
    } catch (e) {
      if (gen !== generation) return; // superseded by a newer run
      busy.hide();
      if (e instanceof Cancelled) {
        panel.dataset.done = 'cancelled';
        return;
      }
      error.textContent = e instanceof Error ? e.message : String(e);
      panel.dataset.done = 'error';
      return;
    }
    if (gen !== generation) return;
    busy.hide();
    const { toPx } = frame(fn);
    const total = Math.max(...results.map((r) => r.path.length / 2 - 1), 0);
    // The race is computed already: its table is filled now, and the drawing replays it in a fixed time
    // (RACE_REPLAY_MS), however many steps and however slow the frames (other panels share the thread).
    fillRaceTable(results, settings.steps);
    performance.mark('race-table');
    const start = performance.now();
    let shown = 0;
    const draw = () => {
      shown = Math.min(total, Math.floor((total * (performance.now() - start)) / RACE_REPLAY_MS));
      ctx.drawImage(img, 0, 0, SIZE, SIZE);
      for (const m of fn.minima) {
        const [px, py] = toPx(m[0], m[1]);
        ctx.fillStyle = '#fff';
        ctx.font = '18px sans-serif';
        ctx.fillText('★', px - 7, py + 6);
      }
      for (const r of results) {
        ctx.strokeStyle = COLORS[RACERS.indexOf(r.name)]!;
        ctx.lineWidth = 2;
        ctx.beginPath();
        const upTo = Math.min(shown, r.path.length / 2 - 1);
        for (let k = 0; k <= upTo; k++) {
          const [px, py] = toPx(r.path[2 * k]!, r.path[2 * k + 1]!);
          if (k === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        }
        ctx.stroke();
      }
      const [sx, sy] = toPx(fn.start[0], fn.start[1]);
      ctx.strokeStyle = '#fff';
      ctx.beginPath();
      ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
      ctx.stroke();
      $('race-loss').innerHTML = lossChart(results, shown, fn.fMin ?? 0);
      if (shown < total) {
        anim = requestAnimationFrame(draw);
      } else {
        performance.mark('race-drawn');
        panel.dataset.done = 'true';
      }
    };
    draw();
    canvas.onclick = (ev) => {
      const rect = canvas.getBoundingClientRect();
      settings.start = frame(fn).fromPx(
        ((ev.clientX - rect.left) * SIZE) / rect.width,
        ((ev.clientY - rect.top) * SIZE) / rect.height,
      );
      void run();
    };
    // Keyboard: arrow keys move the start by 1/40 of the plot (shift: 1/8) and rerun.
    canvas.onkeydown = (ev) => {
      const dirs: Record<string, [number, number]> = {
        ArrowLeft: [-1, 0],
        ArrowRight: [1, 0],
        ArrowUp: [0, 1],
        ArrowDown: [0, -1],
      };
      const dir = dirs[ev.key];
      if (!dir) return;
      ev.preventDefault();
      const f = ev.shiftKey ? 1 / 8 : 1 / 40;
      settings.start = [
        fn.start[0] + dir[0] * f * (fn.xRange[1] - fn.xRange[0]),
        fn.start[1] + dir[1] * f * (fn.yRange[1] - fn.yRange[0]),
      ];
      void run();
    };
    $('race-hessian').onclick = () => {
      const c = curvatureAt(fn, fn.start);
      $('race-curvature').textContent =
        `At the start (${fn.start.map((v) => v.toFixed(3)).join(', ')}): Hessian eigenvalues ` +
        `${c.eig.map((v) => v.toPrecision(4)).join(', ')}; condition number ${c.condition.toPrecision(4)}; ` +
        `GD is stable for lr < 2/λmax = ${c.bound.toPrecision(4)}; ${c.kind}.`;
    };
  };
  write();
  surface.addEventListener('change', () => {
    settings.start = null;
    void run();
  });
  const rerun = () => void run();
  for (const el of [kappa, formula, steps]) el.addEventListener('change', rerun);
  table.addEventListener('change', rerun);
  $('race-run').addEventListener('click', rerun);
  void run();
}
