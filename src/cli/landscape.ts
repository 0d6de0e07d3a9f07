/** `descend landscape`: curvature at a point of a test function or of a trained checkpoint's loss. */
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../io/files.js';
import { checkOutputs } from './outputs.js';
import { dirname } from 'node:path';
import { noGrad } from '../autograd/mode.js';
import { Generator } from '../tensor/random.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../ops/composite/losses.js';
import {
  analyzeLandscape,
  hessianOperator,
  lanczos,
  lossSlice1d,
  lossSlice2d,
  randomDirection,
} from '../diagnostics/index.js';
import { loadCheckpoint, loadMnist, loadSafetensors, CheckpointError } from '../io/index.js';
import { contourPlot, htmlPage, htmlTable, lineChart } from '../plot/svg.js';
import { buildModel, type ModelConfig } from './models.js';
import { testFunction } from '../diagnostics/surfaces.js';
import { num, usage } from './errors.js';

export interface LandscapeCliOptions {
  function?: string;
  formula?: string;
  kappa?: string;
  point?: string;
  checkpoint?: string;
  samples: string;
  out: string;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v);
}

export function landscapeCommand(o: LandscapeCliOptions, log: (s: string) => void): void {
  if (!o.function && !o.checkpoint) {
    // Bare `descend landscape` (as the README runs it): the lectures' ravine, at its minimum.
    o = { ...o, function: 'rosenbrock' };
    log('no --function or --checkpoint: showing rosenbrock at its minimum (see --help)');
  }
  checkOutputs([['--out', o.out, 'file']]);
  let rows: [string, string][];
  let plots: string;
  if (o.checkpoint) {
    const { metadata } = loadSafetensors(o.checkpoint);
    if (!metadata.progress)
      throw new CheckpointError('loadCheckpoint', `'${o.checkpoint}' is not a descend training checkpoint`);
    const config = (JSON.parse(metadata.progress) as { config: ModelConfig }).config;
    const model = buildModel(config);
    loadCheckpoint(o.checkpoint, model);
    model.eval();
    const n = num('--samples', o.samples, { int: true, min: 10 });
    const data = loadMnist({ testSize: n });
    const x = config.dtype === 'float64' ? data.testX.to('float64') : data.testX;
    const params = model.parameters();
    const lossAt = () => crossEntropy(model.call(x) as Tensor, data.testY);
    const H = hessianOperator(lossAt, params);
    const g = new Generator(0);
    const top = lanczos(H, { k: 3, which: 'largest', maxIter: 60, tol: 1e-5, generator: g });
    const bottom = lanczos(H, { k: 1, which: 'smallest', maxIter: 60, tol: 1e-5, generator: g });
    const lmax = top.largest[0];
    const lmin = bottom.smallest[0];
    rows = [
      ['checkpoint', o.checkpoint],
      ['parameters', String(H.dim)],
      ['loss on test digits', `${fmt(H.loss)} (${n} digits)`],
      ['gradient norm', fmt(noGrad(() => H.gradient.norm().item()))],
      ['top eigenvalues', top.largest.map(fmt).join(', ')],
      ['smallest eigenvalue', fmt(lmin)],
      [
        'condition number',
        lmin > 0 ? fmt(lmax / lmin) : 'none: the smallest eigenvalue is not positive (not a minimum)',
      ],
      ['max stable GD lr (2 / lambda_max)', fmt(2 / lmax)],
      ['Hessian-vector products', String(H.matvecs)],
    ];
    const slice = (ps: Tensor[]) => {
      const saved = params.map((p) => p.detach().clone());
      noGrad(() => params.forEach((p, i) => p.copy_(ps[i])));
      const l = lossAt();
      noGrad(() => params.forEach((p, i) => p.copy_(saved[i])));
      return l;
    };
    const d1 = randomDirection(params, { filterNormalize: true, generator: g });
    const d2 = randomDirection(params, { filterNormalize: true, generator: g });
    const s1 = lossSlice1d(slice, params, d1, { steps: 25 });
    const s2 = lossSlice2d(slice, params, d1, d2, { steps: 13 });
    plots =
      lineChart([{ name: 'loss', x: s1.alphas, y: s1.losses }], {
        title: '1-D slice along a filter-normalized random direction',
        xLabel: 'alpha',
        yLabel: 'loss',
      }) +
      contourPlot(s2.alphas, s2.betas, s2.losses, [], {
        title: '2-D slice (two filter-normalized directions)',
        logScale: false,
        marks: [{ x: 0, y: 0, label: 'trained' }],
      });
  } else {
    const fn = testFunction(o.function!, {
      kappa: o.kappa ? num('--kappa', o.kappa, { min: 1 }) : undefined,
      formula: o.formula,
    });
    const pt = (o.point ?? fn.minima[0]?.join(',') ?? '0,0').split(',').map((v) => num('--point', v));
    if (pt.length !== 2) usage(`--point must be two numbers 'x,y', got '${o.point}'`);
    const p = tensor(pt, { dtype: 'float64' });
    const r = analyzeLandscape(fn.f, p);
    rows = [
      ['function', fn.name],
      ['point', pt.join(', ')],
      ['value', fmt(r.loss)],
      ['gradient norm', fmt(r.gradNorm)],
      ['eigenvalues of the Hessian', `${fmt(r.bottom[0])}, ${fmt(r.top[0])}`],
      ['condition number', fmt(r.conditionNumber)],
      ['max stable GD lr (2 / lambda_max)', fmt(r.maxStableLr)],
      ['kind of point', r.kind],
    ];
    const n = 70;
    const span = [(fn.xRange[1] - fn.xRange[0]) / 4, (fn.yRange[1] - fn.yRange[0]) / 4];
    const xs = Array.from({ length: n }, (_, i) => pt[0] - span[0] + (2 * span[0] * i) / (n - 1));
    const ys = Array.from({ length: n }, (_, j) => pt[1] - span[1] + (2 * span[1] * j) / (n - 1));
    const z = noGrad(() => xs.map((x) => ys.map((y) => fn.f(tensor([x, y], { dtype: 'float64' })).item())));
    const s1x = lossSlice1d(fn.f, p, tensor([1, 0], { dtype: 'float64' }), {
      from: -span[0],
      to: span[0],
      steps: 41,
    });
    const s1y = lossSlice1d(fn.f, p, tensor([0, 1], { dtype: 'float64' }), {
      from: -span[1],
      to: span[1],
      steps: 41,
    });
    plots =
      lineChart(
        [
          { name: 'along x', x: s1x.alphas, y: s1x.losses },
          { name: 'along y', x: s1y.alphas, y: s1y.losses, dashed: true },
        ],
        { title: '1-D slices through the point', xLabel: 'offset', yLabel: 'f' },
      ) +
      contourPlot(xs, ys, z, [], {
        title: '2-D neighbourhood',
        marks: [{ x: pt[0], y: pt[1], label: r.kind }],
      });
  }
  mkdirSync(dirname(o.out) || '.', { recursive: true });
  writeFileAtomic(
    o.out,
    htmlPage(
      'descend landscape',
      `${htmlTable(['quantity', 'value'], rows)}<h2>Slices</h2><div class="row">${plots}</div>`,
    ),
    'landscape',
  );
  const w = Math.max(...rows.map(([k]) => k.length));
  log(rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n'));
  log(`wrote ${o.out}`);
}
