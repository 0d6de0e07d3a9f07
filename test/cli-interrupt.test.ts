/**
 * Runs that survive interruption, end to end (the built dist/cli/bin.js): SIGINT mid-epoch saves a
 * checkpoint and prints how to resume (exit 130), SIGTERM exits 143, `--resume` ends with the weights of a
 * run that never stopped (bit for bit), SIGKILL leaves the last per-epoch checkpoint intact, and the
 * paths a run writes are checked before it trains.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cliSandbox, expectUsageError } from './cli-helpers.js';
import { checkpointProgress, loadSafetensors } from '../src/io/index.js';

const { dir, run } = cliSandbox('descend-interrupt-', 300_000);

/** Runs the CLI and sends `signal` as soon as stdout shows `when`; resolves with the outcome. */
function runAndSignal(
  args: string[],
  when: RegExp,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd: dir });
    let out = '';
    let err = '';
    let sent = false;
    p.stdout.on('data', (d) => {
      out += d;
      if (!sent && when.test(out)) {
        sent = true;
        p.kill(signal);
      }
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code, sig) => resolve({ code, signal: sig, out, err }));
  });
}

/** The model tensors of a checkpoint, as bytes. */
function modelBytes(path: string): Record<string, number[]> {
  const { tensors } = loadSafetensors(path);
  return Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith('model.'))
      .map(([k, t]) => [k, Array.from(new Uint8Array(t.dataSync().buffer))]),
  );
}

const TRAIN = ['--model', 'cnn', '--train-size', '4000', '--test-size', '100', '--epochs', '3'];
const QUIET = ['--no-progress', '--no-speed-probe'];
const ONE_EPOCH = ['--train-size', '100', '--test-size', '20', '--epochs', '1', ...QUIET];
const LM = ['--limit', '8000', '--epochs', '3', '--no-glove', '--map-words', '20', '--batch-size', '32'];

describe('descend train: interrupted and resumed', () => {
  it('SIGINT mid-epoch saves, says how to resume, exits 130; --resume ends bitwise equal to an uninterrupted run', async () => {
    const whole = run('train', ...TRAIN, ...QUIET, '--out', 'whole');
    expect(whole.code, whole.err).toBe(0);
    const r = await runAndSignal(['train', ...TRAIN, ...QUIET, '--out', 'cut'], /^epoch 1\/3 /m, 'SIGINT');
    expect(r.code, r.err).toBe(130);
    const line = r.err.trim().split('\n').pop()!;
    expect(line).toMatch(
      /^descend: SIGINT: stopped at epoch 2, step \d+ of 63; saved cut\/model\.safetensors; resume with: descend train --resume cut\/model\.safetensors$/,
    );
    const step = Number(/step (\d+) of/.exec(line)![1]);
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(63);
    expect(readdirSync(join(dir, 'cut')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const progress = checkpointProgress(join(dir, 'cut', 'model.safetensors')) as {
      fit: { epoch: number; step: number };
    };
    expect([progress.fit.epoch, progress.fit.step]).toEqual([1, step]);
    const resumed = run('train', '--resume', 'cut/model.safetensors', ...QUIET);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(new RegExp(`resumed after epoch 1, step ${step} from`));
    expect(resumed.out.match(/^epoch \d\/3/gm)).toEqual(['epoch 2/3', 'epoch 3/3']);
    const lines = (s: string) => s.match(/^epoch [23]\/3 {2}loss \S+ {2}accuracy \S+ {2}val loss \S+/gm);
    expect(lines(resumed.out)).toEqual(lines(whole.out));
    expect(modelBytes(join(dir, 'cut', 'model.safetensors'))).toEqual(
      modelBytes(join(dir, 'whole', 'model.safetensors')),
    );
    // Finished now: resuming again is a one-line refusal.
    expectUsageError(
      run('train', '--resume', 'cut/model.safetensors'),
      /has finished all 3 epochs of its run: pass --epochs greater than 3 to train on/,
    );
  }, 300_000);

  it('SIGTERM exits 143 with the resume line', async () => {
    const r = await runAndSignal(['train', ...TRAIN, ...QUIET, '--out', 'term'], /^epoch 1\/3 /m, 'SIGTERM');
    expect(r.code, r.err).toBe(143);
    expect(r.err).toMatch(/SIGTERM: stopped at epoch 2, step \d+ of 63; saved term\/model\.safetensors/);
  }, 300_000);

  it('SIGKILL leaves the last per-epoch checkpoint intact', async () => {
    const r = await runAndSignal(
      ['train', ...TRAIN, ...QUIET, '--out', 'killed'],
      // An epoch's line comes after its checkpoint was written.
      /^epoch 1\/3 /m,
      'SIGKILL',
    );
    expect(r.signal).toBe('SIGKILL');
    const p = checkpointProgress(join(dir, 'killed', 'model.safetensors')) as { fit: { epoch: number } };
    expect(p.fit.epoch).toBeGreaterThanOrEqual(1);
    const resumed = run('train', '--resume', 'killed/model.safetensors', ...QUIET);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/^epoch 3\/3 /m);
  }, 300_000);
});

describe('descend lm: interrupted and resumed', () => {
  it('SIGINT mid-epoch saves and --resume ends with the uninterrupted weights, numbering epochs on', async () => {
    const whole = run('lm', ...LM, '--no-progress', '--out', 'lmwhole');
    expect(whole.code, whole.err).toBe(0);
    const r = await runAndSignal(['lm', ...LM, '--no-progress', '--out', 'lmcut'], /^epoch 1\/3 /m, 'SIGINT');
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(
      /SIGINT: stopped at epoch 2, step \d+; saved lmcut\/lm\.safetensors; resume with: descend lm --resume lmcut\/lm\.safetensors/,
    );
    const resumed = run('lm', '--resume', 'lmcut/lm.safetensors', '--no-progress');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/training epochs 2-3/);
    expect(resumed.out).toMatch(/wrote lmcut\/lm-report\.html/);
    expect(resumed.out.match(/^epoch \d\/3/gm)).toEqual(['epoch 2/3', 'epoch 3/3']);
    expect(modelBytes(join(dir, 'lmcut', 'lm.safetensors'))).toEqual(
      modelBytes(join(dir, 'lmwhole', 'lm.safetensors')),
    );
    expectUsageError(
      run('lm', '--resume', 'lmcut/lm.safetensors'),
      /has finished all 3 epochs|stopped early at epoch 3 .*: nothing to resume/,
    );
  }, 300_000);
});

describe('GloVe: interrupted and resumed', () => {
  const GLOVE = ['--limit', '30000', '--epochs', '3', '--no-progress'];
  const vectors = (out: string) =>
    Array.from(
      new Uint8Array(loadSafetensors(join(dir, out, 'glove.safetensors')).tensors.vectors!.dataSync().buffer),
    );

  it('lm glove: SIGINT saves its progress and the rerun ends with the uninterrupted vectors', async () => {
    const whole = run('lm', 'glove', ...GLOVE, '--out', 'gwhole');
    expect(whole.code, whole.err).toBe(0);
    expect(whole.out.match(/^glove epoch \d\/3/gm)).toEqual([
      'glove epoch 1/3',
      'glove epoch 2/3',
      'glove epoch 3/3',
    ]);
    const r = await runAndSignal(['lm', 'glove', ...GLOVE, '--out', 'gcut'], /^glove epoch 1\/3 /m, 'SIGINT');
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(
      /SIGINT: GloVe stopped (at epoch 2, step \d+|after epoch [12]); saved gcut\/glove-progress\.safetensors; resume with: descend lm glove --out gcut --epochs 3 --limit 30000/,
    );
    expect(readdirSync(join(dir, 'gcut')).sort()).toEqual(['glove-progress.safetensors']);
    const resumed = run('lm', 'glove', ...GLOVE, '--out', 'gcut');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/GloVe: resumed from gcut\/glove-progress\.safetensors after epoch [12]/);
    expect(readdirSync(join(dir, 'gcut')).sort()).toEqual(['glove.safetensors']);
    expect(vectors('gcut')).toEqual(vectors('gwhole'));
    // Other flags than the saved run's: one line, nothing trained.
    await runAndSignal(['lm', 'glove', ...GLOVE, '--out', 'gcut2'], /^glove epoch 1\/3 /m, 'SIGINT');
    expectUsageError(
      run('lm', 'glove', ...GLOVE, '--dim', '20', '--out', 'gcut2'),
      /gcut2\/glove-progress\.safetensors' is a GloVe run with --dim 50 --window 10 over \d+ words: pass the same to resume it, or delete it to start over/,
    );
  }, 300_000);

  it('lm --resume of a run whose model finished but whose GloVe did not: GloVe only, then the report', () => {
    const first = run('lm', ...LM, '--no-progress', '--out', 'lmglove');
    expect(first.code, first.err).toBe(0);
    const resumed = run('lm', '--resume', 'lmglove/lm.safetensors', '--no-progress');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/the neural model finished its training; GloVe is not done yet/);
    expect(resumed.out).not.toMatch(/^epoch /m);
    expect(resumed.out).toMatch(/^glove epoch 15\/15 /m);
    expect(readdirSync(join(dir, 'lmglove'))).toContain('glove.safetensors');
    expect(resumed.out).toMatch(/GloVe \d+(\.\d)?%/);
    // Now nothing is left: a one-line refusal.
    expectUsageError(
      run('lm', '--resume', 'lmglove/lm.safetensors'),
      /has finished all 3 epochs|nothing to resume/,
    );
  }, 300_000);
});

describe('the paths a run writes are checked before it trains', () => {
  it('--out on a file, --save on a directory, a missing parent or a long name: one line, nothing trained', () => {
    writeFileSync(join(dir, 'afile'), 'x');
    mkdirSync(join(dir, 'adir'), { recursive: true });
    const quick = ['--train-size', '100', '--test-size', '20', '--epochs', '1', ...QUIET];
    expectUsageError(
      run('train', ...quick, '--out', 'afile'),
      /--out 'afile': it is a file, not a directory/,
    );
    expectUsageError(run('train', ...quick, '--save', 'adir'), /--save 'adir': it is a directory/);
    expectUsageError(
      run('train', ...quick, '--save', `${'n'.repeat(300)}.safetensors`),
      /the name is too long/,
    );
    expectUsageError(
      run('train', ...quick, '--save', 'afile/x.safetensors'),
      /'[^']*afile' is a file, not a directory/,
    );
    expect(readdirSync(join(dir, 'adir'))).toEqual([]);
    expectUsageError(run('lm', '--limit', '3000', '--out', 'afile'), /--out 'afile': it is a file/);
  });
  it('a read-only directory is refused up front (unless root, who may write anyway)', () => {
    mkdirSync(join(dir, 'ro'), { recursive: true });
    chmodSync(join(dir, 'ro'), 0o555);
    const r = run('train', ...ONE_EPOCH, '--out', 'ro');
    if (process.getuid?.() === 0) expect(r.code, r.err).toBe(0);
    else expectUsageError(r, /--out 'ro': .*not writable/);
    chmodSync(join(dir, 'ro'), 0o755);
  });
  it('a symlinked checkpoint is written through: the link stays a link', () => {
    mkdirSync(join(dir, 'real'), { recursive: true });
    writeFileSync(join(dir, 'real', 'target.safetensors'), 'old');
    symlinkSync(join(dir, 'real', 'target.safetensors'), join(dir, 'link.safetensors'));
    const r = run('train', ...ONE_EPOCH, '--out', 'sl', '--save', 'link.safetensors');
    expect(r.code, r.err).toBe(0);
    expect(lstatSync(join(dir, 'link.safetensors')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real', 'target.safetensors')).length).toBeGreaterThan(1000);
  });
});
