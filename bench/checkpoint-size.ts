/**
 * Checkpoint size and speed for a Linear(n, n) with Adam state (the case issue 17 measured: a 1600x1600
 * layer used to make a 117 MB JSON header): header bytes, file bytes against 3x the parameter bytes, and
 * save/load times (median of 5).
 *   npx tsx bench/checkpoint-size.ts [n]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mseLoss, randn, zeros } from '../src/index.js';
import { loadCheckpoint, saveCheckpoint } from '../src/io/index.js';
import { Linear } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';

const n = Number(process.argv[2] ?? 1600);
const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-'));
const path = join(dir, 'ckpt.safetensors');
const model = new Linear(n, n);
const opt = new Adam(model.parameters());
mseLoss(model.call(randn([4, n])), zeros([4, n])).backward();
opt.step();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const saves: number[] = [];
const loads: number[] = [];
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  saveCheckpoint(path, model, { optimizer: opt, progress: { epoch: i } });
  saves.push(performance.now() - t);
  const m2 = new Linear(n, n);
  t = performance.now();
  loadCheckpoint(path, m2, { optimizer: new Adam(m2.parameters()) });
  loads.push(performance.now() - t);
}
const size = statSync(path).size;
const header = Number(readFileSync(path).readBigUInt64LE(0));
const params = model.numParameters();
console.log(
  `Linear(${n}, ${n}) + Adam: ${params} parameters; file ${size} bytes = ${(size / (3 * 4 * params)).toFixed(5)}x 3x parameter bytes; header ${header} bytes; save ${median(saves).toFixed(0)} ms, load ${median(loads).toFixed(0)} ms (medians of 5)`,
);
rmSync(dir, { recursive: true, force: true });
