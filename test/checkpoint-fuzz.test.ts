/**
 * Checkpoints under attack: 10,000 mutated or truncated files (fixed seed) each load exactly or throw a
 * CheckpointError, fast, and a rejected load leaves the model, the optimizer and the generator bitwise as
 * they were; every single-byte flip in tensor data is caught by the per-tensor CRC-32.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Generator, type Tensor, defaultGenerator } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import * as io from '../src/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'descend-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function make(seed: number) {
  d.manualSeed(seed);
  const model = new nn.Sequential(
    new nn.Linear(3, 5),
    new nn.BatchNorm1d(5),
    new nn.Tanh(),
    new nn.Linear(5, 2),
  );
  const optimizer = new Adam(model.parameters(), { lr: 0.01, amsgrad: seed % 2 === 0 });
  const x = d.randn([8, 3]);
  const y = d.randn([8, 2]);
  for (let i = 0; i < 2 + (seed % 3); i++) {
    optimizer.zeroGrad();
    d.mseLoss(model.call(x) as Tensor, y).backward();
    optimizer.step();
  }
  return { model, optimizer };
}

/** Every number the model, the optimizer and the default generator hold, in a fixed order. */
function snapshot(m: nn.Module, opt: Adam): number[] {
  const out: number[] = [];
  for (const t of Object.values(m.stateDict())) out.push(...t.dataSync());
  const sd = opt.stateDict();
  for (const st of Object.values(sd.state))
    for (const v of Object.values(st)) {
      if (v instanceof d.Tensor) out.push(...v.dataSync());
      else out.push(Number(v));
    }
  for (const g of sd.paramGroups) out.push(Number(g.lr), Number(g.amsgrad));
  out.push(...defaultGenerator.getState());
  return out;
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('checkpoint fuzzing', () => {
  it('10,000 mutated files: each loads exactly or throws a CheckpointError in under 1 s, leaving everything unchanged', () => {
    const src = make(2);
    const path = join(dir, 'base.safetensors');
    d.manualSeed(77);
    io.saveCheckpoint(path, src.model, { optimizer: src.optimizer, progress: { epoch: 3 } });
    const base = new Uint8Array(readFileSync(path));
    const headerEnd = 8 + Number(new DataView(base.buffer).getBigUint64(0, true));
    const want = snapshot(src.model, src.optimizer).slice(0, -5);
    const wantRng = (() => {
      d.manualSeed(77);
      return defaultGenerator.getState();
    })();
    const g = new Generator(2026);
    const target = make(4);
    d.manualSeed(5);
    let before = snapshot(target.model, target.optimizer);
    const counts = { loaded: 0, rejected: 0, flips: 0 };
    let slowest = 0;
    const file = join(dir, 'fuzzed.safetensors');
    for (let i = 0; i < 10_000; i++) {
      let b = base.slice();
      const kind = g.randint(0, 7);
      if (kind === 0) b = b.subarray(0, g.randint(0, b.length));
      else if (kind === 1)
        for (let k = 0; k < g.randint(1, 4); k++) b[g.randint(0, b.length)] = g.randint(0, 256);
      else if (kind === 2) b[g.randint(8, headerEnd)] = g.randint(32, 127);
      else if (kind === 3) new DataView(b.buffer).setUint32(0, g.randint(0, 2 ** 31), true);
      else if (kind === 4) b = Uint8Array.from({ length: g.randint(0, 64) }, () => g.randint(0, 256));
      else if (kind === 5) {
        b[g.randint(headerEnd, b.length)] ^= 1 << g.randint(0, 8);
        counts.flips++;
      } else {
        // Byte-level rewrites of the header: names and values swapped for hostile ones.
        const text = new TextDecoder().decode(b.subarray(8, headerEnd));
        const swaps: [RegExp, string][] = [
          [/"model\.0\.bias"/, '"__proto__"'],
          [/\\"step\\":\d+/, '\\"step\\":-1'],
          [/\\"lr\\":[0-9.e-]+/, '\\"lr\\":1e999'],
          [/\\"state\\":\{/, '\\"state\\":null,\\"x\\":{'],
          [/"format":"[^"]*"/, `"format":"${'['.repeat(5000)}"`],
          [/\{/, '{"deep":' + '['.repeat(100_000) + ']'.repeat(100_000) + ','],
        ];
        const [re, by] = swaps[g.randint(0, swaps.length)];
        const head = new TextEncoder().encode(text.replace(re, by));
        b = new Uint8Array(8 + head.length + (base.length - headerEnd));
        new DataView(b.buffer).setBigUint64(0, BigInt(head.length), true);
        b.set(head, 8);
        b.set(base.subarray(headerEnd), 8 + head.length);
      }
      writeFileSync(file, b);
      const t0 = performance.now();
      let ok = false;
      try {
        io.loadCheckpoint(file, target.model, { optimizer: target.optimizer });
        ok = true;
      } catch (e) {
        expect(e, `mutation ${i} (kind ${kind}) threw ${String(e)}`).toBeInstanceOf(io.CheckpointError);
        expect(String((e as Error).message).length, `mutation ${i}: message too long`).toBeLessThan(600);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      if (ok) {
        counts.loaded++;
        expect(kind, `mutation ${i}: a flipped data byte loaded`).not.toBe(5);
        const got = snapshot(target.model, target.optimizer);
        expect(same(got.slice(0, -5), want), `mutation ${i} (kind ${kind}) loaded different numbers`).toBe(
          true,
        );
        expect(got.slice(-5)).toEqual(wantRng);
        // Back to a state unlike the file's for the next round.
        Object.assign(target, make(4 + (i % 2) * 2));
        d.manualSeed(5);
        before = snapshot(target.model, target.optimizer);
      } else {
        counts.rejected++;
        expect(
          same(snapshot(target.model, target.optimizer), before),
          `mutation ${i} (kind ${kind}) changed state`,
        ).toBe(true);
      }
    }
    expect(counts.loaded + counts.rejected).toBe(10_000);
    expect(counts.flips).toBeGreaterThan(1000);
    expect(counts.rejected).toBeGreaterThan(8000);
    expect(slowest).toBeLessThan(1000);
    console.log(`checkpoint fuzz: ${JSON.stringify(counts)}, slowest ${slowest.toFixed(1)} ms`);
  }, 120_000);

  it('well-formed but wrong checkpoints (checksums intact) are refused before anything changes', () => {
    const src = make(2);
    const path = join(dir, 'good.safetensors');
    io.saveCheckpoint(path, src.model, { optimizer: src.optimizer, progress: { epoch: 1 } });
    const { tensors, metadata } = io.loadSafetensors(path);
    type Sd = { state: Record<string, Record<string, unknown>>; paramGroups: Record<string, unknown>[] };
    const cases: [string, (sd: Sd, t: Record<string, Tensor>, m: Record<string, string>) => void, RegExp][] =
      [
        ['state null', (sd) => void ((sd as { state: unknown }).state = null), /expected \{ state: object/],
        [
          'negative step',
          (sd) => void (sd.state['0'].step = -1),
          /'step' must be a non-negative integer, got -1/,
        ],
        ['string step', (sd) => void (sd.state['0'].step = 'x'), /'step' must be a finite number, got 'x'/],
        ['fractional step', (sd) => void (sd.state['1'].step = 1.5), /non-negative integer, got 1.5/],
        ['missing expAvg', (sd) => void delete sd.state['0'].expAvg, /is missing 'expAvg'/],
        [
          'amsgrad without maxExpAvgSq',
          (sd) => void delete sd.state['2'].maxExpAvgSq,
          /is missing 'maxExpAvgSq'/,
        ],
        ['lr Infinity', (sd) => void (sd.paramGroups[0].lr = Infinity), /lr null|lr Infinity|finite/],
        ['lr negative', (sd) => void (sd.paramGroups[0].lr = -1), /invalid lr -1/],
        ['unknown param index', (sd) => void (sd.state['99'] = { step: 1 }), /unknown param index '99'/],
        [
          'repeated param index',
          (sd) => void (sd.paramGroups[0].params = [0, 0, 1, 2, 3, 4]),
          /repeated param index 0/,
        ],
        [
          'negative second moment',
          (_sd, t) => void (t['optim.0.expAvgSq'] = d.fullLike(t['optim.0.expAvgSq'], -1)),
          /'expAvgSq' holds -1 at element 0; it must be >= 0/,
        ],
        [
          'NaN first moment',
          (_sd, t) => void (t['optim.1.expAvg'] = d.fullLike(t['optim.1.expAvg'], NaN)),
          /holds NaN/,
        ],
        [
          'wrong state shape',
          (_sd, t) => void (t['optim.0.expAvg'] = d.zeros([2])),
          /shape \[2\].*shape \[5, 3\]/,
        ],
        [
          'wrong weight shape',
          (_sd, t) => void (t['model.3.weight'] = d.zeros([2, 4])),
          /entry '3.weight' has shape \[2, 4\]/,
        ],
        ['missing weight', (_sd, t) => void delete t['model.3.bias'], /missing keys \[3.bias\]/],
        [
          'dangling tensor reference',
          (_sd, t) => void delete t['optim.0.expAvg'],
          /names a missing or already used tensor/,
        ],
        ['no optimizer state', (_sd, _t, m) => void delete m.optimizer, /holds no optimizer state/],
        [
          'bad rng state',
          (_sd, _t, m) => void (m.rng = '{"default":[0,0,0,0,null]}'),
          /invalid state for the generator 'default'/,
        ],
        [
          'progress not an object',
          (_sd, _t, m) => void (m.progress = '[1]'),
          /progress metadata that is not an object/,
        ],
        ['other format', (_sd, _t, m) => void (m.format = 'pytorch'), /has format pytorch/],
      ];
    const target = make(4);
    d.manualSeed(9);
    const before = snapshot(target.model, target.optimizer);
    for (const [name, mutate, msg] of cases) {
      const sd = JSON.parse(metadata.optimizer) as Sd;
      const t = { ...tensors };
      const m = { ...metadata };
      mutate(sd, t, m);
      if (m.optimizer) m.optimizer = JSON.stringify(sd);
      const file = join(dir, 'tampered.safetensors');
      io.saveSafetensors(file, t, m);
      let err: unknown = null;
      try {
        io.loadCheckpoint(file, target.model, { optimizer: target.optimizer });
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(io.CheckpointError);
      expect(String((err as Error).message), name).toMatch(msg);
      expect(same(snapshot(target.model, target.optimizer), before), `${name} changed state`).toBe(true);
    }
    // And the untouched file loads.
    io.loadCheckpoint(path, target.model, { optimizer: target.optimizer });
    expect(
      same(
        snapshot(target.model, target.optimizer).slice(0, -5),
        snapshot(src.model, src.optimizer).slice(0, -5),
      ),
    ).toBe(true);
  });

  it('every single-byte flip in tensor data is detected (all 8 bits of every data byte)', () => {
    const bytes = io.serializeSafetensors({ w: d.randn([4, 3]), i: d.tensor([1, 2], { dtype: 'int32' }) });
    const start = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    let caught = 0;
    for (let p = start; p < bytes.length; p++)
      for (let bit = 0; bit < 8; bit++) {
        const b = bytes.slice();
        b[p] ^= 1 << bit;
        expect(() => io.parseSafetensors(b)).toThrow(/fails its checksum/);
        caught++;
      }
    expect(caught).toBe((bytes.length - start) * 8);
  });

  it('hostile headers: deep nesting and __proto__ names give typed errors or own properties', () => {
    const raw = (header: string, data = 0) => {
      const h = new TextEncoder().encode(header);
      const b = new Uint8Array(8 + h.length + data);
      new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
      b.set(h, 8);
      return b;
    };
    expect(() => io.parseSafetensors(raw('{"a":' + '['.repeat(1e6) + ']'.repeat(1e6) + '}'))).toThrow(
      /nests 1000001 levels deep/,
    );
    const { tensors } = io.parseSafetensors(
      raw('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4),
    );
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    const long = 'x'.repeat(100_000);
    try {
      io.parseSafetensors(raw(`{"${long}":{"dtype":"${long}","shape":[1],"data_offsets":[0,4]}}`, 4));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(io.CheckpointError);
      expect((e as Error).message.length).toBeLessThan(300);
    }
  });
});
