/** SVG charts: the legend sits where it hides no curve. */
import { describe, expect, it } from 'vitest';
import { lineChart } from '../src/plot/svg.js';

/** The legend's box and every vertex of every path, from the SVG text. */
function parse(svg: string) {
  const m = /class="legend" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  const box = m ? m.slice(1).map(Number) : null;
  const pts = [...svg.matchAll(/<path d="([^"]+)"/g)].flatMap((p) =>
    [...p[1].matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((q) => [Number(q[1]), Number(q[2])]),
  );
  return { box, pts };
}

/** Points along each segment, as the reader sees the lines. */
function along(pts: number[][]): number[][] {
  return pts.flatMap((p, i) =>
    i === 0
      ? [p]
      : Array.from({ length: 20 }, (_, k) =>
          [0, 1].map((d) => pts[i - 1][d] + ((k + 1) / 20) * (p[d] - pts[i - 1][d])),
        ),
  );
}

describe('lineChart legend', () => {
  const epochs = Array.from({ length: 15 }, (_, i) => i + 1);
  const rising = (top: number) => epochs.map((e) => top - (top - 10) * Math.exp(-e / 2));

  it('rising accuracy curves (the old legend covered them top right): the legend covers no curve', () => {
    const svg = lineChart(
      [
        { name: 'train', x: epochs, y: rising(99) },
        { name: 'test', x: epochs, y: rising(97), dashed: true },
      ],
      { title: 'Accuracy', xLabel: 'epoch', yLabel: '%' },
    );
    const { box, pts } = parse(svg);
    expect(box).not.toBeNull();
    const [bx, by, bw, bh] = box!;
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((p) =>
      [...p[1].matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((q) => [Number(q[1]), Number(q[2])]),
    );
    expect(pts.length).toBe(30);
    const inside = paths
      .flatMap(along)
      .filter(([x, y]) => x >= bx && x <= bx + bw && y >= by && y <= by + bh);
    expect(inside).toEqual([]);
    // The top right corner is where the curves end: the legend is not there.
    expect(bx > 300 && by < 100).toBe(false);
  });

  it('falling loss curves keep the legend clear too, and the placement can be forced or turned off', () => {
    const loss = epochs.map((e) => 2.3 * Math.exp(-e / 3));
    const svg = lineChart([{ name: 'train', x: epochs, y: loss }]);
    const { box } = parse(svg);
    const [bx, by, bw, bh] = box!;
    const line = along(parse(svg).pts);
    expect(line.filter(([x, y]) => x >= bx && x <= bx + bw && y >= by && y <= by + bh)).toEqual([]);
    const forced = parse(lineChart([{ name: 'train', x: epochs, y: loss }], { legend: 'bottom-left' })).box!;
    expect(forced[0]).toBeLessThan(100);
    expect(forced[1]).toBeGreaterThan(200);
    expect(parse(lineChart([{ name: 'train', x: epochs, y: loss }], { legend: 'none' })).box).toBeNull();
  });
});
