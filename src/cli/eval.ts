/** `descend eval` and `descend predict`: a saved model on the test digits, or on one digit drawn as text. */
import { noGrad } from '../autograd/mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { softmax } from '../ops/composite/softmax.js';
import * as nn from '../nn/index.js';
import { CheckpointError, loadCheckpoint, loadMnist, loadSafetensors } from '../io/index.js';
import { MODEL_NAMES, buildModel } from './models.js';
import { RunFailure, num, usage } from './errors.js';
import type { RunConfig } from './train-config.js';
import { evaluate } from './evaluate.js';

export function evalCommand(o: { checkpoint: string; testSize?: string }, log: (s: string) => void): void {
  const { model, config } = loadModel(o.checkpoint);
  const data = loadMnist({
    testSize: o.testSize ? num('--test-size', o.testSize, { int: true, min: 10 }) : undefined,
  });
  const x = config.dtype === 'float64' ? data.testX.to('float64') : data.testX;
  const ev = evaluate(model, x, data.testY);
  if (!Number.isFinite(ev.loss))
    throw new RunFailure(
      `the test loss of '${o.checkpoint}' is ${ev.loss}: its weights hold NaN or Inf (a diverged run?)`,
    );
  log(
    `test accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.truth.length} digits), loss ${ev.loss.toFixed(4)}`,
  );
  const per = ev.confusion.map(
    (row, d) =>
      `${d}: ${(
        (100 * row[d]) /
        Math.max(
          1,
          row.reduce((a, b) => a + b, 0),
        )
      ).toFixed(1)}%`,
  );
  log(`per digit: ${per.join('  ')}`);
}

function loadModel(path: string): { model: nn.Module; config: RunConfig } {
  const { metadata } = loadSafetensors(path);
  if (!metadata.progress)
    throw new CheckpointError(
      'loadCheckpoint',
      `'${path}' is not a descend training checkpoint (no progress metadata)`,
    );
  let config: RunConfig;
  try {
    config = (JSON.parse(metadata.progress) as { config: RunConfig }).config;
  } catch {
    throw new CheckpointError('loadCheckpoint', `'${path}' has unreadable progress metadata`);
  }
  if (!config || !MODEL_NAMES.includes(config.model))
    throw new CheckpointError('loadCheckpoint', `'${path}' does not say which model it holds`);
  const model = buildModel(config);
  loadCheckpoint(path, model);
  model.eval();
  return { model, config };
}

function ascii(pixels: ArrayLike<number>): string {
  const shades = ' .:-=+*#%@';
  const lines: string[] = [];
  for (let r = 0; r < 28; r += 2) {
    let s = '';
    for (let c = 0; c < 28; c++)
      s += shades[Math.min(9, Math.floor(Math.max(pixels[r * 28 + c], pixels[(r + 1) * 28 + c]) * 9.99))];
    lines.push(s);
  }
  return lines.join('\n');
}

export function predictCommand(
  o: { checkpoint: string; index?: string; input?: string },
  log: (s: string) => void,
  readFile: (p: string) => string,
): void {
  const { model, config } = loadModel(o.checkpoint);
  let images: number[][];
  let labels: (number | null)[];
  if (o.input) {
    let parsed: unknown;
    const want = 'a JSON array of 784 grey values in 0..1 (a 28 x 28 digit, row by row), or an array of them';
    let text: string;
    try {
      text = readFile(o.input);
    } catch (e) {
      usage(`cannot read --input '${o.input}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      usage(`--input '${o.input}' is not JSON; it must hold ${want} (images such as PNG are not read)`);
    }
    const arr = (Array.isArray(parsed) && typeof parsed[0] === 'number' ? [parsed] : parsed) as number[][];
    if (
      !Array.isArray(arr) ||
      arr.length === 0 ||
      arr.some(
        (a) =>
          !Array.isArray(a) ||
          a.length !== 784 ||
          a.some((v) => typeof v !== 'number' || !(v >= 0 && v <= 1)),
      )
    ) {
      usage(`--input '${o.input}' must hold ${want}`);
    }
    images = arr;
    labels = arr.map(() => null);
  } else {
    const idx = (o.index ?? '0').split(',').map((s) => num('--index', s, { int: true, min: 0 }));
    const data = loadMnist();
    const n = data.testX.shape[0];
    for (const i of idx)
      if (i >= n) usage(`--index ${i} is out of range: the test set has ${n} digits (0..${n - 1})`);
    const pix = data.testX.dataSync();
    const ys = data.testY.dataSync();
    images = idx.map((i) => Array.from(pix.subarray(i * 784, (i + 1) * 784)));
    labels = idx.map((i) => ys[i]);
  }
  const x = tensor(images, { dtype: config.dtype });
  const probs = noGrad(() => softmax(model.call(x) as Tensor, 1)).toArray() as number[][];
  images.forEach((img, k) => {
    const p = probs[k];
    const best = p.indexOf(Math.max(...p));
    log(ascii(img));
    log(
      `prediction ${best} (p = ${p[best].toFixed(3)})${labels[k] !== null ? `, true label ${labels[k]}` : ''}\n`,
    );
  });
}
