/**
 * Count-based n-gram language models: maximum likelihood, add-k, and interpolated modified Kneser-Ney
 * (Chen & Goodman 1998, three discounts per order), any order; probabilities, perplexity, sampling.
 */
import { ValueError } from '../errors.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';

export type Smoothing = 'mle' | 'addK' | 'kneserNey';

export interface NGramOptions {
  /** n: the model conditions on n-1 previous tokens. */
  order: number;
  /** |V|: ids are in [0, vocabSize). */
  vocabSize: number;
  /** Default 'kneserNey'. */
  smoothing?: Smoothing;
  /** add-k's pseudo-count (default 1: Laplace). */
  k?: number;
}

/** The words seen after one context: their counts, and how many have count 1, 2 and 3 or more. */
class Context {
  total = 0;
  n1 = 0;
  n2 = 0;
  n3 = 0;
  readonly next = new Map<number, number>();
  add(w: number, c: number): void {
    this.next.set(w, (this.next.get(w) ?? 0) + c);
    this.total += c;
  }
  finish(): void {
    for (const c of this.next.values()) {
      if (c === 1) this.n1++;
      else if (c === 2) this.n2++;
      else this.n3++;
    }
  }
}

/** A context of ids as a compact string key (one or two UTF-16 units per id). */
function keyOf(ids: ArrayLike<number>, from: number, to: number, wide: boolean): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const v = ids[i];
    s += wide ? String.fromCharCode(v & 0xffff, v >>> 16) : String.fromCharCode(v);
  }
  return s;
}

/**
 * Chen & Goodman's discounts D1, D2, D3+ from the counts of counts n1..n4 (Y = n1 / (n1 + 2 n2)),
 * each kept in [0, r] so no probability goes negative; a degenerate table (tiny corpora) falls back to
 * Y = 0.5.
 * @example modifiedKneserNeyDiscounts([10, 5, 3, 2]) // [0.5, 1.1, 1.667]
 */
export function modifiedKneserNeyDiscounts(
  n: readonly [number, number, number, number],
): [number, number, number] {
  const [n1, n2, n3, n4] = n;
  const y = n1 > 0 || n2 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
  const d = (r: number, nr: number, nr1: number) => {
    const v = nr > 0 ? r - (r + 1) * y * (nr1 / nr) : r * 0.5;
    return Math.min(r, Math.max(0, Number.isFinite(v) ? v : r * 0.5));
  };
  return [d(1, n1, n2), d(2, n2, n3), d(3, n3, n4)];
}

/**
 * An n-gram model fitted to a token stream.
 * @example
 * const lm = NGramModel.fit(trainIds, { order: 3, vocabSize: vocab.size });
 * lm.perplexity(testIds, { history: trainIds });
 */
export class NGramModel {
  readonly order: number;
  readonly vocabSize: number;
  readonly smoothing: Smoothing;
  readonly k: number;
  /** tables[j]: contexts of length j -> following words (raw counts at the top order, continuation
   * counts below it for Kneser-Ney). */
  private readonly tables: Map<string, Context>[] = [];
  /** Discounts per context length (Kneser-Ney). */
  readonly discounts: [number, number, number][] = [];
  private readonly wide: boolean;

  private constructor(o: Required<NGramOptions>) {
    this.order = o.order;
    this.vocabSize = o.vocabSize;
    this.smoothing = o.smoothing;
    this.k = o.k;
    this.wide = o.vocabSize > 0xffff;
  }

  /** Counts the n-grams of `ids` (a stream; contexts never reach before its start). */
  static fit(ids: ArrayLike<number>, opts: NGramOptions): NGramModel {
    const op = 'NGramModel.fit';
    const { order, vocabSize } = opts;
    if (!(Number.isInteger(order) && order >= 1 && order <= MAX_ORDER))
      throw new ValueError(op, `order must be an integer in [1, ${MAX_ORDER}], got ${order}`);
    if (!(Number.isInteger(vocabSize) && vocabSize >= 2 && vocabSize <= MAX_VOCAB))
      throw new ValueError(op, `vocabSize must be an integer in [2, ${MAX_VOCAB}], got ${vocabSize}`);
    if (ids.length === 0) throw new ValueError(op, 'the corpus is empty (no tokens)');
    if (ids.length < order)
      throw new ValueError(
        op,
        `a context of ${order - 1} tokens is longer than the text (${ids.length} tokens)`,
      );
    const smoothing = opts.smoothing ?? 'kneserNey';
    if (!['mle', 'addK', 'kneserNey'].includes(smoothing))
      throw new ValueError(op, `smoothing must be 'mle', 'addK' or 'kneserNey', got '${String(smoothing)}'`);
    const k = opts.k ?? 1;
    if (!(k > 0)) throw new ValueError(op, `k must be > 0, got ${k}`);
    checkIds(op, 'token', ids, vocabSize);
    const m = new NGramModel({ order, vocabSize, smoothing, k });
    m.count(ids);
    return m;
  }

  private table(j: number, key: string): Context {
    const t = this.tables[j];
    let c = t.get(key);
    if (!c) t.set(key, (c = new Context()));
    return c;
  }

  private count(ids: ArrayLike<number>): void {
    const n = this.order;
    const kn = this.smoothing === 'kneserNey';
    for (let j = 0; j < n; j++) this.tables.push(new Map());
    const T = ids.length;
    // Top order: raw counts where the full context exists. Lower orders: raw counts (MLE/add-k), or
    // Kneser-Ney's continuation counts, N1+(. ctx w): one for each distinct word before ctx w.
    for (let t = n - 1; t < T; t++) this.table(n - 1, keyOf(ids, t - n + 1, t, this.wide)).add(ids[t], 1);
    for (let j = n - 2; j >= 0; j--) {
      if (kn) {
        for (const [key, ctx] of this.tables[j + 1]) {
          const shorter = this.wide ? key.slice(2) : key.slice(1);
          const lower = this.table(j, shorter);
          for (const w of ctx.next.keys()) lower.add(w, 1);
        }
        // Tokens too close to the start for the order above still count once at their own order.
        for (let t = j; t < Math.min(j + 1, T); t++)
          this.table(j, keyOf(ids, t - j, t, this.wide)).add(ids[t], 1);
      } else {
        for (let t = j; t < T; t++) this.table(j, keyOf(ids, t - j, t, this.wide)).add(ids[t], 1);
      }
    }
    for (let j = 0; j < n; j++) {
      const nr: [number, number, number, number] = [0, 0, 0, 0];
      for (const ctx of this.tables[j].values()) {
        ctx.finish();
        for (const c of ctx.next.values()) if (c <= 4) nr[c - 1]++;
      }
      this.discounts.push(modifiedKneserNeyDiscounts(nr));
    }
  }

  /** The context a position sees: up to n-1 ids before it, shorter near the start of the text. */
  private contextKey(ctx: ArrayLike<number>, j: number): string | null {
    if (ctx.length < j) return null;
    return keyOf(ctx, ctx.length - j, ctx.length, this.wide);
  }

  /** P(w | context); `context` holds the preceding ids (only the last n-1 are read). */
  prob(context: ArrayLike<number>, w: number): number {
    checkIds('NGramModel.prob', 'context id', context, this.vocabSize);
    checkIds('NGramModel.prob', 'word', [w], this.vocabSize);
    return this.probOf(context, w);
  }

  private probOf(context: ArrayLike<number>, w: number): number {
    const n = Math.min(this.order, context.length + 1);
    if (this.smoothing === 'kneserNey') return this.kn(context, w, n - 1);
    const key = this.contextKey(context, n - 1)!;
    const ctx = this.tables[n - 1].get(key);
    const c = ctx?.next.get(w) ?? 0;
    const total = ctx?.total ?? 0;
    if (this.smoothing === 'addK') return (c + this.k) / (total + this.k * this.vocabSize);
    return total > 0 ? c / total : 1 / this.vocabSize; // MLE: an unseen context gets the uniform
  }

  private kn(context: ArrayLike<number>, w: number, j: number): number {
    // Iterative from the unigram up: p_j = max(c - D(c), 0) / total + gamma * p_{j-1}.
    let p = 1 / this.vocabSize;
    for (let i = 0; i <= j; i++) {
      const ctx = this.tables[i].get(this.contextKey(context, i)!);
      if (!ctx || ctx.total === 0) continue; // unseen context: all mass to the lower order
      const [d1, d2, d3] = this.discounts[i];
      const c = ctx.next.get(w) ?? 0;
      const disc = c === 0 ? 0 : c === 1 ? d1 : c === 2 ? d2 : d3;
      const gamma = (d1 * ctx.n1 + d2 * ctx.n2 + d3 * ctx.n3) / ctx.total;
      p = Math.max(c - disc, 0) / ctx.total + gamma * p;
    }
    return p;
  }

  /** P(. | context) over the whole vocabulary (sums to 1). */
  distribution(context: ArrayLike<number>): Float64Array {
    checkIds('NGramModel.distribution', 'context id', context, this.vocabSize);
    return this.distributionOf(context);
  }

  private distributionOf(context: ArrayLike<number>): Float64Array {
    const V = this.vocabSize;
    const out = new Float64Array(V);
    const n = Math.min(this.order, context.length + 1);
    if (this.smoothing !== 'kneserNey') {
      for (let w = 0; w < V; w++) out[w] = this.probOf(context, w);
      return out;
    }
    out.fill(1 / V);
    for (let i = 0; i < n; i++) {
      const ctx = this.tables[i].get(this.contextKey(context, i)!);
      if (!ctx || ctx.total === 0) continue;
      const [d1, d2, d3] = this.discounts[i];
      const gamma = (d1 * ctx.n1 + d2 * ctx.n2 + d3 * ctx.n3) / ctx.total;
      for (let w = 0; w < V; w++) out[w] *= gamma;
      for (const [w, c] of ctx.next) {
        const disc = c === 1 ? d1 : c === 2 ? d2 : d3;
        out[w] += Math.max(c - disc, 0) / ctx.total;
      }
    }
    return out;
  }

  /**
   * log P of every token of `ids` (natural log), each given the tokens before it; `history` is the text
   * before `ids` (e.g. the training text before the test text).
   */
  logProbs(ids: ArrayLike<number>, opts: { history?: ArrayLike<number> } = {}): Float64Array {
    const h = opts.history ?? [];
    checkIds('NGramModel.logProbs', 'token', ids, this.vocabSize);
    checkIds('NGramModel.logProbs', 'history token', h, this.vocabSize);
    const c = this.order - 1;
    const buf: number[] = Array.from(
      { length: Math.min(c, h.length) },
      (_, i) => h[h.length - Math.min(c, h.length) + i],
    );
    const out = new Float64Array(ids.length);
    for (let t = 0; t < ids.length; t++) {
      out[t] = Math.log(this.probOf(buf, ids[t]));
      buf.push(ids[t]);
      if (buf.length > c) buf.shift();
    }
    return out;
  }

  /** exp(mean negative log-likelihood) over every token of `ids`. */
  perplexity(ids: ArrayLike<number>, opts: { history?: ArrayLike<number> } = {}): number {
    if (ids.length === 0) throw new ValueError('NGramModel.perplexity', 'the text is empty (no tokens)');
    let s = 0;
    for (const lp of this.logProbs(ids, opts)) s += lp;
    return Math.exp(-s / ids.length);
  }

  /** Samples `length` ids after `context`, from P(.|context)^(1/temperature) renormalized. */
  sample(
    length: number,
    opts: { context?: readonly number[]; temperature?: number; generator?: Generator } = {},
  ): number[] {
    const op = 'NGramModel.sample';
    const temp = opts.temperature ?? 1;
    if (!(temp > 0 && Number.isFinite(temp)))
      throw new ValueError(op, `temperature must be a finite number > 0, got ${temp}`);
    if (!(Number.isSafeInteger(length) && length >= 0 && length <= MAX_SAMPLE))
      throw new ValueError(op, `length must be an integer in [0, ${MAX_SAMPLE}], got ${length}`);
    const g = opts.generator ?? defaultGenerator;
    const ctx = [...(opts.context ?? [])];
    checkIds(op, 'context id', ctx, this.vocabSize);
    const out: number[] = [];
    for (let i = 0; i < length; i++) {
      const p = this.distributionOf(ctx.slice(-(this.order - 1) || ctx.length));
      if (temp !== 1) sharpen(p, temp);
      const w = drawIndex(p, g);
      out.push(w);
      ctx.push(w);
    }
    return out;
  }
}

/** The largest order `fit` accepts (a longer context is never seen twice in any corpus). */
export const MAX_ORDER = 32;
/** The largest vocabulary (`distribution` allocates |V| numbers per sampled token). */
export const MAX_VOCAB = 2 ** 24;
/** The most ids one `sample` call draws. */
export const MAX_SAMPLE = 10_000_000;

/** Every id an integer in [0, V): a typed error naming the first that is not (no silent truncation). */
function checkIds(op: string, what: string, ids: ArrayLike<number>, V: number): void {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!(Number.isInteger(v) && v >= 0 && v < V))
      throw new ValueError(op, `${what} ${i} is ${v}, outside the vocabulary's ids [0, ${V})`);
  }
}

/** p^(1/T), scaled by its largest entry: in log space, so a tiny T keeps the most likely word. */
function sharpen(p: Float64Array, T: number): void {
  let top = -Infinity;
  for (const v of p) if (v > top) top = v;
  const lt = Math.log(top);
  for (let w = 0; w < p.length; w++) p[w] = p[w] > 0 ? Math.exp((Math.log(p[w]) - lt) / T) : 0;
}

/** An index drawn with probability proportional to p[i] (p need not sum to 1).
 * @example drawIndex([0.2, 0.8], new Generator(0)) // 1 with probability 0.8
 */
export function drawIndex(p: ArrayLike<number>, g: Generator): number {
  let total = 0;
  for (let i = 0; i < p.length; i++) total += p[i];
  let u = g.random() * total;
  for (let i = 0; i < p.length; i++) {
    u -= p[i];
    if (u < 0) return i;
  }
  return p.length - 1;
}
