/** The network panel: an MLP trained on a 2-D dataset in the page, its decision regions and curves. */
import {
  ACTIVATIONS,
  DATASETS,
  defaultNetSettings,
  INITS,
  NetRun,
  OPTIMIZERS,
  type NetSettings,
} from './net.js';
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
  let anim = 0;
  const start = () => {
    cancelAnimationFrame(anim);
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
    let run: NetRun;
    try {
      run = new NetRun(s);
      $('net-error').textContent = '';
    } catch (e) {
      $('net-error').textContent = e instanceof Error ? e.message : String(e);
      panel.dataset.done = 'error';
      return;
    }
    const pts = run.data.x.dataSync();
    const labels = run.data.y.dataSync();
    const lo = -1.6;
    const hi = 1.6;
    const n = 60;
    const frame = () => {
      const more = run.train(15);
      const reg = run.regions(n, lo, hi);
      const img = ctx.createImageData(300, 300);
      for (let py = 0; py < 300; py++)
        for (let px = 0; px < 300; px++) {
          const c = CLASS_COLORS[reg[Math.floor((py * n) / 300) * n + Math.floor((px * n) / 300)]!]!;
          const o = (py * 300 + px) * 4;
          img.data.set([c[0], c[1], c[2], 70], o);
        }
      ctx.putImageData(img, 0, 0);
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
      const acc = run.accuracy();
      const stat = $('net-stats');
      stat.dataset.acc = String(acc);
      stat.dataset.step = String(run.step);
      stat.textContent = `step ${run.step} of ${s.steps} · loss ${run.losses.at(-1)?.toFixed(4)} · training accuracy ${(100 * acc).toFixed(1)}%`;
      $('net-loss').innerHTML = seriesChart(
        [{ name: 'loss', values: run.losses, color: '#333' }],
        'training loss (log scale)',
      );
      $('net-grads').innerHTML = seriesChart(
        run.gradNorms.map((v, i) => ({ name: `W${i + 1}`, values: v, color: COLORS[i % COLORS.length]! })),
        '‖∂L/∂W‖ per layer (log scale)',
      );
      $('net-grads').dataset.last = JSON.stringify(run.gradNorms.map((v) => v.at(-1) ?? 0));
      if (more) anim = requestAnimationFrame(frame);
      else panel.dataset.done = 'true';
    };
    frame();
  };
  for (const f of fields) el(f).addEventListener('change', start);
  $('net-train').addEventListener('click', start);
  start();
}
