/** The network panel: an MLP trained on a 2-D dataset in the page, its decision regions and curves. */
import { ACTIVATIONS, DATASETS, defaultNetSettings, INITS, OPTIMIZERS, type NetSettings } from './net.js';
import { Cancelled, progressView, TaskWorker, type NetFrame } from './tasks.js';
import { COLORS } from './race.js';
import { $, hashParams } from './dom.js';
import { CLASS_COLORS, seriesChart } from './charts.js';
export function netPanel(): void {
  const panel = $('net-panel');
  const s: NetSettings = defaultNetSettings();
  try {
    Object.assign(s, JSON.parse(hashParams().get('net') ?? '{}') as Partial<NetSettings>);
  } catch {
    // bad JSON in a hand-edited URL: keep the defaults
  }
  const select = (id: string, options: readonly string[]) => {
    $(id).innerHTML = options.map((o) => `<option>${o}</option>`).join('');
  };
  select('net-dataset', Object.keys(DATASETS));
  select('net-activation', Object.keys(ACTIVATIONS));
  select('net-init', INITS);
  select('net-optimizer', OPTIMIZERS);
  const fields = [
    'dataset',
    'layers',
    'width',
    'activation',
    'init',
    'batchNorm',
    'optimizer',
    'lr',
    'weightDecay',
    'steps',
  ] as const;
  const el = (f: string) => $<HTMLInputElement>(`net-${f}`);
  for (const f of fields) {
    if (f === 'batchNorm') el(f).checked = s.batchNorm;
    else el(f).value = String(s[f]);
  }
  const canvas = $<HTMLCanvasElement>('net-canvas');
  canvas.width = canvas.height = 300;
  const ctx = canvas.getContext('2d')!;
  const cells = document.createElement('canvas');
  cells.width = cells.height = 60;
  const cellCtx = cells.getContext('2d')!;
  let anim = 0;
  const worker = new TaskWorker();
  const busy = progressView('net', () => worker.cancel());
  let generation = 0;
  const start = async () => {
    cancelAnimationFrame(anim);
    anim = 0;
    panel.dataset.done = 'false';
    for (const f of fields) {
      const v = f === 'batchNorm' ? el(f).checked : el(f).value;
      (s as Record<string, unknown>)[f] = typeof v === 'boolean' || isNaN(Number(v)) ? v : Number(v);
    }
    s.layers = Math.max(1, Math.min(8, Math.round(s.layers)));
    s.width = Math.max(1, Math.min(256, Math.round(s.width)));
    s.steps = Math.max(1, Math.min(5000, Math.round(s.steps)));
    const state = hashParams();
    state.set('net', JSON.stringify(s));
    history.replaceState(null, '', `#${state}`);
    const gen = ++generation;
    $('net-error').textContent = '';
    const lo = -1.6;
    const hi = 1.6;
    const n = 60;
    const losses: number[] = [];
    const gradNorms: number[][] = [];
    let latest: NetFrame | null = null;
    let points: NetFrame['data'] | null = null;
    // Frames arrive from the worker as fast as it trains; the page draws the newest once per frame.
    const draw = () => {
      anim = 0;
      const f = latest;
      if (!f || gen !== generation) return;
      // The regions at the grid's resolution, scaled up by drawImage (no per-pixel work on the page).
      const img = cellCtx.createImageData(n, n);
      for (let k = 0; k < n * n; k++) {
        const [r, g, b] = CLASS_COLORS[f.regions[k]!]!;
        img.data[4 * k] = r;
        img.data[4 * k + 1] = g;
        img.data[4 * k + 2] = b;
        img.data[4 * k + 3] = 70;
      }
      cellCtx.putImageData(img, 0, 0);
      ctx.clearRect(0, 0, 300, 300);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(cells, 0, 0, 300, 300);
      if (points) drawPoints(points.points, points.labels, lo, hi);
      const stat = $('net-stats');
      stat.dataset.acc = String(f.accuracy);
      stat.dataset.step = String(f.step);
      stat.textContent = `step ${f.step} of ${s.steps} · loss ${losses.at(-1)?.toFixed(4)} · training accuracy ${(100 * f.accuracy).toFixed(1)}%`;
      $('net-loss').innerHTML = seriesChart(
        [{ name: 'loss', values: losses, color: '#333' }],
        'training loss (log scale)',
      );
      $('net-grads').innerHTML = seriesChart(
        gradNorms.map((v, i) => ({ name: `W${i + 1}`, values: v, color: COLORS[i % COLORS.length]! })),
        '‖∂L/∂W‖ per layer (log scale)',
      );
      $('net-grads').dataset.last = JSON.stringify(gradNorms.map((v) => v.at(-1) ?? 0));
    };
    busy.show(`training: step 0 of ${s.steps}`, 0, s.steps);
    try {
      await worker.run({ kind: 'net', settings: { ...s }, grid: n, lo, hi }, (done, total, f) => {
        if (!f || gen !== generation) return;
        losses.push(...f.losses);
        f.gradNorms.forEach((g, i) => (gradNorms[i] ??= []).push(...g));
        latest = f;
        if (f.data) points = f.data;
        busy.show(`training: step ${done} of ${total}`, done, total);
        if (!anim) anim = requestAnimationFrame(draw);
      });
    } catch (e) {
      if (gen !== generation) return;
      busy.hide();
      if (e instanceof Cancelled) {
        panel.dataset.done = 'cancelled';
        return;
      }
      $('net-error').textContent = e instanceof Error ? e.message : String(e);
      panel.dataset.done = 'error';
      return;
    }
    if (gen !== generation) return;
    busy.hide();
    cancelAnimationFrame(anim);
    draw();
    panel.dataset.done = 'true';
  };
  const drawPoints = (pts: Float32Array, labels: Int32Array, lo: number, hi: number) => {
    for (let k = 0; k < labels.length; k++) {
      const [r, g, b] = CLASS_COLORS[labels[k]!]!;
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.beginPath();
      ctx.arc(
        ((pts[2 * k]! - lo) / (hi - lo)) * 300,
        ((hi - pts[2 * k + 1]!) / (hi - lo)) * 300,
        3,
        0,
        2 * Math.PI,
      );
      ctx.fill();
    }
  };
  const restart = () => void start();
  for (const f of fields) el(f).addEventListener('change', restart);
  $('net-train').addEventListener('click', restart);
  void start();
}
