/** safetensors and checkpoints: exact round trips, the spec, fuzzing, kill -9 during saves. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { Generator, type Tensor, tensor } from '../src/index.js';
import * as nn from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import * as optim from '../src/optim/index.js';
import * as io from '../src/io/index.js';
import { fit } from '../src/train/index.js';
import { DataLoader, TensorDataset } from '../src/data/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'descend-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bitsEqual = (a: Tensor, b: Tensor) => {
  expect(b.dtype).toBe(a.dtype);
  expect(b.shape).toEqual(a.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++)
    expect(Object.is(x[i], y[i]), `element ${i}: ${x[i]} vs ${y[i]}`).toBe(true);
};

/** Bitwise equality for big tensors (one expect, not one per element). */
const sameBits = (a: Tensor, b: Tensor) => {
  expect(b.dtype).toBe(a.dtype);
  expect(b.shape).toEqual(a.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const by = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  expect(Buffer.compare(bx, by)).toBe(0);
};

describe('safetensors', () => {
  it('round-trips every dtype exactly (NaN, Inf, -0, subnormals, extremes, empty and scalar shapes)', () => {
    const tensors: Record<string, Tensor> = {
      f32: tensor([1.5, -0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, Math.fround(0.1)], {
        dtype: 'float32',
      }),
      f64: tensor([0.1, -0, NaN, Infinity, 5e-324, 1.7976931348623157e308, Math.PI], {
        dtype: 'float64',
      }).reshape(7, 1),
      i32: tensor([0, -1, 2147483647, -2147483648], { dtype: 'int32' }),
      bool: tensor([true, false, true]),
      scalar: tensor(2.5, { dtype: 'float64' }),
      empty: d.zeros([0, 3]),
    };
    const bytes = io.serializeSafetensors(tensors, { note: 'hello' });
    const { tensors: back, metadata } = io.parseSafetensors(bytes);
    expect(metadata).toEqual({ note: 'hello' });
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const k of Object.keys(tensors)) bitsEqual(tensors[k], back[k]);
    expect((bytes.length - 8 - Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 1).toBe(0);
  });

  it('reads a file written byte by byte from the specification', () => {
    const header = JSON.stringify({
      __metadata__: { source: 'spec' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'I32', shape: [1, 1], data_offsets: [8, 12] },
      c: { dtype: 'F64', shape: [], data_offsets: [12, 20] },
    });
    const h = new TextEncoder().encode(header);
    const buf = new Uint8Array(8 + h.length + 20);
    const v = new DataView(buf.buffer);
    v.setBigUint64(0, BigInt(h.length), true);
    buf.set(h, 8);
    const o = 8 + h.length;
    v.setFloat32(o, 1.25, true);
    v.setFloat32(o + 4, -2, true);
    v.setInt32(o + 8, -7, true);
    v.setFloat64(o + 12, 0.1, true);
    const { tensors, metadata } = io.parseSafetensors(buf);
    expect(metadata.source).toBe('spec');
    expect(tensors.a.toArray()).toEqual([1.25, -2]);
    expect(tensors.b.toArray()).toEqual([[-7]]);
    expect(tensors.c.item()).toBe(0.1);
    expect(tensors.c.dtype).toBe('float64');
  });

  it('rejects malformed files with a typed error naming the problem', () => {
    const ok = io.serializeSafetensors({ w: d.ones([2, 2]) });
    const cases: [Uint8Array, RegExp][] = [
      [ok.subarray(0, 4), /shorter than the 8-byte header length/],
      [ok.subarray(0, ok.length - 1), /cover 16 bytes of data but the file has 15|past the 15 bytes/],
      [
        (() => {
          const b = ok.slice();
          new DataView(b.buffer).setBigUint64(0, 10n ** 12n, true);
          return b;
        })(),
        /over the 100000000-byte limit/,
      ],
      [
        (() => {
          const b = ok.slice();
          b[9] = 0x7b;
          b[10] = 0x7b;
          return b;
        })(),
        /not valid JSON/,
      ],
    ];
    for (const [bytes, msg] of cases) {
      expect(() => io.parseSafetensors(bytes)).toThrow(io.CheckpointError);
      expect(() => io.parseSafetensors(bytes)).toThrow(msg);
    }
    const bad = (entries: object) => {
      const h = new TextEncoder().encode(JSON.stringify(entries));
      const b = new Uint8Array(8 + h.length + 8);
      new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
      b.set(h, 8);
      return b;
    };
    expect(() => io.parseSafetensors(bad({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }))).toThrow(
      /unsupported dtype F16/,
    );
    expect(() => io.parseSafetensors(bad({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }))).toThrow(
      /needs 12 bytes/,
    );
    expect(() =>
      io.parseSafetensors(
        bad({
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        }),
      ),
    ).toThrow(/gaps and overlaps/);
    expect(() =>
      io.parseSafetensors(bad({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } })),
    ).toThrow(/invalid shape/);
    expect(() =>
      io.parseSafetensors(bad({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8], x: 1 } })),
    ).toThrow(
      /entry 'a' is not a tensor entry \(its fields: dtype, shape, data_offsets, x; a tensor entry has/,
    );
    // A flipped byte in the metadata's key: the message says what it most likely is.
    const good = io.serializeSafetensors({ w: tensor([1, 2]) }, { epoch: '3' });
    const at = Buffer.from(good).indexOf('__metadata__');
    const flipped = Uint8Array.from(good);
    flipped[at + 10] = '{'.charCodeAt(0);
    expect(() => io.parseSafetensors(flipped)).toThrow(
      "loadSafetensors: the header is damaged: entry '__metadata{_' (a damaged '__metadata__'?) is not a tensor entry",
    );
  });

  it('10,000 mutated or truncated files each load exactly or throw a CheckpointError, fast', () => {
    const g = new Generator(2026);
    const base = io.serializeSafetensors(
      {
        weight: d.randn([4, 3], { generator: g }),
        bias: tensor([1, 2, 3], { dtype: 'float64' }),
        idx: tensor([5, 6], { dtype: 'int32' }),
        mask: tensor([true, false]),
      },
      { epoch: '7' },
    );
    let loaded = 0;
    let rejected = 0;
    let slowest = 0;
    for (let i = 0; i < 10_000; i++) {
      let b = base.slice();
      const kind = g.randint(0, 5);
      if (kind === 0) b = b.subarray(0, g.randint(0, b.length));
      else if (kind === 1)
        for (let k = 0; k < g.randint(1, 4); k++) b[g.randint(0, b.length)] = g.randint(0, 256);
      else if (kind === 2) b[g.randint(8, Math.min(b.length, 200))] = g.randint(32, 127);
      else if (kind === 3) new DataView(b.buffer).setUint32(0, g.randint(0, 2 ** 31), true);
      else b = Uint8Array.from({ length: g.randint(0, 64) }, () => g.randint(0, 256));
      const t0 = performance.now();
      try {
        const { tensors } = io.parseSafetensors(b);
        for (const t of Object.values(tensors)) t.dataSync();
        loaded++;
      } catch (e) {
        expect(e, `mutation ${i} (kind ${kind}) threw ${String(e)}`).toBeInstanceOf(io.CheckpointError);
        rejected++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(loaded + rejected).toBe(10_000);
    expect(rejected).toBeGreaterThan(1000);
    expect(slowest).toBeLessThan(1000);
  });
});

describe('checkpoints', () => {
  it('a module state dict round-trips through a safetensors file to a model with identical outputs', () => {
    d.manualSeed(1);
    const make = () =>
      new nn.Sequential(new nn.Linear(3, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 2));
    const a = make();
    a.call(d.randn([5, 3]));
    const path = join(dir, 'model.safetensors');
    io.saveSafetensors(path, a.stateDict());
    const b = make();
    b.loadStateDict(io.loadSafetensors(path).tensors);
    a.eval();
    b.eval();
    const x = d.randn([4, 3]);
    bitsEqual(a.call(x) as Tensor, b.call(x) as Tensor);
  });

  it('saves and restores model, optimizer and progress; training continues in lockstep', () => {
    d.manualSeed(2);
    const x = d.randn([16, 3]);
    const y = d.randn([16, 1]);
    const make = () => {
      const m = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 1));
      return { m, opt: new Adam(m.parameters(), { lr: 0.01 }) };
    };
    const stepOnce = (m: nn.Module, opt: Adam) => {
      opt.zeroGrad();
      d.mseLoss(m.call(x as never) as Tensor, y).backward();
      opt.step();
    };
    const a = make();
    for (let i = 0; i < 3; i++) stepOnce(a.m, a.opt);
    const path = join(dir, 'ckpt.safetensors');
    io.saveCheckpoint(path, a.m, { optimizer: a.opt, progress: { epoch: 3 } });
    const b = make();
    const { progress } = io.loadCheckpoint(path, b.m, { optimizer: b.opt });
    expect(progress.epoch).toBe(3);
    for (let i = 0; i < 5; i++) {
      stepOnce(a.m, a.opt);
      stepOnce(b.m, b.opt);
      a.m.parameters().forEach((p, k) => bitsEqual(p, b.m.parameters()[k]));
    }
  });

  it('every optimizer class round-trips through a checkpoint and continues in lockstep', () => {
    const makers: Record<string, (p: Tensor[]) => optim.Optimizer<object>> = {
      SGD: (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }) as never,
      Adagrad: (p) => new optim.Adagrad(p) as never,
      RMSprop: (p) => new optim.RMSprop(p, { momentum: 0.9, centered: true }) as never,
      Adadelta: (p) => new optim.Adadelta(p) as never,
      Adam: (p) => new optim.Adam(p, { amsgrad: true }) as never,
      AdamW: (p) => new optim.AdamW(p) as never,
      Adamax: (p) => new optim.Adamax(p) as never,
      NAdam: (p) => new optim.NAdam(p) as never,
      RAdam: (p) => new optim.RAdam(p) as never,
      Yogi: (p) => new optim.Yogi(p) as never,
      AdaBelief: (p) => new optim.AdaBelief(p) as never,
      LAMB: (p) => new optim.LAMB(p) as never,
      Lion: (p) => new optim.Lion(p) as never,
      Novograd: (p) => new optim.Novograd(p) as never,
      Adan: (p) => new optim.Adan(p) as never,
      SignSGD: (p) => new optim.SignSGD(p) as never,
      LBFGS: (p) => new optim.LBFGS(p) as never,
      Newton: (p) => new optim.Newton(p) as never,
      DiagonalNewton: (p) => new optim.DiagonalNewton(p) as never,
    };
    d.manualSeed(21);
    const x = d.randn([4, 3]);
    const y = d.randn([4, 2]);
    const step = (m: nn.Linear, o: optim.Optimizer<object>) => {
      const loss = () => d.mseLoss(m.call(x), y);
      const closure = () => {
        o.zeroGrad();
        const l = loss();
        l.backward();
        return l;
      };
      if (o instanceof optim.Newton || o instanceof optim.DiagonalNewton) o.step(loss);
      else if (o instanceof optim.LBFGS) o.step(closure);
      else {
        closure();
        o.step();
      }
    };
    for (const [name, make] of Object.entries(makers)) {
      d.manualSeed(22);
      const a = new nn.Linear(3, 2);
      const b = new nn.Linear(3, 2);
      const oa = make(a.parameters());
      const ob = make(b.parameters());
      for (let i = 0; i < 3; i++) step(a, oa);
      const path = join(dir, `opt-${name}.safetensors`);
      io.saveCheckpoint(path, a, { optimizer: oa });
      io.loadCheckpoint(path, b, { optimizer: ob });
      for (let i = 0; i < 2; i++) {
        step(a, oa);
        step(b, ob);
      }
      a.parameters().forEach((p, k) =>
        expect(Array.from(b.parameters()[k].dataSync()), name).toEqual(Array.from(p.dataSync())),
      );
    }
  });

  it('fit callbacks write checkpoints and CSV/JSON logs', () => {
    d.manualSeed(3);
    const m = new nn.Sequential(new nn.Linear(2, 3));
    const last = join(dir, 'last.safetensors');
    const best = join(dir, 'best.safetensors');
    const csv = join(dir, 'log.csv');
    const json = join(dir, 'log.json');
    fit(m, {
      loss: d.crossEntropy,
      optimizer: new Adam(m.parameters(), { lr: 0.1 }),
      data: [[d.randn([8, 2]), tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' })]],
      epochs: 3,
      progress: false,
      callbacks: [
        new io.ModelCheckpoint({ last, best, monitor: 'loss' }),
        new io.CSVLogger(csv),
        new io.JSONLogger(json),
      ],
    });
    expect(existsSync(last) && existsSync(best)).toBe(true);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,loss,lr,seconds');
    expect(lines.length).toBe(4);
    expect(JSON.parse(readFileSync(json, 'utf8')).length).toBe(3);
    const m2 = new nn.Sequential(new nn.Linear(2, 3));
    expect(io.loadCheckpoint(last, m2).progress.epoch).toBe(3);
  });

  it('a 5M-parameter model with Adam state saves and loads back exactly, in a file of 3x the parameter bytes', () => {
    d.manualSeed(5);
    const make = () => new nn.Linear(2236, 2236);
    const a = make();
    const opt = new Adam(a.parameters(), { lr: 1e-3 });
    d.mseLoss(a.call(d.randn([4, 2236])), d.zeros([4, 2236])).backward();
    opt.step();
    const params = a.numParameters();
    expect(params).toBeGreaterThan(5e6);
    const path = join(dir, 'big.safetensors');
    let t0 = performance.now();
    io.saveCheckpoint(path, a, { optimizer: opt, progress: { epoch: 1 } });
    const saveMs = performance.now() - t0;
    const size = statSync(path).size;
    const ideal = 3 * params * 4;
    expect(Math.abs(size / ideal - 1)).toBeLessThan(0.01);
    const b = make();
    const optB = new Adam(b.parameters(), { lr: 1e-3 });
    t0 = performance.now();
    io.loadCheckpoint(path, b, { optimizer: optB });
    const loadMs = performance.now() - t0;
    a.parameters().forEach((p, k) => sameBits(p, b.parameters()[k]));
    const sa = opt.stateDict().state;
    const sb = optB.stateDict().state;
    for (const k of Object.keys(sa)) {
      sameBits(sa[k].expAvg as Tensor, sb[k].expAvg as Tensor);
      sameBits(sa[k].expAvgSq as Tensor, sb[k].expAvgSq as Tensor);
      expect(sb[k].step).toBe(sa[k].step);
    }
    console.log(
      `5M checkpoint: ${params} parameters, ${size} bytes = ${(size / ideal).toFixed(5)} x 3x parameter bytes; save ${saveMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms`,
    );
  }, 60_000);

  it('resuming with dropout and a shuffled DataLoader is bitwise identical to the uninterrupted run', () => {
    const x = (() => {
      d.manualSeed(11);
      return d.randn([40, 4]);
    })();
    const y = d.randint(0, 3, [40]);
    const setup = () => {
      d.manualSeed(12);
      const model = new nn.Sequential(
        new nn.Linear(4, 16),
        new nn.ReLU(),
        new nn.Dropout(0.3),
        new nn.Linear(16, 3),
      );
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      const gen = new Generator(13);
      const data = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, generator: gen });
      return { model, optimizer, gen, data };
    };
    const run = (s: ReturnType<typeof setup>, epochs: number) =>
      fit(s.model, { loss: d.crossEntropy, optimizer: s.optimizer, data: s.data, epochs, progress: false });
    const straight = setup();
    run(straight, 4);
    const first = setup();
    run(first, 2);
    const path = join(dir, 'resume.safetensors');
    io.saveCheckpoint(path, first.model, { optimizer: first.optimizer, generators: { loader: first.gen } });
    d.randn([100]); // a new process would start from other random state
    const second = setup();
    d.randn([7]);
    io.loadCheckpoint(path, second.model, {
      optimizer: second.optimizer,
      generators: { loader: second.gen },
    });
    run(second, 2);
    straight.model.parameters().forEach((p, k) => bitsEqual(p, second.model.parameters()[k]));
    // Without the generators' states the runs part: the test could fail.
    const third = setup();
    io.loadCheckpoint(path, third.model, { optimizer: third.optimizer, restoreDefaultGenerator: false });
    run(third, 2);
    expect(third.model.parameters()[0].dataSync()).not.toEqual(straight.model.parameters()[0].dataSync());
  });

  it('a save removes the temp files of dead writers of the same file, not those of live ones', () => {
    const path = join(dir, 'temps.safetensors');
    const dead = join(dir, '.temps.safetensors.999999999.0badf00d.tmp'); // no such pid
    const live = join(dir, `.temps.safetensors.${process.ppid}.0badf00d.tmp`); // the parent runs
    const other = join(dir, '.other.safetensors.999999999.0badf00d.tmp'); // another file's
    for (const f of [dead, live, other]) writeFileSync(f, 'partial');
    io.saveSafetensors(path, { w: d.zeros([1]) });
    expect([existsSync(dead), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
    rmSync(live);
    rmSync(other);
  });

  const KILLS = Number(process.env.DESCEND_KILLS ?? 50);
  it(`checkpoint saves killed (kill -9) at random points: the previous or new one always loads; no temp file survives the next save (${KILLS} kills)`, async () => {
    const path = join(dir, 'killed.safetensors');
    const script = join(dir, 'saver.mjs');
    const dist = (f: string) => JSON.stringify(join(root, 'dist', f));
    writeFileSync(
      script,
      `import { saveCheckpoint } from ${dist('io/index.js')};
       import { Linear } from ${dist('nn/index.js')};
       import { Adam } from ${dist('optim/index.js')};
       import { randn, noGrad } from ${dist('index.js')};
       const m = new Linear(300, 300);
       const opt = new Adam(m.parameters());
       m.call(randn([2, 300])).sum().backward();
       opt.step();
       process.stdout.write('ready\\n');
       for (let i = 1; ; i++) {
         noGrad(() => m.weight.fill_(i));
         saveCheckpoint(${JSON.stringify(path)}, m, { optimizer: opt, progress: { i } });
       }`,
    );
    const g = new Generator(9);
    const target = new nn.Linear(300, 300);
    const opt = new Adam(target.parameters());
    let saved = 0;
    let leftByKills = 0;
    for (let k = 0; k < KILLS; k++) {
      const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((res) => child.stdout.once('data', () => res()));
      await new Promise((r) => setTimeout(r, g.randint(0, 60)));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      leftByKills += readdirSync(dir).filter((f) => f.endsWith('.tmp')).length;
      if (!existsSync(path)) continue;
      const { progress } = io.loadCheckpoint(path, target, {
        optimizer: opt,
        restoreDefaultGenerator: false,
      });
      const w = target.weight.dataSync();
      expect(w[0]).toBe(progress.i);
      expect(w[w.length - 1]).toBe(progress.i);
      saved++;
    }
    expect(saved).toBeGreaterThan(KILLS / 2);
    const temps = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    io.saveCheckpoint(path, target, { optimizer: opt });
    expect(temps()).toEqual([]);
    console.log(
      `${KILLS} kills: ${saved} loads after a kill; ${leftByKills} temp files seen after kills, each removed by the next save; 0 at the end`,
    );
  }, 600_000);
});
