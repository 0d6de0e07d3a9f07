/** The playground page: wires the panels to the DOM and keeps their state in the URL's hash. */
import {
  ACTIVATIONS,
  DATASETS,
  defaultNetSettings,
  INITS,
  NetRun,
  OPTIMIZERS,
  type NetSettings,
} from './net.js';
import { backendInfo, wasmReady, withBackend } from 'descend';
import { LinearDemo, type LinearLoss } from './linear.js';
import { wordsPanel } from './words.js';
import { buildGraph, FormulaError, layers, VARIABLES, type GraphNode } from './graph.js';
import {
  COLORS,
  contourImage,
  curvatureAt,
  defaultSettings,
  frame,
  FUNCTION_NAMES,
  lossChart,
  race,
  RACERS,
  SIZE,
  surfaceOf,
  type RaceSettings,
} from './race.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** How long the race's drawing replays the computed trajectories. */
const RACE_REPLAY_MS = 700;

/** The race's results table: end point, loss and steps to tolerance per optimizer. */
function fillRaceTable(results: ReturnType<typeof race>, steps: number): void {
  $('race-results').innerHTML =
    '<tr><th>optimizer</th><th>end x</th><th>end y</th><th>f</th><th>steps to f* + 1e-6</th></tr>' +
    results
      .map((r) => {
        const [x, y] = r.path[r.path.length - 1]!;
        const f = r.losses[r.losses.length - 1]!;
        return `<tr data-name="${r.name}" data-x="${x}" data-y="${y}" data-loss="${f}"><td>${r.name}</td><td>${x.toFixed(4)}</td><td>${y.toFixed(4)}</td><td>${f.toExponential(2)}</td><td>${r.stepsToTol ?? (r.path.length - 1 < steps ? 'diverged' : '—')}</td></tr>`;
      })
      .join('');
}

// The wasm kernels may compile in the background (a browser may refuse to compile them synchronously on
// the main thread): wait, so that every tensor the panels make lives on the backend the page ends on.
await wasmReady;

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** Draws the graph as the lectures do: forward values in green above each edge, gradients in red below. */
function drawGraph(nodes: GraphNode[]): string {
  const col = layers(nodes);
  const rows = new Map<number, number>();
  const pos = nodes.map((_, k) => {
    const c = col[k]!;
    const r = rows.get(c) ?? 0;
    rows.set(c, r + 1);
    return { x: 60 + c * 150, y: 50 + r * 90 };
  });
  const w = 60 + (Math.max(...col) + 1) * 150;
  const h = 50 + Math.max(...rows.values()) * 90;
  const out: string[] = [];
  for (const n of nodes)
    for (const j of n.inputs) {
      const a = pos[j]!;
      const b = pos[n.id]!;
      out.push(
        `<line x1="${a.x + 24}" y1="${a.y}" x2="${b.x - 24}" y2="${b.y}" stroke="#666" marker-end="url(#arrow)"/>`,
      );
    }
  nodes.forEach((n, k) => {
    const p = pos[k]!;
    const leaf = n.inputs.length === 0;
    out.push(
      `<g class="node" data-label="${escapeXml(n.label)}" data-value="${n.value}" data-grad="${n.grad}">` +
        `<circle cx="${p.x}" cy="${p.y}" r="24" fill="${leaf ? '#eef' : '#fff'}" stroke="#333"/>` +
        `<text x="${p.x}" y="${p.y + 5}" text-anchor="middle" font-size="15">${escapeXml(n.label)}</text>` +
        `<text x="${p.x + 28}" y="${p.y - 14}" fill="#080" font-size="13">${fmt(n.value)}</text>` +
        `<text x="${p.x + 28}" y="${p.y + 26}" fill="#c00" font-size="13">${fmt(n.grad)}</text></g>`,
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w + 60}" height="${h}" role="img" aria-label="computation graph">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>${out.join('')}</svg>`
  );
}

function graphPanel(): void {
  const expr = $<HTMLInputElement>('graph-expr');
  const inputs = VARIABLES.map((v) => $<HTMLInputElement>(`graph-${v}`));
  const params = hashParams();
  if (params.has('expr')) expr.value = params.get('expr')!;
  VARIABLES.forEach((v, k) => {
    if (params.has(v)) inputs[k]!.value = params.get(v)!;
  });
  const update = () => {
    const at = Object.fromEntries(VARIABLES.map((v, k) => [v, Number(inputs[k]!.value)]));
    const error = $('graph-error');
    try {
      const nodes = buildGraph(expr.value, at);
      const grads = $('graph-grads');
      grads.innerHTML = VARIABLES.map((v) => {
        const n = nodes.find((m) => m.label === v && m.inputs.length === 0);
        return `<li data-var="${v}">df/d${v} = <output>${n ? fmt(n.grad) : '0'}</output></li>`;
      }).join('');
      $('graph-value').textContent = `f = ${fmt(nodes[nodes.length - 1]!.value)}`;
      $('graph-svg').innerHTML = drawGraph(nodes);
      error.textContent = '';
    } catch (e) {
      // A bad formula leaves the last good graph in place and says why, in the page.
      error.textContent = e instanceof FormulaError || e instanceof Error ? e.message : String(e);
    }
    const state = hashParams();
    state.set('expr', expr.value);
    VARIABLES.forEach((v, k) => state.set(v, inputs[k]!.value));
    history.replaceState(null, '', `#${state}`);
  };
  for (const el of [expr, ...inputs]) el.addEventListener('input', update);
  update();
}

function hashParams(): URLSearchParams {
  return new URLSearchParams(location.hash.slice(1));
}

function racePanel(): void {
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

  const run = () => {
    cancelAnimationFrame(anim);
    panel.dataset.done = 'false';
    read();
    write();
    const state = hashParams();
    state.set('race', JSON.stringify(settings));
    history.replaceState(null, '', `#${state}`);
    let fn: ReturnType<typeof surfaceOf>;
    let results: ReturnType<typeof race>;
    try {
      fn = surfaceOf(settings);
      if (settings.start) fn.start = settings.start;
      performance.mark('race-start');
      // Two-element tensors: plain JS beats a crossing into WebAssembly per op (1.1 s -> well under).
      const surface = fn;
      results = withBackend('js', () => race(settings, surface));
      performance.mark('race-computed');
      error.textContent = '';
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      panel.dataset.done = 'error';
      return;
    }
    const img = contourImage(fn, ctx);
    const { toPx } = frame(fn);
    const total = Math.max(...results.map((r) => r.path.length - 1), 0);
    // The race is computed already: its table is filled now, and the drawing replays it in a fixed time
    // (RACE_REPLAY_MS), however many steps and however slow the frames (other panels share the thread).
    fillRaceTable(results, settings.steps);
    performance.mark('race-table');
    const start = performance.now();
    let shown = 0;
    const draw = () => {
      shown = Math.min(total, Math.floor((total * (performance.now() - start)) / RACE_REPLAY_MS));
      ctx.putImageData(img, 0, 0);
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
        r.path.slice(0, shown + 1).forEach(([x, y], k) => {
          const [px, py] = toPx(x, y);
          if (k === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        });
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
      run();
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
      run();
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
    run();
  });
  for (const el of [kappa, formula, steps]) el.addEventListener('change', run);
  table.addEventListener('change', run);
  $('race-run').addEventListener('click', run);
  run();
}

const CLASS_COLORS: [number, number, number][] = [
  [228, 26, 28],
  [55, 126, 184],
  [77, 175, 74],
  [152, 78, 163],
];

/** A small log-scale line chart of several series. */
function seriesChart(series: { name: string; values: number[]; color: string }[], label: string): string {
  const w = 360;
  const h = 180;
  const all = series.flatMap((s) => s.values).filter((v) => v > 0 && Number.isFinite(v));
  if (!all.length) return '';
  const lo = Math.log10(Math.min(...all));
  const hi = Math.log10(Math.max(...all)) + 1e-9;
  const n = Math.max(...series.map((s) => s.values.length), 2);
  const lines = series.map((s) => {
    const pts = s.values
      .map((v, k) => {
        const y = 10 + (1 - (Math.log10(Math.max(v, 1e-30)) - lo) / (hi - lo || 1)) * (h - 40);
        return `${(45 + (k / (n - 1)) * (w - 55)).toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
    return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"><title>${s.name}</title></polyline>`;
  });
  const legend = series
    .map((s, k) => `<text x="${50 + k * 70}" y="${h - 4}" font-size="11" fill="${s.color}">${s.name}</text>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${label}">` +
    `<rect x="45" y="10" width="${w - 55}" height="${h - 40}" fill="none" stroke="#ccc"/>` +
    `<text x="2" y="18" font-size="10">${Math.pow(10, hi).toPrecision(2)}</text>` +
    `<text x="2" y="${h - 30}" font-size="10">${Math.pow(10, lo).toPrecision(2)}</text>` +
    `<text x="${w / 2}" y="${h - 18}" font-size="11" text-anchor="middle">${label}</text>${lines.join('')}${legend}</svg>`
  );
}

function netPanel(): void {
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

function linearPanel(): void {
  const demo = new LinearDemo();
  const SIDE = 360;
  const R = 1.2; // the plot shows [-R, R]²
  const toPx = (x: number, y: number): [number, number] => [
    ((x + R) / (2 * R)) * SIDE,
    ((R - y) / (2 * R)) * SIDE,
  ];
  const fromPx = (px: number, py: number): [number, number] => [
    (px / SIDE) * 2 * R - R,
    R - (py / SIDE) * 2 * R,
  ];
  const canvas = $<HTMLCanvasElement>('lin-canvas');
  canvas.width = canvas.height = SIDE;
  const ctx = canvas.getContext('2d')!;
  const wInputs = $('lin-weights');
  wInputs.innerHTML =
    '<tr><th>class</th><th>W[c,0]</th><th>W[c,1]</th><th>b[c]</th></tr>' +
    demo.W.map(
      (_, c) =>
        `<tr><td style="color:rgb(${CLASS_COLORS[c]!.join(',')})">${c}</td>` +
        [0, 1]
          .map(
            (k) =>
              `<td><input type="number" step="any" data-c="${c}" data-k="${k}" aria-label="W[${c},${k}]"/></td>`,
          )
          .join('') +
        `<td><input type="number" step="any" data-c="${c}" data-k="b" aria-label="b[${c}]"/></td></tr>`,
    ).join('');
  const lossSel = $<HTMLSelectElement>('lin-loss');
  const reg = $<HTMLInputElement>('lin-reg');
  const step = $<HTMLInputElement>('lin-step');
  const writeParams = () => {
    for (const el of wInputs.querySelectorAll<HTMLInputElement>('input')) {
      const c = Number(el.dataset.c);
      const v = el.dataset.k === 'b' ? demo.b[c]! : demo.W[c]![Number(el.dataset.k)]!;
      el.value = String(Number(v.toPrecision(6)));
    }
  };
  const readParams = () => {
    for (const el of wInputs.querySelectorAll<HTMLInputElement>('input')) {
      const c = Number(el.dataset.c);
      const v = Number(el.value);
      if (!Number.isFinite(v)) continue;
      if (el.dataset.k === 'b') demo.b[c] = v;
      else demo.W[c]![Number(el.dataset.k)] = v;
    }
    demo.loss = lossSel.value as LinearLoss;
    demo.reg = Math.max(0, Number(reg.value) || 0);
    demo.step = Math.max(0, Number(step.value) || 0);
  };
  const draw = () => {
    const e = demo.evaluate();
    const img = ctx.createImageData(SIDE, SIDE);
    for (let py = 0; py < SIDE; py += 1)
      for (let px = 0; px < SIDE; px += 1) {
        const [x, y] = fromPx(px, py);
        let best = 0;
        let bestS = -Infinity;
        demo.W.forEach((w, c) => {
          const sc = w[0]! * x + w[1]! * y + demo.b[c]!;
          if (sc > bestS) [best, bestS] = [c, sc];
        });
        const col = CLASS_COLORS[best]!;
        img.data.set([col[0], col[1], col[2], 60], (py * SIDE + px) * 4);
      }
    ctx.putImageData(img, 0, 0);
    ctx.strokeStyle = '#999';
    ctx.beginPath();
    ctx.moveTo(SIDE / 2, 0);
    ctx.lineTo(SIDE / 2, SIDE);
    ctx.moveTo(0, SIDE / 2);
    ctx.lineTo(SIDE, SIDE / 2);
    ctx.stroke();
    demo.points.forEach(([x, y], k) => {
      const [px, py] = toPx(x, y);
      ctx.fillStyle = `rgb(${CLASS_COLORS[demo.labels[k]!]!.join(',')})`;
      ctx.strokeStyle = '#000';
      ctx.beginPath();
      ctx.arc(px, py, 7, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
    $('lin-table').innerHTML =
      '<tr><th>x</th><th>y</th><th>label</th><th>s0</th><th>s1</th><th>s2</th><th>loss</th></tr>' +
      demo.points
        .map(
          ([x, y], k) =>
            `<tr><td>${x.toFixed(2)}</td><td>${y.toFixed(2)}</td><td>${demo.labels[k]}</td>` +
            e.scores[k]!.map((v) => `<td>${v.toFixed(2)}</td>`).join('') +
            `<td>${e.perPoint[k]!.toFixed(2)}</td></tr>`,
        )
        .join('');
    const total = $('lin-total');
    total.dataset.loss = String(e.total);
    total.textContent = `data loss ${e.dataLoss.toFixed(4)} + regularization ${e.regLoss.toFixed(4)} = total ${e.total.toFixed(4)}`;
  };
  let dragging = -1;
  canvas.addEventListener('pointerdown', (ev) => {
    const r = canvas.getBoundingClientRect();
    const px = ((ev.clientX - r.left) * SIDE) / r.width;
    const py = ((ev.clientY - r.top) * SIDE) / r.height;
    dragging = demo.points.findIndex(([x, y]) => {
      const [qx, qy] = toPx(x, y);
      return Math.hypot(qx - px, qy - py) < 10;
    });
    if (dragging >= 0) canvas.setPointerCapture(ev.pointerId);
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (dragging < 0) return;
    const r = canvas.getBoundingClientRect();
    const [x, y] = fromPx(((ev.clientX - r.left) * SIDE) / r.width, ((ev.clientY - r.top) * SIDE) / r.height);
    demo.points[dragging] = [Math.max(-R, Math.min(R, x)), Math.max(-R, Math.min(R, y))];
    draw();
  });
  canvas.addEventListener('pointerup', () => (dragging = -1));
  // Keyboard: n / p pick the next / previous point (outlined), arrow keys move it by 0.05.
  let selected = 0;
  canvas.addEventListener('keydown', (ev) => {
    const dirs: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, 1],
      ArrowDown: [0, -1],
    };
    const n = demo.points.length;
    if (ev.key === 'n' || ev.key === 'p') selected = (selected + (ev.key === 'n' ? 1 : n - 1)) % n;
    else if (dirs[ev.key]) {
      const [dx, dy] = dirs[ev.key]!;
      const [x, y] = demo.points[selected]!;
      demo.points[selected] = [
        Math.max(-R, Math.min(R, x + 0.05 * dx)),
        Math.max(-R, Math.min(R, y + 0.05 * dy)),
      ];
    } else return;
    ev.preventDefault();
    draw();
    const [x, y] = toPx(...demo.points[selected]!);
    ctx.strokeStyle = '#000';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, 11, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.lineWidth = 1;
  });
  const stepOnce = () => {
    readParams();
    demo.update();
    writeParams();
    draw();
  };
  $('lin-single').addEventListener('click', stepOnce);
  let timer = 0;
  const repeat = $<HTMLButtonElement>('lin-repeat');
  repeat.addEventListener('click', () => {
    if (timer) {
      clearInterval(timer);
      timer = 0;
      repeat.textContent = 'Start repeated update';
    } else {
      timer = window.setInterval(stepOnce, 50);
      repeat.textContent = 'Stop repeated update';
    }
  });
  for (const el of [wInputs, lossSel, reg, step])
    el.addEventListener('change', () => {
      readParams();
      draw();
    });
  writeParams();
  draw();
}

graphPanel();
racePanel();
linearPanel();
netPanel();
void wordsPanel();
const info = backendInfo();
$('backend').textContent = `${info.name}: ${info.name === 'wasm' ? info.wasm : info.reason}`;
document.body.dataset.backend = info.name;
document.body.dataset.ready = 'true';

// Offline once loaded: the service worker precaches the whole site on its first visit.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker
    .register('./sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(() => (document.body.dataset.offline = 'ready'))
    .catch((e: unknown) => ($('graph-error').textContent = `offline mode unavailable: ${String(e)}`));
}
