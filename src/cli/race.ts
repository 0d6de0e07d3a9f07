/** `descend race`: optimizers side by side from one start on a 2-D test function. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import { checkOutputs } from './outputs.js';
import { contourPlot, htmlPage, htmlTable, lineChart } from '../plot/svg.js';
import { noGrad } from '../autograd/mode.js';
import { tensor } from '../tensor/creation.js';
import { type RaceResult, runRace } from '../diagnostics/race.js';
import { type TestFunction, testFunction } from '../diagnostics/surfaces.js';
import { num, usage } from './errors.js';

/** The race page: contour plot with every trajectory, loss curves, and steps to tolerance. */
export function raceReport(
  fn: TestFunction,
  results: RaceResult[],
  opts: { tol: number; steps: number },
): { html: string; contour: string } {
  const n = 90;
  const xs = Array.from(
    { length: n },
    (_, i) => fn.xRange[0] + ((fn.xRange[1] - fn.xRange[0]) * i) / (n - 1),
  );
  const ys = Array.from(
    { length: n },
    (_, j) => fn.yRange[0] + ((fn.yRange[1] - fn.yRange[0]) * j) / (n - 1),
  );
  const z = noGrad(() => xs.map((x) => ys.map((y) => fn.f(tensor([x, y], { dtype: 'float64' })).item())));
  const contour = contourPlot(
    xs,
    ys,
    z,
    results.map((r) => ({ name: r.name, points: r.path })),
    {
      title: `${fn.name}: trajectories from (${fn.start.join(', ')})`,
      marks: fn.minima.map(([x, y]) => ({ x, y, label: 'min' })),
      width: 760,
      height: 600,
    },
  );
  const curves = lineChart(
    results.map((r) => ({
      name: r.name,
      x: r.losses.map((_, i) => i),
      y: r.losses.map((l) => Math.max(l - (fn.fMin ?? 0), 1e-16)),
    })),
    {
      title: 'loss (minus the minimum) per step',
      xLabel: 'step',
      yLabel: 'f - f*',
      logY: fn.fMin !== undefined,
      width: 760,
      height: 380,
    },
  );
  const table = htmlTable(
    ['optimizer', 'final f', `steps to f - f* <= ${opts.tol}`, 'final point'],
    results.map((r) => [
      r.name,
      fixedExp(r.losses[r.losses.length - 1]),
      r.stepsToTol === null ? `not within ${opts.steps}` : r.stepsToTol,
      r.path[r.path.length - 1].map((v) => v.toFixed(4)).join(', '),
    ]),
  );
  const html = htmlPage(
    `descend race: ${fn.name}`,
    `<div class="row">${contour}</div><h2>Convergence</h2><div class="row">${curves}${table}</div>`,
  );
  return { html, contour };
}

export interface RaceCliOptions {
  function: string;
  optimizers: string;
  steps: string;
  tol: string;
  start?: string;
  kappa?: string;
  formula?: string;
  lr?: string[];
  out: string;
}

/** x as d.ddde±XX: every value the same width, so a column of them lines up. */
export function fixedExp(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x.toExponential(3).replace(/e([+-])(\d)$/, 'e$10$2');
}

export function raceCommand(o: RaceCliOptions, log: (s: string) => void): void {
  const svg = o.out.replace(/\.html?$/, '') + '.svg';
  checkOutputs([
    ['--out', o.out, 'file'],
    ['--out', svg, 'file'],
  ]);
  const fn = testFunction(o.function, {
    kappa: o.kappa ? num('--kappa', o.kappa, { min: 1 }) : undefined,
    formula: o.formula,
  });
  if (o.start) {
    const s = o.start.split(',').map((v) => num('--start', v));
    if (s.length !== 2) usage(`--start must be two numbers 'x,y', got '${o.start}'`);
    fn.start = [s[0], s[1]];
  }
  const names = o.optimizers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) usage('--optimizers needs at least one name');
  const lrs: Record<string, number> = {};
  for (const spec of o.lr ?? []) {
    const [k, v] = spec.split('=');
    if (!k || v === undefined) usage(`--lr must look like name=value, got '${spec}'`);
    lrs[k] = num(`--lr ${k}`, v, { min: 0 });
  }
  const steps = num('--steps', o.steps, { int: true, min: 1, max: 100000 });
  const tol = num('--tol', o.tol, { min: 0 });
  const results = runRace(fn, names, { steps, tol, lrs });
  const { html, contour } = raceReport(fn, results, { tol, steps });
  mkdirSync(dirname(o.out) || '.', { recursive: true });
  writeFileAtomic(o.out, html, 'race');
  writeFileAtomic(svg, contour, 'race');
  const tolText = tol > 0 && tol < 1e-3 ? tol.toExponential() : String(tol);
  log(`race on ${fn.name} from (${fn.start.join(', ')}), ${steps} steps, tolerance ${tolText}`);
  const header = `  ${'optimizer'.padEnd(10)}  ${'final f'.padStart(10)}  steps to f - f* <= ${tolText}`;
  log(header);
  for (const r of results) {
    const f = fixedExp(r.losses[r.losses.length - 1]);
    log(`  ${r.name.padEnd(10)}  ${f.padStart(10)}  ${r.stepsToTol ?? `not within ${steps}`}`);
  }
  log(`wrote ${o.out} and ${o.out.replace(/\.html?$/, '')}.svg`);
}
