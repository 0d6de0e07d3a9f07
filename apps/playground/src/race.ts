/**
 * The optimizer-race panel: a 2-D surface as a contour image, optimizers started from a clicked point,
 * trajectories animated step by step, a loss-per-step chart, and the Hessian's eigenvalues on demand.
 * Paths are computed up front by descend's `runRace` (cheap in 2-D); the animation only reveals them.
 */
import * as d from 'descend';
import {
  FUNCTION_NAMES,
  hessian,
  RACE_OPTIMIZERS,
  runRace,
  testFunction,
  type RaceResult,
  type TestFunction,
} from 'descend/diagnostics';

export const RACERS = [
  'sgd',
  'momentum',
  'nesterov',
  'adagrad',
  'rmsprop',
  'adam',
  'yogi',
  'radam',
  'lbfgs',
  'newton',
];
export const COLORS = [
  '#e41a1c',
  '#377eb8',
  '#4daf4a',
  '#984ea3',
  '#ff7f00',
  '#a65628',
  '#f781bf',
  '#17becf',
  '#111',
  '#bcbd22',
];
const SIZE = 440;

export type RaceSettings = {
  surface: string;
  kappa: number;
  formula: string;
  start: [number, number] | null;
  steps: number;
  racers: Record<
    string,
    { on: boolean; lr: number; momentum?: number; beta1?: number; beta2?: number; eps?: number }
  >;
};

export function defaultSettings(): RaceSettings {
  const racers: RaceSettings['racers'] = {};
  for (const r of RACERS) {
    racers[r] = { on: ['momentum', 'adam', 'rmsprop', 'newton'].includes(r), lr: RACE_OPTIMIZERS[r]!.lr };
    if (r === 'momentum' || r === 'nesterov') racers[r]!.momentum = 0.9;
    if (['adam', 'yogi', 'radam'].includes(r))
      Object.assign(racers[r]!, { beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  }
  return {
    surface: 'rosenbrock',
    kappa: 10,
    formula: 'x^2 + 3*y^2 + sin(3*x)',
    start: null,
    steps: 300,
    racers,
  };
}

export function surfaceOf(s: RaceSettings): TestFunction {
  return testFunction(s.surface, { kappa: s.kappa, formula: s.formula });
}

/** The optimizer options the settings ask for, in the class's own names. */
export function optionsOf(s: RaceSettings): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, r] of Object.entries(s.racers)) {
    const o: Record<string, unknown> = {};
    if (r.momentum !== undefined) o.momentum = r.momentum;
    if (r.beta1 !== undefined && r.beta2 !== undefined) o.betas = [r.beta1, r.beta2];
    if (r.eps !== undefined) o.eps = r.eps;
    out[name] = o;
  }
  return out;
}

/** Runs the chosen optimizers one after another; `onRacer(k, n)` after each (a progress bar's hook). */
export function race(
  s: RaceSettings,
  fn: TestFunction,
  onRacer?: (done: number, total: number) => void,
): RaceResult[] {
  const names = RACERS.filter((r) => s.racers[r]!.on);
  const lrs = Object.fromEntries(names.map((r) => [r, s.racers[r]!.lr]));
  const options = optionsOf(s);
  return names.map((name, k) => {
    const [r] = runRace(fn, [name], { steps: s.steps, tol: 1e-6, lrs, options });
    onRacer?.(k + 1, names.length);
    return r!;
  });
}

/** Maps plot coordinates to canvas pixels and back. */
export function frame(fn: TestFunction) {
  const [x0, x1] = fn.xRange;
  const [y0, y1] = fn.yRange;
  return {
    toPx: (x: number, y: number): [number, number] => [
      ((x - x0) / (x1 - x0)) * SIZE,
      ((y1 - y) / (y1 - y0)) * SIZE,
    ],
    fromPx: (px: number, py: number): [number, number] => [
      x0 + (px / SIZE) * (x1 - x0),
      y1 - (py / SIZE) * (y1 - y0),
    ],
  };
}

/** The contour's grid: CONTOUR_N × CONTOUR_N cells. */
export const CONTOUR_N = 110;

/** f on an n×n grid, vectorized: the surfaces index p[0] and p[1], so p may be [2, N]. */
export function grid(fn: TestFunction, n: number = CONTOUR_N): Float64Array {
  const xs: number[] = [];
  const ys: number[] = [];
  const { fromPx } = frame(fn);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const [x, y] = fromPx(((i + 0.5) * SIZE) / n, ((j + 0.5) * SIZE) / n);
      xs.push(x);
      ys.push(y);
    }
  return d.noGrad(() => Float64Array.from(fn.f(d.tensor([xs, ys], { dtype: 'float64' })).dataSync()));
}

function viridis(t: number): [number, number, number] {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const u = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const k = Math.floor(u);
  const f = u - k;
  const a = stops[k]!;
  const b = stops[k + 1]!;
  return [0, 1, 2].map((c) => a[c]! + f * (b[c]! - a[c]!)) as [number, number, number];
}

/**
 * The contour image (log-scaled heights, with level bands) of f on the grid (`grid`, computed in the
 * worker) at one pixel per cell: the panel scales it with drawImage, next to nothing per frame.
 */
export function contourCanvas(v: Float64Array): HTMLCanvasElement {
  const n = Math.round(Math.sqrt(v.length));
  let lo = Infinity;
  let hi = -Infinity;
  for (const z of v)
    if (Number.isFinite(z)) {
      lo = Math.min(lo, z);
      hi = Math.max(hi, z);
    }
  const scale = (z: number) => Math.log1p((z - lo) / ((hi - lo) * 1e-3 + 1e-12)) / Math.log1p(1e3);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = n;
  const c = canvas.getContext('2d')!;
  const img = c.createImageData(n, n);
  v.forEach((z, k) => {
    const t = Number.isFinite(z) ? scale(z) : 1;
    const band = Math.abs(((t * 14) % 1) - 0.5) < 0.04 ? 0.75 : 1; // level lines
    const [r, g, b] = viridis(t);
    img.data.set([r * band, g * band, b * band, 255], 4 * k);
  });
  c.putImageData(img, 0, 0);
  return canvas;
}

/** A race result as the worker sends it: the path as flat x, y pairs (cheap to pass between threads). */
export interface RaceTrack {
  name: string;
  /** x0, y0, x1, y1, ... */
  path: Float64Array;
  losses: Float64Array;
  stepsToTol: number | null;
}

/** Results in the form the worker posts. */
export function toTracks(results: RaceResult[]): RaceTrack[] {
  return results.map((r) => ({
    name: r.name,
    path: Float64Array.from(r.path.flat()),
    losses: Float64Array.from(r.losses),
    stepsToTol: r.stepsToTol,
  }));
}

/** The Hessian's eigenvalues at a point, its condition number and GD's stability bound 2/λmax. */
export function curvatureAt(fn: TestFunction, at: [number, number]) {
  const H = hessian(fn.f)(d.tensor(at, { dtype: 'float64' }));
  const eig = Array.from(d.eigvalsh(H).dataSync());
  const lmax = Math.max(...eig);
  const lmin = Math.min(...eig);
  return {
    eig,
    condition: lmin > 0 ? lmax / lmin : Infinity,
    bound: lmax > 0 ? 2 / lmax : Infinity,
    kind:
      lmin > 0
        ? 'a minimum-like point (H positive definite)'
        : lmax < 0
          ? 'a maximum-like point'
          : lmin < 0 && lmax > 0
            ? 'a saddle (H indefinite)'
            : 'a flat direction (H singular)',
  };
}

/** The loss-per-step chart, log scale. */
export function lossChart(results: RaceTrack[], upTo: number, fMin: number): string {
  const w = 440;
  const h = 260;
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const r of results)
    for (const l of r.losses) {
      const v = Math.max(l - fMin, 1e-16);
      if (v < vmin) vmin = v;
      if (v > vmax) vmax = v;
    }
  const lo = Math.log10(Math.max(1e-16, vmin));
  const hi = Math.log10(vmax) + 1e-9;
  const steps = Math.max(1, ...results.map((r) => r.losses.length - 1));
  const lines = results.map((r) => {
    // About one point per pixel column: a 5,000-step race stays a light redraw per frame.
    const stride = Math.max(1, Math.floor(steps / (w - 50)));
    const parts: string[] = [];
    const last = Math.min(upTo, r.losses.length - 1);
    for (let s = 0; s <= last; s++) {
      if (s % stride && s !== last) continue;
      const y = (1 - (Math.log10(Math.max(r.losses[s]! - fMin, 1e-16)) - lo) / (hi - lo)) * (h - 30) + 10;
      parts.push(`${(40 + (s / steps) * (w - 50)).toFixed(1)},${y.toFixed(1)}`);
    }
    const pts = parts.join(' ');
    return `<polyline fill="none" stroke="${COLORS[RACERS.indexOf(r.name)]}" stroke-width="1.5" points="${pts}"/>`;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="loss per step, log scale">` +
    `<rect x="40" y="10" width="${w - 50}" height="${h - 30}" fill="none" stroke="#ccc"/>` +
    `<text x="2" y="18" font-size="11">1e${Math.round(hi)}</text><text x="2" y="${h - 20}" font-size="11">1e${Math.round(lo)}</text>` +
    `<text x="${w / 2}" y="${h - 4}" font-size="11" text-anchor="middle">step (of ${steps}) · f − f* on a log scale</text>` +
    `${lines.join('')}</svg>`
  );
}

export { FUNCTION_NAMES, SIZE };
