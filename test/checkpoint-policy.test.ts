/**
 * The checkpoint format policy (docs/checkpoints.md): files descend writes carry a marker and checksums
 * that cannot be stripped or shadowed; a checkpoint's dtypes must be the model's; non-finite weights and
 * unread tensors are refused; only regular files are read, header first; mutations of dtype, shape and
 * offsets with recomputed checksums never load data other than what the file holds.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  ftruncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Generator, type Tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import * as io from '../src/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'descend-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function make(seed: number) {
  d.manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(3, 5), new nn.BatchNorm1d(5), new nn.Linear(5, 2));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  for (let i = 0; i < 2; i++) {
    optimizer.zeroGrad();
    d.mseLoss(model.call(d.randn([8, 3])) as Tensor, d.randn([8, 2])).backward();
    optimizer.step();
  }
  return { model, optimizer };
}

/** The header as JSON, and a file rebuilt from an edited header (data bytes unchanged). */
function header(b: Uint8Array): { json: Record<string, unknown>; end: number } {
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  return { json: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))), end: 8 + n };
}
function rebuild(b: Uint8Array, text: string): Uint8Array {
  const { end } = header(b);
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + (b.length - end));
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(b.subarray(end), 8 + h.length);
  return out;
}
/** Flips one data byte of the first tensor. */
function flipData(b: Uint8Array): Uint8Array {
  const out = b.slice();
  out[header(b).end + 2] ^= 0x10;
  return out;
}
const loadInto = (file: string, seed = 4) => {
  const t = make(seed);
  io.loadCheckpoint(file, t.model, { optimizer: t.optimizer });
  return t;
};

describe('checkpoint integrity cannot be bypassed', () => {
  const src = make(2);
  const path = join(dir, 'base.safetensors');
  io.saveCheckpoint(path, src.model, { optimizer: src.optimizer, progress: { epoch: 1 } });
  const base = new Uint8Array(readFileSync(path));
  const meta = header(base).json.__metadata__ as Record<string, string>;

  it('a flipped data byte with the checksum key removed, or under a second __metadata__, is refused', () => {
    const noSum = { ...meta };
    delete noSum['descend.crc32'];
    const { json } = header(base);
    const stripped = rebuild(flipData(base), JSON.stringify({ ...json, __metadata__: noSum }));
    writeFileSync(join(dir, 'nosum.safetensors'), stripped);
    expect(() => io.loadSafetensors(join(dir, 'nosum.safetensors'))).toThrow(
      /marked as descend's but has no 'descend.crc32' checksums: it was altered/,
    );
    expect(() => loadInto(join(dir, 'nosum.safetensors'))).toThrow(io.CheckpointError);
    // A second __metadata__ object (JSON.parse keeps the last) without the checksums.
    const text = new TextDecoder().decode(base.subarray(8, header(base).end));
    const dup = rebuild(flipData(base), text.replace(/\}\s*$/, `,"__metadata__":${JSON.stringify(noSum)}}`));
    writeFileSync(join(dir, 'dup.safetensors'), dup);
    expect(() => io.loadSafetensors(join(dir, 'dup.safetensors'))).toThrow(
      /the header repeats the key '__metadata__'/,
    );
    // No __metadata__ at all: a plain safetensors file (it loads as what it is), never a checkpoint.
    const plain = { ...json };
    delete plain.__metadata__;
    writeFileSync(join(dir, 'plain.safetensors'), rebuild(base, JSON.stringify(plain)));
    expect(Object.keys(io.loadSafetensors(join(dir, 'plain.safetensors')).tensors).length).toBeGreaterThan(3);
    expect(() => loadInto(join(dir, 'plain.safetensors'))).toThrow(
      /is not a descend checkpoint \(it has no format marker/,
    );
  });

  it('a weight or optimizer moment of another dtype (checksums recomputed) is refused, naming it', () => {
    const { tensors, metadata } = io.loadSafetensors(path);
    const asInt = (t: Tensor) =>
      d.tensor(new Int32Array(Float32Array.from(t.dataSync()).buffer), { dtype: 'int32' }).reshape(t.shape);
    io.saveSafetensors(
      join(dir, 'i32.safetensors'),
      { ...tensors, 'model.0.weight': asInt(tensors['model.0.weight']) },
      metadata,
    );
    expect(() => loadInto(join(dir, 'i32.safetensors'))).toThrow(
      /entry 'model.0.weight' is int32 but the model's is float32/,
    );
    io.saveSafetensors(
      join(dir, 'i32m.safetensors'),
      { ...tensors, 'optim.0.expAvg': asInt(tensors['optim.0.expAvg']) },
      metadata,
    );
    expect(() => loadInto(join(dir, 'i32m.safetensors'))).toThrow(
      /optimizer state 'optim.0.expAvg' is int32 but its param is float32/,
    );
  });

  it('NaN in a weight is refused like Inf in the optimizer state (or loaded when asked); unread tensors are refused', () => {
    const { tensors, metadata } = io.loadSafetensors(path);
    const w = tensors['model.2.weight'];
    const bad = d.tensor(Float32Array.from(w.dataSync(), (v, i) => (i === 3 ? NaN : v))).reshape(w.shape);
    const file = join(dir, 'nan.safetensors');
    io.saveSafetensors(file, { ...tensors, 'model.2.weight': bad }, metadata);
    const t = make(4);
    const before = Array.from(t.model.stateDict()['2.weight'].dataSync());
    expect(() => io.loadCheckpoint(file, t.model, { optimizer: t.optimizer })).toThrow(
      /entry 'model.2.weight' holds NaN at element 3 \(loadCheckpoint's allowNonFinite loads it anyway\)/,
    );
    expect(Array.from(t.model.stateDict()['2.weight'].dataSync())).toEqual(before);
    io.loadCheckpoint(file, t.model, { optimizer: t.optimizer, allowNonFinite: true });
    expect(Number.isNaN(t.model.stateDict()['2.weight'].dataSync()[3])).toBe(true);
    io.saveSafetensors(
      join(dir, 'extra.safetensors'),
      { ...tensors, 'optim.9.stray': d.zeros([2]) },
      metadata,
    );
    expect(() => loadInto(join(dir, 'extra.safetensors'))).toThrow(
      /holds optimizer tensors its state does not name: optim.9.stray/,
    );
    io.saveSafetensors(
      join(dir, 'extra2.safetensors'),
      { ...tensors, 'progress.stray': d.zeros([2]) },
      metadata,
    );
    expect(() => loadInto(join(dir, 'extra2.safetensors'))).toThrow(
      /progress tensors its progress does not name/,
    );
  });

  it('10,000 files with the checksum key removed: 0 wrong data accepted, 0 partial loads', () => {
    const noSum = { ...meta };
    delete noSum['descend.crc32'];
    const start = rebuild(base, JSON.stringify({ ...header(base).json, __metadata__: noSum }));
    const g = new Generator(11);
    const file = join(dir, 'm.safetensors');
    let rejected = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = start.slice();
      for (let k = 0; k < g.randint(1, 4); k++) b[g.randint(0, b.length)] = g.randint(0, 256);
      writeFileSync(file, b);
      try {
        io.loadSafetensors(file);
      } catch (e) {
        expect(e).toBeInstanceOf(io.CheckpointError);
        rejected++;
      }
    }
    // Every one still says it is descend's (or is broken), so every one is refused.
    expect(rejected).toBe(10_000);
  }, 60_000);

  it('dtype, shape and offset mutations with recomputed checksums: refused, or loaded exactly as the file holds', () => {
    const { tensors, metadata } = io.loadSafetensors(path);
    const names = Object.keys(tensors);
    const g = new Generator(12);
    const file = join(dir, 'recomputed.safetensors');
    const counts = { refused: 0, loaded: 0 };
    for (let i = 0; i < 400; i++) {
      const t = { ...tensors };
      const a = names[g.randint(0, names.length)]!;
      const kind = g.randint(0, 3);
      const bytes = new Uint8Array(t[a]!.dataSync().buffer.slice(0));
      if (kind === 0) {
        // The same bytes under another dtype.
        const to = (['float64', 'int32', 'float32'] as const)[g.randint(0, 3)]!;
        const vals =
          to === 'float64' && bytes.length % 8 === 0
            ? new Float64Array(bytes.buffer)
            : to === 'int32'
              ? new Int32Array(bytes.buffer)
              : new Float32Array(bytes.buffer);
        t[a] = d.tensor(vals, { dtype: to === 'float64' && bytes.length % 8 !== 0 ? 'float32' : to });
      } else if (kind === 1) {
        // Another shape with the same number of elements.
        const n = t[a]!.size;
        t[a] = t[a]!.reshape(g.randint(0, 2) ? [n] : [1, n]);
      } else {
        // Another entry's bytes (as when offsets point elsewhere), where the sizes allow.
        const b = names[g.randint(0, names.length)]!;
        if (t[b]!.size === t[a]!.size && t[b]!.dtype === t[a]!.dtype) [t[a], t[b]] = [t[b]!, t[a]!];
      }
      io.saveSafetensors(file, t, metadata);
      const target = make(4);
      try {
        io.loadCheckpoint(file, target.model, { optimizer: target.optimizer });
      } catch (e) {
        expect(e).toBeInstanceOf(io.CheckpointError);
        counts.refused++;
        continue;
      }
      counts.loaded++;
      // What loaded is exactly what the file holds: same dtype, same values, nothing reinterpreted.
      const file_ = io.loadSafetensors(file).tensors;
      for (const [k, v] of Object.entries(target.model.stateDict())) {
        const f = file_[`model.${k}`]!;
        expect(v.dtype, k).toBe(f.dtype);
        expect(Array.from(v.dataSync()), k).toEqual(Array.from(f.dataSync()));
      }
    }
    console.log(`recomputed-checksum mutations: ${JSON.stringify(counts)}`);
    expect(counts.refused).toBeGreaterThan(100);
  }, 60_000);
});

describe('only regular files are read, and the header before the data', () => {
  it('/dev/zero, a FIFO and a 3 GB sparse file: typed errors within 1 s, no large allocation', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const sparse = join(dir, 'sparse.safetensors');
    const fd = openSync(sparse, 'w');
    ftruncateSync(fd, 3 * 2 ** 30);
    closeSync(fd);
    const rss0 = process.memoryUsage().rss;
    for (const [p, msg] of [
      ['/dev/zero', /it is a character device, not a regular file/],
      [fifo, /it is a FIFO, not a regular file/],
      [dir, /it is a directory, not a regular file/],
      [sparse, /the header is not valid|not a JSON object|not valid JSON/],
    ] as const) {
      const t0 = performance.now();
      expect(() => io.loadSafetensors(p), p).toThrow(msg);
      expect(performance.now() - t0, p).toBeLessThan(1000);
    }
    expect(process.memoryUsage().rss - rss0).toBeLessThan(100 * 2 ** 20);
    // A header claiming more than the file has is refused before anything else is read.
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, 1000n, true);
    writeFileSync(join(dir, 'short.safetensors'), big);
    expect(() => io.loadSafetensors(join(dir, 'short.safetensors'))).toThrow(
      /the header claims 1000 bytes but the file has only 8 after the length/,
    );
  });

  // Writes and reads 3 GB: minutes and 7 GB of memory, so only when asked (DESCEND_BIG_CHECKPOINT=1).
  it.runIf(process.env.DESCEND_BIG_CHECKPOINT === '1')(
    'a 3 GB checkpoint saves and loads back exactly',
    () => {
      const n = 3 * 2 ** 28; // 805M float32: 3 GiB
      const vals = new Float32Array(n);
      for (let i = 0; i < n; i += 4099) vals[i] = i;
      const w = d.tensor(vals);
      const model = new (class extends nn.Module {
        readonly w = this.param('w', w);
        forward(): Tensor {
          return this.w;
        }
      })();
      const file = join(dir, 'big.safetensors');
      let t0 = performance.now();
      io.saveCheckpoint(file, model);
      const saveS = (performance.now() - t0) / 1000;
      d.noGrad(() => model.w.zero_());
      expect(model.w.dataSync()[4099]).toBe(0);
      t0 = performance.now();
      io.loadCheckpoint(file, model);
      const loadS = (performance.now() - t0) / 1000;
      const back = model.w.dataSync() as Float32Array;
      for (let i = 0; i < n; i += 4099) expect(back[i]).toBe(Math.fround(i));
      console.log(`3 GiB checkpoint: saved in ${saveS.toFixed(1)} s, loaded in ${loadS.toFixed(1)} s`);
    },
    900_000,
  );
});
