/** `descend train`'s HTML report: loss, accuracy, learning-rate and gradient-norm charts, confusion, mistakes. */
import type { Tensor } from '../tensor/tensor.js';
import * as nn from '../nn/index.js';
import { type History } from '../train/index.js';
import { htmlPage, htmlTable, heatmap, imageGrid, lineChart } from '../plot/svg.js';
import { backendInfo } from '../backends/registry.js';
import type { RunConfig } from './train-config.js';
import type { evaluate } from './evaluate.js';

/** The backend that ran, in words: 'native (OpenBLAS ...)', 'wasm (SIMD, 2 threads)' or 'js'. */
export function backendLine(): string {
  const info = backendInfo();
  const detail = info.name === 'native' ? info.native : info.name === 'wasm' ? info.wasm : info.reason;
  return `${info.name}: ${detail.replace(/^loaded \((.*)\)$/, '$1')}`;
}

/**
 * A weight's name for people: 'layer 1: Linear 784→256' rather than '0.weight' (the module's type and
 * its input→output sizes, counted from 1 in the order of the model).
 */
export function layerLabel(model: nn.Module, name: string, p: Tensor): string {
  const path = name.slice(0, -'.weight'.length);
  const modules = [...model.namedModules()].filter(
    ([, m]) => m.parameters().length && ![...m.namedChildren()].length,
  );
  const k = modules.findIndex(([n]) => n === path);
  const type = modules[k]?.[1].constructor.name ?? 'layer';
  const [out, inp, ...kernel] = p.shape;
  const size = `${inp}→${out}${kernel.length ? ` ${kernel.join('x')}` : ''}`;
  return `layer ${k + 1}: ${type} ${size}`;
}

export function buildReport(
  c: RunConfig,
  model: nn.Module,
  h: History,
  rec: { lrs: number[]; gradNorms: Record<string, number[]>; gradSteps: number[] },
  ev: ReturnType<typeof evaluate>,
  trainAcc: number,
  testX: Tensor,
  seconds: number,
  stopReason?: string,
): string {
  const ep = h.epochs.map((e) => e.epoch);
  const lossChart = lineChart(
    [
      { name: 'train', x: ep, y: h.epochs.map((e) => e.loss) },
      { name: 'test', x: ep, y: h.epochs.map((e) => e.valLoss ?? NaN), dashed: true },
    ],
    { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy' },
  );
  const accChart = lineChart(
    [
      { name: 'train', x: ep, y: h.epochs.map((e) => 100 * (e.metrics.accuracy ?? NaN)) },
      { name: 'test', x: ep, y: h.epochs.map((e) => 100 * (e.valMetrics?.accuracy ?? NaN)), dashed: true },
    ],
    { title: 'Accuracy', xLabel: 'epoch', yLabel: '%' },
  );
  const lrChart = lineChart([{ name: 'lr', x: rec.lrs.map((_, i) => i + 1), y: rec.lrs }], {
    title: 'Learning rate',
    xLabel: 'step',
    yLabel: 'lr',
  });
  const gradChart = lineChart(
    Object.entries(rec.gradNorms).map(([name, v]) => ({ name, x: rec.gradSteps, y: v })),
    { title: 'Gradient norm per layer', xLabel: 'step', yLabel: '||grad W||', logY: true },
  );
  const conf = heatmap(ev.confusion, {
    title: 'Confusion matrix (test)',
    rowLabel: 'true digit',
    colLabel: 'predicted digit',
  });
  const wrong = ev.truth
    .map((t, i) => i)
    .filter((i) => ev.truth[i] !== ev.preds[i])
    .slice(0, 40);
  const pix = testX.dataSync();
  const grid = imageGrid(
    wrong.map((i) => ({
      pixels: pix.subarray(i * 784, (i + 1) * 784),
      caption: `pred ${ev.preds[i]} / true ${ev.truth[i]}`,
      captionColor: '#b00',
    })),
    {
      title: `Misclassified test digits (${ev.truth.length - Math.round(ev.accuracy * ev.truth.length)} of ${ev.truth.length}; first ${wrong.length} shown)`,
      columns: 8,
      scale: 3,
    },
  );
  const table = htmlTable(
    ['setting', 'value'],
    [
      ['model', `${c.model}, ${model.numParameters()} parameters, init ${c.init}, dropout ${c.dropout}`],
      ['backend', backendLine()],
      ['optimizer', `${c.optimizer}, lr ${c.lr}, weight decay ${c.weightDecay}, schedule ${c.schedule}`],
      ['batch size / epochs', `${c.batchSize} / ${c.epochs}`],
      [
        'label smoothing / augmentation',
        `${c.labelSmoothing} / ${c.augment ? 'random shifts of up to 2 px' : 'none'}`,
      ],
      ['train accuracy', `${(100 * trainAcc).toFixed(2)}%`],
      ['test accuracy', `${(100 * ev.accuracy).toFixed(2)}%`],
      ['test loss', ev.loss.toFixed(4)],
      ['wall time', `${seconds.toFixed(1)} s`],
    ],
  );
  const layers = `<pre>${model.toString().replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>`;
  return htmlPage(
    `descend train: ${c.model} on MNIST digits, ${(100 * ev.accuracy).toFixed(2)}% test accuracy`,
    `<div class="row">${table}${layers}</div>${stopReason ? `<p class="note">${stopReason}</p>` : ''}
<h2>Training curves</h2><div class="row">${lossChart}${accChart}</div>
<h2>Learning rate and gradient health</h2><div class="row">${lrChart}${gradChart}</div>
<h2>Errors</h2><div class="row">${conf}</div><div class="row">${grid}</div>`,
  );
}
