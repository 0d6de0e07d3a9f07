/** Small SVG line charts and the class colours the panels draw with. */

export const CLASS_COLORS: [number, number, number][] = [
  [228, 26, 28],
  [55, 126, 184],
  [77, 175, 74],
  [152, 78, 163],
];

/** Powers of ten from 10^lo to 10^hi (exponents), thinned to at most `max` ticks. */
export function decadeTicks(lo: number, hi: number, max = 5): number[] {
  const a = Math.ceil(lo - 1e-9);
  const b = Math.floor(hi + 1e-9);
  const step = Math.max(1, Math.ceil((b - a + 1) / max));
  const out: number[] = [];
  for (let e = a; e <= b; e += step) out.push(e);
  return out;
}

/**
 * A small log-scale line chart of several series: decade ticks on the y axis, about one point per
 * pixel column, and a legend that wraps onto as many rows as the series need.
 */
export function seriesChart(
  series: { name: string; values: number[]; color: string }[],
  label: string,
): string {
  const w = 360;
  const plotH = 140;
  const legendGap = 44;
  const perRow = Math.max(1, Math.floor((w - 50) / legendGap));
  const rows = Math.ceil(series.length / perRow);
  const h = plotH + 30 + 14 * rows;
  const all = series.flatMap((s) => s.values).filter((v) => v > 0 && Number.isFinite(v));
  if (!all.length) return '';
  let lo = Math.log10(all.reduce((a, b) => Math.min(a, b)));
  let hi = Math.log10(all.reduce((a, b) => Math.max(a, b)));
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const n = Math.max(...series.map((s) => s.values.length), 2);
  const stride = Math.max(1, Math.floor(n / (w - 55)));
  const yOf = (e: number) => 10 + (1 - (e - lo) / (hi - lo)) * (plotH - 10);
  const lines = series.map((s) => {
    const pts: string[] = [];
    s.values.forEach((v, k) => {
      if (k % stride && k !== s.values.length - 1) return;
      pts.push(
        `${(45 + (k / (n - 1)) * (w - 55)).toFixed(1)},${yOf(Math.log10(Math.max(v, 1e-30))).toFixed(1)}`,
      );
    });
    return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts.join(' ')}"><title>${s.name}</title></polyline>`;
  });
  const ticks = decadeTicks(lo, hi)
    .map((e) => {
      const y = yOf(e).toFixed(1);
      return `<line x1="42" x2="45" y1="${y}" y2="${y}" stroke="#999"/><text x="40" y="${y}" dy="3" font-size="10" text-anchor="end">1e${e}</text>`;
    })
    .join('');
  const legend = series
    .map((s, k) => {
      const x = 50 + (k % perRow) * legendGap;
      const y = plotH + 30 + 14 * Math.floor(k / perRow);
      return `<text x="${x}" y="${y}" font-size="11" fill="${s.color}">${s.name}</text>`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${label}">` +
    `<rect x="45" y="10" width="${w - 55}" height="${plotH - 10}" fill="none" stroke="#ccc"/>${ticks}` +
    `<text x="${w / 2}" y="${plotH + 14}" font-size="11" text-anchor="middle">${label}</text>${lines.join('')}` +
    `<g class="legend">${legend}</g></svg>`
  );
}
