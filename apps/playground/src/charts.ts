/** Small SVG line charts and the class colours the panels draw with. */

export const CLASS_COLORS: [number, number, number][] = [
  [228, 26, 28],
  [55, 126, 184],
  [77, 175, 74],
  [152, 78, 163],
];

/** A small log-scale line chart of several series. */
export function seriesChart(
  series: { name: string; values: number[]; color: string }[],
  label: string,
): string {
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
