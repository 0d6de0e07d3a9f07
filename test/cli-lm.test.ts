/**
 * `descend lm` and `descend names` end to end (the built dist/cli/bin.js) on a few thousand tokens of
 * each Brown split: the table, checkpoint, report, --resume, the query commands and their one-line errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliSandbox, expectUsageError } from './cli-helpers.js';

const { dir, run } = cliSandbox('descend-lm-cli-', 300_000);

describe('descend lm', () => {
  it('trains, prints Kneser-Ney, neural and mixture perplexities, and writes checkpoint, results and report', () => {
    const r = run(
      'lm',
      '--limit',
      '3000',
      '--epochs',
      '2',
      '--out',
      'lm',
      '--no-progress',
      '--map-words',
      '60',
    );
    expect(r.code, r.err).toBe(0);
    for (const row of ['Kneser-Ney n=3', 'Kneser-Ney n=5', 'neural (quick)', 'neural + KN3 (0.5/0.5)'])
      expect(r.out).toContain(row);
    const results = JSON.parse(readFileSync(join(dir, 'lm', 'lm-results.json'), 'utf8'));
    expect(results.rows.length).toBe(4);
    for (const row of results.rows) expect(Number.isFinite(row.test)).toBe(true);
    const html = readFileSync(join(dir, 'lm', 'lm-report.html'), 'utf8');
    expect(html).toContain('Nearest neighbours');
    expect(html).toContain('GloVe vectors');
    // The analogy benchmark, in the table and the report; the subtitle is words, not JSON.
    expect(r.out).toMatch(
      /analogies \(3CosAdd top-1 on \d+ questions\): the model's C \d+\.\d%, GloVe \d+\.\d%/,
    );
    expect(html).toContain('<h2>Analogies</h2>');
    expect(html).not.toMatch(/configuration quick: \{/);
    expect(results.analogies.c.asked).toBeGreaterThan(20);
    expect((html.match(/data-label=/g) ?? []).length).toBe(60);
    expect(existsSync(join(dir, 'lm', 'glove.safetensors'))).toBe(true);
  }, 300_000);

  it('resumes from its checkpoint where it stopped', () => {
    const r = run(
      'lm',
      '--resume',
      'lm/lm.safetensors',
      '--epochs',
      '3',
      '--out',
      'lm2',
      '--no-progress',
      '--no-glove',
      '--map-words',
      '20',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('after epoch 2; training epochs 3-3');
    expect(r.out.match(/^epoch \d\/3/gm)).toEqual(['epoch 3/3']);
    const results = JSON.parse(readFileSync(join(dir, 'lm2', 'lm-results.json'), 'utf8'));
    expect(results.config.name).toBe('quick');
  }, 300_000);

  it('samples text and answers neighbour and analogy queries', () => {
    const s = run('lm', 'sample', '--out', 'lm', '--words', '6', '--prompt', 'The man');
    expect(s.code, s.err).toBe(0);
    expect(s.out.trim().split(' ').length).toBe(8);
    const n = run('lm', 'neighbours', 'the', '--out', 'lm', '-k', '3');
    expect(n.code, n.err).toBe(0);
    expect(n.out.trim().split('\n').length).toBe(3);
    const a = run('lm', 'analogy', 'he', 'his', 'she', '--out', 'lm', '-k', '2');
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain('he : his :: she : ?');
  }, 120_000);

  it('an unknown word gets one line naming it and suggesting close words; bad flags exit 2', () => {
    expectUsageError(
      run('lm', 'neighbours', 'Mondy', '--out', 'lm'),
      /'Mondy' is not in the vocabulary; did you mean 'Monday'/,
    );
    expectUsageError(
      run('lm', 'analogy', 'he', 'hiss', 'she', '--out', 'lm'),
      /analogy: 'hiss' is not in the vocabulary/,
    );
    expectUsageError(run('lm', '--paper', 'mlp99'), /--paper must be one of mlp1, mlp5, mlp7, mlp9/);
    expectUsageError(run('lm', '--hidden', '0'), /--hidden 0 needs --direct/);
    expectUsageError(
      run('train', '--resume', 'lm/lm.safetensors'),
      /'lm\/lm.safetensors' is a descend lm checkpoint; continue it with descend lm --resume/,
    );
    expectUsageError(run('lm', 'sample', '--out', 'nowhere'), /no trained model in 'nowhere'/);
  }, 120_000);
});

describe('descend names', () => {
  it('trains the character model in seconds and samples new names', () => {
    const r = run('names', '--epochs', '1', '--count', '8', '--no-progress');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/held-out loss per character: bigram \d\.\d+, MLP \d\.\d+ nats/);
    expect(r.out).toContain('*');
  }, 120_000);
});
