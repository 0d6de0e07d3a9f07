/**
 * End-to-end tests of the `descend` command (the built dist/cli/bin.js, as users run it) on small
 * subsets: exit codes, files written, and one-line errors for bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, cliSandbox, expectUsageError } from './cli-helpers.js';
import { backend, fullLike } from '../src/index.js';
import { loadSafetensors, saveSafetensors } from '../src/io/index.js';

const { dir, run } = cliSandbox('descend-cli-');

const ckpt = join(dir, 'run', 'model.safetensors');
const logistic = join(dir, 'logistic', 'model.safetensors');

describe('descend CLI', () => {
  beforeAll(() => {
    expect(existsSync(bin), 'dist/cli/bin.js is missing: run npm run build (npm test does)').toBe(true);
  });

  it('--help lists the commands', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    for (const c of ['train', 'eval', 'predict', 'race', 'landscape']) expect(r.out).toContain(c);
    expect(run('train', '--help').out).toContain('--optimizer');
  });

  it('train writes a checkpoint and a report with pictures', () => {
    const r = run(
      'train',
      '--train-size',
      '300',
      '--test-size',
      '100',
      '--epochs',
      '2',
      '--out',
      'run',
      '--no-progress',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/test accuracy\s+\d+\.\d+%/);
    // The backend in use, and with the native one its measured speed-up over the JS backend.
    expect(r.out).toMatch(new RegExp(`backend\\s+${backend()}`));
    if (backend() === 'native') expect(r.out).toMatch(/native speed-up\s+\d+\.\dx over the js backend/);
    expect(existsSync(ckpt)).toBe(true);
    const html = readFileSync(join(dir, 'run', 'report.html'), 'utf8');
    for (const s of [
      'Loss',
      'Accuracy',
      'Learning rate',
      'Gradient norm per layer',
      'Confusion matrix',
      'Misclassified',
    ])
      expect(html).toContain(s);
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(6);
    // Layers are named for people, and the report says which backend ran.
    expect(html).toContain('layer 1: Linear 784→256');
    expect(html).not.toContain('0.weight');
    expect(html).toMatch(new RegExp(`<td>backend</td><td>${backend()}: `));
  }, 120_000);

  it('train --dp trains privately and prints ε beside the accuracy', () => {
    const r = run(
      'train',
      '--dp',
      '--train-size',
      '200',
      '--test-size',
      '100',
      '--epochs',
      '2',
      '--batch-size',
      '40',
      '--optimizer',
      'sgd',
      '--lr',
      '0.5',
      '--noise-multiplier',
      '1.1',
      '--max-grad-norm',
      '1.0',
      '--out',
      'dprun',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/epoch 2\/2 .*test accuracy \d+\.\d+%\s+ε = \d+\.\d+/);
    expect(r.out).toMatch(/privacy\s+ε = \d+\.\d+ at δ = 0\.00001 \(RDP accountant, 10 steps\)/);
    expect(existsSync(join(dir, 'dprun', 'model.safetensors'))).toBe(true);
    expectUsageError(run('train', '--dp', '--noise-multiplier', '-1'), /--noise-multiplier/);
  }, 120_000);

  it('resume of a finished run refuses in one line, and goes on with a new --lr', () => {
    // The 2-epoch cosine schedule reached 0: going on needs a new rate.
    expectUsageError(
      run('train', '--resume', ckpt, '--epochs', '3', '--out', 'run2', '--no-progress'),
      /the cosine schedule reached 0 at epoch 2: give --schedule or --lr to continue/,
    );
    expectUsageError(
      run('train', '--resume', ckpt, '--out', 'run2'),
      /has finished all 2 epochs of its run: pass --epochs greater than 2/,
    );
    expectUsageError(
      run('train', '--resume', ckpt, '--epochs', '3', '--model', 'cnn', '--out', 'run2'),
      /--model cnn differs from the resumed run's mlp/,
    );
    const r = run(
      'train',
      '--resume',
      ckpt,
      '--epochs',
      '3',
      '--lr',
      '1e-3',
      '--out',
      'run2',
      '--no-progress',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/resumed after epoch 2 from/);
    expect(r.out).toMatch(/^epoch 3\/3 /m);
    expect(r.out).not.toMatch(/^epoch [12]\//m);
    expect(r.out).toMatch(/epochs\s+3 \(2 before resuming\)/);
  }, 120_000);

  it('eval and predict load the checkpoint', () => {
    const e = run('eval', '--checkpoint', ckpt, '--test-size', '100');
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(/test accuracy \d+\.\d+% \(100 digits\)/);
    const p = run('predict', '--checkpoint', ckpt, '--index', '0,1');
    expect(p.code, p.err).toBe(0);
    expect(p.out.match(/prediction \d \(p = /g)!.length).toBe(2);
    writeFileSync(join(dir, 'digit.json'), JSON.stringify(new Array(784).fill(0)));
    expect(run('predict', '--checkpoint', ckpt, '--input', 'digit.json').out).toMatch(/prediction \d/);
  }, 120_000);

  it('race writes the contour plot and the table', () => {
    const r = run(
      'race',
      '--function',
      'rosenbrock',
      '--optimizers',
      'adam,lbfgs,newton',
      '--steps',
      '60',
      '--out',
      'race/r.html',
    );
    expect(r.code, r.err).toBe(0);
    // A table with a header whose columns line up: every f has the same width (d.ddde±XX).
    const rows = r.out.split('\n').filter((l) => /^ {2}(adam|lbfgs|newton) /.test(l));
    expect(rows).toHaveLength(3);
    expect(r.out).toMatch(/ {2}optimizer {6}final f {2}steps to f - f\* <= 1e-6\n/);
    for (const row of rows) expect(row).toMatch(/^ {2}\w+ +\d\.\d{3}e[+-]\d{2} {2}(\d+|not within 60)$/);
    expect(new Set(rows.map((l) => l.search(/e[+-]\d{2}/))).size).toBe(1);
    // Outputs are checked before the work: a directory as --out is one line, exit 2.
    for (const cmd of ['race', 'landscape']) {
      const bad = run(cmd, '--out', 'race');
      expect(bad.code, cmd).toBe(2);
      expect(bad.err.trim()).toBe("descend: --out 'race': it is a directory");
    }
    expect(readFileSync(join(dir, 'race', 'r.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(dir, 'race', 'r.html'), 'utf8')).toContain('steps to f - f*');
    const f = run(
      'race',
      '--function',
      'formula',
      '--formula',
      'x^2 + 3*y^2',
      '--optimizers',
      'sgd',
      '--lr',
      'sgd=0.1',
      '--steps',
      '30',
      '--out',
      'race/f.html',
    );
    expect(f.code, f.err).toBe(0);
  });

  it('landscape classifies a saddle and analyzes a checkpoint', () => {
    const r = run('landscape', '--function', 'saddle', '--point', '0,0', '--out', 'l.html');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/kind of point\s+saddle/);
    const q = run('landscape', '--function', 'quadratic', '--kappa', '25');
    expect(q.out).toMatch(/condition number\s+25\b/);
    expect(q.out).toMatch(/max stable GD lr \(2 \/ lambda_max\)\s+0.08\b/);
    const t = run(
      'train',
      '--model',
      'logistic',
      '--train-size',
      '200',
      '--test-size',
      '50',
      '--epochs',
      '1',
      '--out',
      'logistic',
      '--no-progress',
    );
    expect(t.code, t.err).toBe(0);
    const c = run('landscape', '--checkpoint', logistic, '--samples', '50', '--out', 'lc.html');
    expect(c.code, c.err).toBe(0);
    expect(c.out).toMatch(/top eigenvalues\s+[\d.e-]+, /);
  }, 120_000);

  it('bad input: one line on stderr naming what is wrong and what is accepted, exit code 2', () => {
    expectUsageError(
      run('train', '--optimizer', 'adamm'),
      /unknown optimizer 'adamm'; choose from sgd, momentum/,
    );
    expectUsageError(run('train', '--lr', 'fast'), /--lr must be a number, got 'fast'/);
    expectUsageError(run('train', '--epochs', '0'), /--epochs must be >= 1/);
    expectUsageError(run('train', '--model', 'transformer'), /transformer.*(logistic|mlp|cnn)/);
    expectUsageError(run('train', '--bogus'), /unknown option '--bogus'/);
    expectUsageError(run('train', '--backend', 'webgpu'), /unknown --backend 'webgpu'; available here: js/);
    expectUsageError(run('frobnicate'), /unknown command 'frobnicate'; commands: train, eval/);
    expectUsageError(run('trian'), /unknown command 'trian' \(did you mean train\?\)/);
    expectUsageError(run('lm', 'smaple'), /unknown command 'lm smaple' \(did you mean sample\?\)/);
    expectUsageError(
      run('eval', '--checkpoint', 'missing.safetensors'),
      /cannot read 'missing.safetensors': no such file \(ENOENT\)/,
    );
    // Names that are Object's, not the table's, and sizes past any sensible bound.
    expectUsageError(run('train', '--optimizer', 'constructor'), /unknown optimizer 'constructor'/);
    expectUsageError(run('train', '--optimizer', '__proto__'), /unknown optimizer '__proto__'/);
    expectUsageError(run('train', '--epochs', '1e9'), /--epochs must be <= 100000, got 1e9/);
    expectUsageError(
      run('race', '--function', 'formula', '--formula', '('.repeat(5000) + 'x' + ')'.repeat(5000)),
      /nests deeper than 200 levels/,
    );
    writeFileSync(join(dir, 'corrupt.safetensors'), Buffer.from('this is not a checkpoint at all'));
    expectUsageError(
      run('eval', '--checkpoint', 'corrupt.safetensors'),
      /loadSafetensors: .corrupt.safetensors.: the header claims/,
    );
    expectUsageError(run('eval'), /required option '--checkpoint <file>'/);
    expectUsageError(
      run('race', '--optimizers', 'adam,bogus', '--steps', '5'),
      /unknown optimizer 'bogus'; choose from sgd, momentum/,
    );
    expectUsageError(
      run('race', '--function', 'formula', '--formula', 'x^2 + foo(y)'),
      /cannot parse formula .* unknown name 'foo'/,
    );
    expectUsageError(run('race', '--start', '1'), /--start must be two numbers/);
    // Bare `landscape` (the README's command) shows rosenbrock instead of refusing.
    const bare = run('landscape', '--out', 'bare-landscape.html');
    expect(bare.code, bare.err).toBe(0);
    expect(bare.out).toMatch(/no --function or --checkpoint: showing rosenbrock/);
    expect(bare.out).toMatch(/condition number/);
    expectUsageError(run('train', '--train-size', '100000'), /--train-size must be <= 8000, got 100000/);
    const t0 = Date.now();
    expectUsageError(run('names', '--count', '-3'), /--count must be >= 1/);
    expectUsageError(run('names', '--temperature', 'abc'), /--temperature must be a number/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const cuda = run('train', '--backend', 'cuda');
    expectUsageError(cuda, /unknown --backend 'cuda'; available here: [a-z, ]+$/);
    expect(cuda.err).not.toMatch(/OpenBLAS/);
    expectUsageError(
      run('predict', '--checkpoint', ckpt, '--index', '99999'),
      /--index 99999 is out of range/,
    );
    writeFileSync(join(dir, 'digit.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expectUsageError(
      run('predict', '--checkpoint', ckpt, '--input', 'digit.png'),
      /--input 'digit.png' is not JSON; it must hold a JSON array of 784 grey values in 0..1 .*PNG are not read/,
    );
    writeFileSync(join(dir, 'short.json'), '[0.5, 0.5]');
    expectUsageError(
      run('predict', '--checkpoint', ckpt, '--input', 'short.json'),
      /must hold a JSON array of 784/,
    );
  }, 120_000);

  it('--version prints the package version', () => {
    const r = run('--version');
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(bin, '..', '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(r.out.trim()).toBe(pkg.version);
  });

  it('info names the backends and, with the native one, the CPU and each GEMM autotune decision', () => {
    const r = run('info');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^descend \d+\.\d+\.\d+, Node v\d+/);
    expect(r.out).toMatch(/backend: \w+/);
    if (backend() === 'native' && /own kernels: AVX2\+FMA/.test(r.out)) {
      expect(r.out).toMatch(/CPU features: .*avx2/);
      expect(r.out).toMatch(/GEMM autotune \(auto\):/);
      expect(r.out).toMatch(/smallGemm .* own +[\d.]+ us, OpenBLAS +[\d.]+ us -> (own|blas)/);
      expect(r.out).toMatch(/dotGemm .* -> (own|blas)/);
    }
  });

  it('a diverging run and a damaged checkpoint fail with one line and a non-zero exit', () => {
    const r = run(
      'train',
      '--train-size',
      '200',
      '--test-size',
      '50',
      '--epochs',
      '3',
      '--lr',
      '1000',
      '--out',
      'div',
      '--no-progress',
    );
    expect(r.code, r.err).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^descend: (training diverged|the loss became).*try a smaller --lr than 1000$/);
    // One flipped byte in the weights: the checksum catches it (exit 2, bad input).
    const bytes = readFileSync(ckpt);
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    bytes[headerEnd + 100] ^= 0x40;
    writeFileSync(join(dir, 'damaged.safetensors'), bytes);
    expectUsageError(
      run('eval', '--checkpoint', 'damaged.safetensors'),
      /fails its checksum: the file is damaged/,
    );
    // Intact file, NaN weights (a diverged run saved by other code): eval says so and exits 1.
    const { tensors, metadata } = loadSafetensors(ckpt);
    const w = Object.keys(tensors).find((k) => k.startsWith('model.') && k.endsWith('weight'))!;
    tensors[w] = fullLike(tensors[w], NaN);
    saveSafetensors(join(dir, 'nan.safetensors'), tensors, metadata);
    // Refused at load, naming the entry (loadCheckpoint refuses non-finite weights by default).
    expectUsageError(
      run('eval', '--checkpoint', 'nan.safetensors'),
      /^descend: loadCheckpoint: 'nan.safetensors': entry 'model\.[\w.]+' holds NaN at element 0/,
    );
  }, 120_000);
});
