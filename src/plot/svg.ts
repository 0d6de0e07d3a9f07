/**
 * Small, dependency-free SVG charts for reports: line charts, contour plots with trajectories, heatmaps
 * (confusion matrices) and grayscale image grids. Each returns a self-contained <svg> string.
 */

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
];

/** A colour for series i. */
export function color(i: number): string {
  return PALETTE[i % PALETTE.length];
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * An axis's tick labels in one style: exponents for every tick when the axis's largest tick is below
 * 0.01 or from 10,000 up (1.5e-3, 1e-3, 5e-4, not 0.0015, 0.001, 5e-4), plain numbers otherwise.
 */
export function fmtTicks(ticks: readonly number[]): string[] {
  const big = Math.max(0, ...ticks.filter((v) => v !== 0).map(Math.abs));
  const exp = big >= 1e4 || (big > 0 && big < 1e-2);
  return ticks.map((v) => {
    if (v === 0) return '0';
    const r = Number(v.toPrecision(3));
    return exp ? r.toExponential().replace('e+', 'e') : String(r);
  });
}

/** Ticks for a log axis (exponents of ten): a tick per decade, with 2 and 5 between when few. */
function logTicks(lo: number, hi: number): { at: number[]; labels: string[] } {
  const decades = niceTicks(Math.ceil(lo), Math.floor(hi), 6)
    .map((t) => Math.round(t * 1e9) / 1e9)
    .filter((t) => Number.isInteger(t));
  if (decades.length >= 4) return { at: decades, labels: decades.map((t) => `1e${t}`) };
  const vals: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      const t = Math.log10(v);
      if (t >= lo - 1e-9 && t <= hi + 1e-9) vals.push(Number(v.toPrecision(12)));
    }
  // Narrower than a factor of 2 or so: linear ticks between the ends.
  const picked = vals.length >= 3 ? vals : niceTicks(10 ** lo, 10 ** hi).filter((v) => v > 0);
  return { at: picked.map(Math.log10), labels: fmtTicks(picked) };
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const span = hi - lo;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= n) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color?: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  logY?: boolean;
  yMin?: number;
  yMax?: number;
  /** Where the legend goes; 'auto' (default) takes the corner the curves cross least. */
  legend?: 'auto' | 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';
}

/**
 * A line chart of several series, with axes, ticks, a legend, and an optional log y axis. The 'auto'
 * legend takes the corner the curves cross least; when every corner would hide some of them, it moves
 * outside the plot, to its right, and the plot narrows.
 */
export function lineChart(series: readonly Series[], o: LineChartOptions = {}): string {
  const first = drawLineChart(series, o, 16);
  if (first.hidden === 0) return first.svg;
  const lw = legendWidth(series);
  return drawLineChart(series, o, 16 + lw + 14, lw).svg;
}

function legendWidth(series: readonly Series[]): number {
  return 36 + 6.5 * Math.max(...series.map((s) => s.name.length));
}

/** The chart with right margin `mr`; `outside` (the legend's width) puts the legend in that margin. */
function drawLineChart(
  series: readonly Series[],
  o: LineChartOptions,
  mr: number,
  outside?: number,
): { svg: string; hidden: number } {
  const W = o.width ?? 560;
  const H = o.height ?? 320;
  const m = { l: 62, r: mr, t: o.title ? 30 : 12, b: 44 };
  let hidden = 0;
  const tf = (v: number) => (o.logY ? Math.log10(Math.max(v, 1e-300)) : v);
  const pts = series
    .flatMap((s) => s.x.map((x, i) => [x, s.y[i]] as const))
    .filter(([, y]) => Number.isFinite(y) && (!o.logY || y > 0));
  let x0 = Math.min(...pts.map((p) => p[0]));
  let x1 = Math.max(...pts.map((p) => p[0]));
  let y0 = o.yMin ?? Math.min(...pts.map((p) => tf(p[1])));
  let y1 = o.yMax ?? Math.max(...pts.map((p) => tf(p[1])));
  if (!pts.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) {
    const d = Math.abs(y0) * 0.5 || 1;
    [y0, y1] = [y0 - d, y1 + d];
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fff" stroke="#ccc"/>`,
  );
  const xTicks = niceTicks(x0, x1);
  const xLabels = fmtTicks(xTicks);
  xTicks.forEach((t, i) => {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(
      `<text x="${sx(t)}" y="${H - m.b + 16}" font-size="11" text-anchor="middle" fill="#444">${xLabels[i]}</text>`,
    );
  });
  // A log axis spanning several decades gets a tick per decade; a narrower one 1-2-5 ticks.
  const lin = o.logY ? null : niceTicks(y0, y1);
  const { at: yTicks, labels: yLabels } = lin ? { at: lin, labels: fmtTicks(lin) } : logTicks(y0, y1);
  yTicks.forEach((t, i) => {
    const label = yLabels[i];
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${sy(t) + 4}" font-size="11" text-anchor="end" fill="#444">${label}</text>`,
    );
  });
  series.forEach((s, k) => {
    const c = s.color ?? color(k);
    const d = s.x
      .map((x, i) => [x, s.y[i]] as const)
      .filter(([, y]) => Number.isFinite(y) && (!o.logY || y > 0))
      .map(
        ([x, y], i) =>
          `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(Math.min(Math.max(tf(y), y0), y1)).toFixed(1)}`,
      )
      .join('');
    if (d)
      parts.push(
        `<path d="${d}" fill="none" stroke="${c}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
      );
  });
  if (o.legend !== 'none' && series.length) {
    // The legend's box in each corner; 'auto' picks the one covering the fewest points of the curves
    // (sampled along each segment), so it never hides the data a reader came for.
    const lw = legendWidth(series);
    const lh = 8 + 15 * series.length;
    const corners = {
      'top-right': [W - m.r - lw - 6, m.t + 4],
      'top-left': [m.l + 6, m.t + 4],
      'bottom-right': [W - m.r - lw - 6, H - m.b - lh - 4],
      'bottom-left': [m.l + 6, H - m.b - lh - 4],
    } as const;
    const screen = series.flatMap((s) => {
      const p = s.x
        .map((x, i) => [x, s.y[i]] as const)
        .filter(([, y]) => Number.isFinite(y) && (!o.logY || y > 0))
        .map(([x, y]) => [sx(x), sy(Math.min(Math.max(tf(y), y0), y1))] as const);
      return p.flatMap(([px, py], i) =>
        i === 0
          ? [[px, py] as const]
          : Array.from({ length: 8 }, (_, k) => {
              const t = (k + 1) / 8;
              return [p[i - 1][0] + t * (px - p[i - 1][0]), p[i - 1][1] + t * (py - p[i - 1][1])] as const;
            }),
      );
    });
    const covered = ([bx, by]: readonly [number, number]) =>
      screen.filter(([px, py]) => px >= bx - 2 && px <= bx + lw + 2 && py >= by - 2 && py <= by + lh + 2)
        .length;
    const pick =
      o.legend && o.legend !== 'auto'
        ? o.legend
        : (Object.keys(corners) as (keyof typeof corners)[]).reduce((best, k) =>
            covered(corners[k]) < covered(corners[best]) ? k : best,
          );
    if (!outside && (!o.legend || o.legend === 'auto')) hidden = covered(corners[pick]);
    const [bx, by] = outside ? [W - outside - 6, m.t + 4] : corners[pick];
    parts.push(
      `<rect class="legend" x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${lw.toFixed(1)}" height="${lh}" fill="#fff" fill-opacity="0.85" stroke="#ddd"/>`,
    );
    series.forEach((s, k) => {
      const y = by + 16 + k * 15;
      parts.push(
        `<line x1="${bx + 6}" x2="${bx + 26}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color ?? color(k)}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
      );
      parts.push(`<text x="${bx + 31}" y="${y}" font-size="11" fill="#222">${esc(s.name)}</text>`);
    });
  }
  if (o.title)
    parts.push(
      `<text x="${W / 2}" y="18" font-size="14" font-weight="600" text-anchor="middle">${esc(o.title)}</text>`,
    );
  if (o.xLabel)
    parts.push(
      `<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" font-size="12" text-anchor="middle" fill="#333">${esc(o.xLabel)}</text>`,
    );
  if (o.yLabel)
    parts.push(
      `<text x="14" y="${(m.t + H - m.b) / 2}" font-size="12" text-anchor="middle" fill="#333" transform="rotate(-90 14 ${(m.t + H - m.b) / 2})">${esc(o.yLabel)}</text>`,
    );
  return {
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`,
    hidden,
  };
}

/** Viridis-like colour ramp for t in [0, 1]. */
export function ramp(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const u = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(u), stops.length - 2);
  const f = u - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Line segments of the level set z = level on a grid (marching squares). */
function isoSegments(
  xs: readonly number[],
  ys: readonly number[],
  z: readonly (readonly number[])[],
  level: number,
): [number, number, number, number][] {
  const segs: [number, number, number, number][] = [];
  const lerp = (a: number, b: number, za: number, zb: number) => a + ((level - za) / (zb - za)) * (b - a);
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      const c = [z[i][j], z[i + 1][j], z[i + 1][j + 1], z[i][j + 1]];
      const p = [
        [xs[i], ys[j]],
        [xs[i + 1], ys[j]],
        [xs[i + 1], ys[j + 1]],
        [xs[i], ys[j + 1]],
      ];
      const cross: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const a = c[e];
        const b = c[(e + 1) % 4];
        if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
        if (a < level !== b < level) {
          const [pa, pb] = [p[e], p[(e + 1) % 4]];
          cross.push([lerp(pa[0], pb[0], a, b), lerp(pa[1], pb[1], a, b)]);
        }
      }
      if (cross.length >= 2) segs.push([cross[0][0], cross[0][1], cross[1][0], cross[1][1]]);
      if (cross.length === 4) segs.push([cross[2][0], cross[2][1], cross[3][0], cross[3][1]]);
    }
  }
  return segs;
}

export interface ContourOptions {
  title?: string;
  width?: number;
  height?: number;
  levels?: number;
  /** Colour by log(z - min + eps): good for valleys like Rosenbrock's (default true). */
  logScale?: boolean;
  /** Points to mark (e.g. the minimum), with labels. */
  marks?: { x: number; y: number; label: string }[];
}

/**
 * A filled contour plot of z[i][j] = f(xs[i], ys[j]) with optional trajectories (polylines with a dot at
 * each iterate) and a legend.
 */
export function contourPlot(
  xs: readonly number[],
  ys: readonly number[],
  z: readonly (readonly number[])[],
  paths: readonly { name: string; points: readonly (readonly [number, number])[]; color?: string }[] = [],
  o: ContourOptions = {},
): string {
  const W = o.width ?? 620;
  const H = o.height ?? 520;
  const m = { l: 50, r: 170, t: o.title ? 30 : 12, b: 36 };
  const [x0, x1, y0, y1] = [xs[0], xs[xs.length - 1], ys[0], ys[ys.length - 1]];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const flat = z.flat().filter(Number.isFinite);
  const zmin = Math.min(...flat);
  const zmax = Math.max(...flat);
  const useLog = o.logScale ?? true;
  const eps = (zmax - zmin) * 1e-6 + 1e-12;
  const tz = (v: number) => (useLog ? Math.log(v - zmin + eps) : v);
  const t0 = tz(zmin);
  const t1 = tz(zmax);
  const parts: string[] = [
    `<defs><clipPath id="plot"><rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}"/></clipPath></defs>`,
  ];
  const cw = (W - m.l - m.r) / (xs.length - 1);
  const ch = (H - m.t - m.b) / (ys.length - 1);
  const cells: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = 0; j < ys.length; j++) {
      const v = z[i][j];
      const fill = Number.isFinite(v) ? ramp((tz(v) - t0) / (t1 - t0 || 1)) : '#000';
      cells.push(
        `<rect x="${(sx(xs[i]) - cw / 2).toFixed(1)}" y="${(sy(ys[j]) - ch / 2).toFixed(1)}" width="${(cw + 0.6).toFixed(1)}" height="${(ch + 0.6).toFixed(1)}" fill="${fill}"/>`,
      );
    }
  }
  parts.push(`<g clip-path="url(#plot)" opacity="0.85">${cells.join('')}</g>`);
  const L = o.levels ?? 14;
  const lines: string[] = [];
  for (let k = 1; k < L; k++) {
    const tl = t0 + ((t1 - t0) * k) / L;
    const level = useLog ? Math.exp(tl) + zmin - eps : tl;
    for (const [a, b, c, d] of isoSegments(xs, ys, z, level)) {
      lines.push(`M${sx(a).toFixed(1)},${sy(b).toFixed(1)}L${sx(c).toFixed(1)},${sy(d).toFixed(1)}`);
    }
  }
  parts.push(
    `<path d="${lines.join('')}" stroke="#fff" stroke-opacity="0.55" stroke-width="0.8" fill="none" clip-path="url(#plot)"/>`,
  );
  paths.forEach((p, k) => {
    const c = p.color ?? color(k);
    const pts = p.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    parts.push(`<g clip-path="url(#plot)"><path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    const every = Math.max(1, Math.floor(pts.length / 60));
    pts.forEach(([x, y], i) => {
      if (i % every === 0 || i === pts.length - 1)
        parts.push(
          `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.2" fill="${c}" stroke="#fff" stroke-width="0.5"/>`,
        );
    });
    parts.push('</g>');
    const ly = m.t + 14 + k * 17;
    parts.push(
      `<rect x="${W - m.r + 12}" y="${ly - 9}" width="14" height="10" fill="${c}"/><text x="${W - m.r + 32}" y="${ly}" font-size="12">${esc(p.name)}</text>`,
    );
  });
  if (paths.length) {
    const [sx0, sy0] = paths[0].points[0];
    parts.push(`<circle cx="${sx(sx0)}" cy="${sy(sy0)}" r="5" fill="none" stroke="#fff" stroke-width="2"/>`);
  }
  for (const mk of o.marks ?? []) {
    parts.push(
      `<text x="${sx(mk.x)}" y="${sy(mk.y) + 5}" font-size="16" text-anchor="middle" fill="#fff" stroke="#000" stroke-width="0.5">★</text>`,
    );
    parts.push(
      `<text x="${sx(mk.x) + 9}" y="${sy(mk.y) - 7}" font-size="11" fill="#fff">${esc(mk.label)}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`,
  );
  const xt = niceTicks(x0, x1);
  fmtTicks(xt).forEach((label, i) =>
    parts.push(
      `<text x="${sx(xt[i])}" y="${H - m.b + 15}" font-size="11" text-anchor="middle">${label}</text>`,
    ),
  );
  const yt = niceTicks(y0, y1);
  fmtTicks(yt).forEach((label, i) =>
    parts.push(`<text x="${m.l - 6}" y="${sy(yt[i]) + 4}" font-size="11" text-anchor="end">${label}</text>`),
  );
  if (o.title)
    parts.push(
      `<text x="${(m.l + W - m.r) / 2}" y="18" font-size="14" font-weight="600" text-anchor="middle">${esc(o.title)}</text>`,
    );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

/** A labelled heatmap (e.g. a confusion matrix: rows true class, columns predicted). */
export function heatmap(
  values: readonly (readonly number[])[],
  o: { title?: string; rowLabel?: string; colLabel?: string; labels?: string[]; cell?: number } = {},
): string {
  const n = values.length;
  const mcols = values[0]?.length ?? 0;
  const cell = o.cell ?? 34;
  const m = { l: 56, t: o.title ? 52 : 30, r: 10, b: 10 };
  const W = m.l + mcols * cell + m.r;
  const H = m.t + n * cell + m.b;
  const max = Math.max(1, ...values.flat());
  const parts: string[] = [];
  values.forEach((row, i) =>
    row.forEach((v, j) => {
      const t = Math.sqrt(v / max);
      const fill =
        i === j
          ? `rgba(31,119,180,${0.15 + 0.85 * t})`
          : v > 0
            ? `rgba(214,39,40,${0.12 + 0.88 * t})`
            : '#fafafa';
      parts.push(
        `<rect x="${m.l + j * cell}" y="${m.t + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"/>`,
      );
      parts.push(
        `<text x="${m.l + j * cell + cell / 2}" y="${m.t + i * cell + cell / 2 + 4}" font-size="11" text-anchor="middle" fill="${t > 0.6 ? '#fff' : '#222'}">${v}</text>`,
      );
    }),
  );
  const labels = o.labels ?? values.map((_, i) => String(i));
  labels.forEach((l, i) => {
    parts.push(
      `<text x="${m.l - 6}" y="${m.t + i * cell + cell / 2 + 4}" font-size="11" text-anchor="end">${esc(l)}</text>`,
    );
    parts.push(
      `<text x="${m.l + i * cell + cell / 2}" y="${m.t - 6}" font-size="11" text-anchor="middle">${esc(l)}</text>`,
    );
  });
  if (o.colLabel)
    parts.push(
      `<text x="${m.l + (mcols * cell) / 2}" y="${m.t - 20}" font-size="12" text-anchor="middle" fill="#333">${esc(o.colLabel)}</text>`,
    );
  if (o.rowLabel)
    parts.push(
      `<text x="14" y="${m.t + (n * cell) / 2}" font-size="12" text-anchor="middle" fill="#333" transform="rotate(-90 14 ${m.t + (n * cell) / 2})">${esc(o.rowLabel)}</text>`,
    );
  if (o.title)
    parts.push(
      `<text x="${W / 2}" y="18" font-size="14" font-weight="600" text-anchor="middle">${esc(o.title)}</text>`,
    );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

/**
 * A grid of grayscale images (values in [0, 1], row-major side x side), each with a caption.
 * Pixels are drawn as merged horizontal runs of equal quantized gray.
 */
export function imageGrid(
  images: readonly { pixels: ArrayLike<number>; caption: string; captionColor?: string }[],
  o: { side?: number; scale?: number; columns?: number; title?: string } = {},
): string {
  const side = o.side ?? 28;
  const scale = o.scale ?? 3;
  const cols = o.columns ?? 8;
  const cw = side * scale + 14;
  const chh = side * scale + 30;
  const top = o.title ? 28 : 6;
  const rows = Math.ceil(images.length / cols);
  const W = cols * cw + 6;
  const H = top + rows * chh;
  const parts: string[] = [];
  images.forEach((img, k) => {
    const ox = 6 + (k % cols) * cw;
    const oy = top + Math.floor(k / cols) * chh;
    parts.push(`<rect x="${ox}" y="${oy}" width="${side * scale}" height="${side * scale}" fill="#000"/>`);
    for (let r = 0; r < side; r++) {
      let c = 0;
      while (c < side) {
        const q = Math.round(Math.min(Math.max(img.pixels[r * side + c], 0), 1) * 15);
        let e = c + 1;
        while (e < side && Math.round(Math.min(Math.max(img.pixels[r * side + e], 0), 1) * 15) === q) e++;
        if (q > 0) {
          const g = Math.round((q / 15) * 255);
          parts.push(
            `<rect x="${ox + c * scale}" y="${oy + r * scale}" width="${(e - c) * scale}" height="${scale}" fill="rgb(${g},${g},${g})"/>`,
          );
        }
        c = e;
      }
    }
    parts.push(
      `<text x="${ox + (side * scale) / 2}" y="${oy + side * scale + 15}" font-size="11" text-anchor="middle" fill="${img.captionColor ?? '#222'}">${esc(img.caption)}</text>`,
    );
  });
  if (o.title)
    parts.push(
      `<text x="${W / 2}" y="18" font-size="14" font-weight="600" text-anchor="middle">${esc(o.title)}</text>`,
    );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

/** A simple HTML table. */
export function htmlTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** A self-contained HTML page around report sections. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1240px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:14px;margin:16px 0 6px}
.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:4px 10px;text-align:right}th{background:#f4f4f4}
.note{color:#555;font-size:13px}
</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

/**
 * A scatter plot of labelled points (a 2-D map of embeddings): labels that would overlap are left out
 * (earlier points win); every point carries a <title> (hover) and a data-label attribute.
 */
export function labelledScatter(
  points: readonly (readonly [number, number])[],
  labels: readonly string[],
  o: { title?: string; width?: number; height?: number } = {},
): string {
  const W = o.width ?? 900;
  const H = o.height ?? 700;
  const pad = 24;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const sy = (y: number) => H - pad - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad - 16);
  // Labels are placed in the order given (most frequent first): each takes the first of four spots
  // around its point that overlaps no placed label, or is left to the point's hover title.
  const placed: [number, number, number, number][] = [];
  const free = (b: [number, number, number, number]) =>
    b[0] >= 0 &&
    b[2] <= W &&
    b[1] >= 16 &&
    b[3] <= H &&
    placed.every((q) => b[2] <= q[0] || b[0] >= q[2] || b[3] <= q[1] || b[1] >= q[3]);
  const parts = points.map(([x, y], i) => {
    const raw = labels[i] ?? '';
    const l = esc(raw);
    const [px, py] = [sx(x), sy(y)];
    const w = 5.2 * raw.length + 1;
    const spots: [number, number, 'start' | 'end'][] = [
      [px + 3, py - 2, 'start'],
      [px + 3, py + 9, 'start'],
      [px - 3, py - 2, 'end'],
      [px - 3, py + 9, 'end'],
    ];
    let text = '';
    for (const [tx, ty, anchor] of spots) {
      const box: [number, number, number, number] =
        anchor === 'start' ? [tx, ty - 8, tx + w, ty + 1] : [tx - w, ty - 8, tx, ty + 1];
      if (!free(box)) continue;
      placed.push(box);
      text = `<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" font-size="9" fill="#333"${anchor === 'end' ? ' text-anchor="end"' : ''}>${l}</text>`;
      break;
    }
    return `<g data-label="${l}"><title>${l}</title><circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2" fill="${color(0)}"/>${text}</g>`;
  });
  const title = o.title
    ? `<text x="${W / 2}" y="14" text-anchor="middle" font-size="13">${esc(o.title)}</text>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">${title}${parts.join('')}</svg>`;
}
