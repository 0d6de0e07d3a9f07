/** SVG charts: the legend sits where it hides no curve. */
import { describe, expect, it } from 'vitest';
import { fmtTicks, htmlPage, labelledScatter, lineChart } from '../src/plot/svg.js';
import { Generator } from '../src/index.js';

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

describe('lineChart with curves in every corner, and its ticks', () => {
  const steps = Array.from({ length: 200 }, (_, i) => i);
  // A race's losses: eleven curves, some flat at the top, some dropping to the bottom at once, some
  // falling across the plot (the race report's legend used to hide lbfgs's and newton's drop).
  const names = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'yogi', 'radam'];
  const series = [
    ...names.map((name, k) => ({ name, x: steps, y: steps.map((s) => 10 * Math.exp((-s * k) / 60)) })),
    { name: 'lbfgs', x: steps, y: steps.map((s) => (s < 30 ? 10 * Math.exp(-s / 2) : 1e-10)) },
    { name: 'newton', x: steps, y: steps.map((s) => (s < 20 ? 10 * Math.exp(-s) : 1e-12)) },
  ];

  it('moves the legend outside the plot when every corner would hide a curve', () => {
    const svg = lineChart(series, { logY: true, width: 760, height: 380 });
    const { box, pts } = parse(svg);
    const [bx, , bw] = box!;
    const plotRight = Math.max(...pts.map((p) => p[0]));
    expect(bx).toBeGreaterThan(plotRight);
    expect(bx + bw).toBeLessThanOrEqual(760);
  });

  it('labels an axis in one style and ticks a two-decade log axis more than twice', () => {
    expect(fmtTicks([0.0005, 0.001, 0.0015])).toEqual(['5e-4', '1e-3', '1.5e-3']);
    expect(fmtTicks([0, 0.005, 0.01, 0.015])).toEqual(['0', '0.005', '0.01', '0.015']);
    expect(fmtTicks([0, 20000, 40000])).toEqual(['0', '2e4', '4e4']);
    const lr = lineChart([{ name: 'lr', x: [1, 2, 3, 4], y: [0.0015, 0.001, 0.0007, 0.0005] }]);
    const labels = [...lr.matchAll(/text-anchor="end" fill="#444">([^<]+)</g)].map((m) => m[1]);
    expect(labels.every((l) => /e-\d$/.test(l))).toBe(true);
    const norms = lineChart([{ name: 'g', x: [1, 2, 3], y: [0.02, 0.3, 1.5] }], { logY: true });
    const logLabels = [...norms.matchAll(/text-anchor="end" fill="#444">([^<]+)</g)].map((m) => m[1]);
    expect(logLabels.length).toBeGreaterThanOrEqual(4);
    expect(logLabels).toContain('0.1');
  });
});

describe('labelledScatter', () => {
  it('leaves out labels that would overlap, keeping the earlier points', () => {
    const g = new Generator(0);
    // 300 points in a dense cluster and 3 far apart.
    const pts: [number, number][] = Array.from({ length: 300 }, () => [g.random() * 0.1, g.random() * 0.1]);
    pts.unshift([5, 5], [-5, 5], [5, -5]);
    const labels = pts.map((_, i) => `word${i}`);
    const svg = labelledScatter(pts, labels, { title: 'map' });
    expect((svg.match(/data-label=/g) ?? []).length).toBe(303);
    const boxes = [
      ...svg.matchAll(
        /<text x="([\d.]+)" y="([\d.]+)" font-size="9" fill="#333"( text-anchor="end")?>(\w+)</g,
      ),
    ].map((m) => {
      const [x, y, w] = [Number(m[1]), Number(m[2]), 5.2 * m[4].length + 1];
      return { name: m[4], box: m[3] ? [x - w, y - 8, x, y + 1] : [x, y - 8, x + w, y + 1] };
    });
    expect(boxes.slice(0, 3).map((b) => b.name)).toEqual(['word0', 'word1', 'word2']);
    expect(boxes.length).toBeLessThan(303);
    for (let i = 0; i < boxes.length; i++)
      for (let j = 0; j < i; j++) {
        const [a, b] = [boxes[i].box, boxes[j].box];
        const overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
        expect(overlap, `${boxes[i].name} / ${boxes[j].name}`).toBe(false);
      }
  });
});

describe('htmlPage', () => {
  it('sizes its headings in order (an h3 was larger than an h2)', () => {
    const css = htmlPage('t', '');
    const size = (tag: string) => Number(new RegExp(`${tag}\\{font-size:(\\d+)px`).exec(css)?.[1]);
    expect(size('h1')).toBeGreaterThan(size('h2'));
    expect(size('h2')).toBeGreaterThan(size('h3'));
  });
});
