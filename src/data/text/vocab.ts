/** Tokenisation and vocabularies: words (or characters) to integer ids, with an unknown symbol. */
import { ValueError } from '../../errors.js';

/**
 * Splits text into words and punctuation marks (case kept): "Don't stop." -> ["Don't", "stop", "."].
 * @example tokenize('The cat sat.') // ['The', 'cat', 'sat', '.']
 */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu) ?? [];
}

export interface VocabOptions {
  /** Words seen this many times or fewer become `unk` (Bengio et al. 2003 used 3). Default 0. */
  maxMergedCount?: number;
  /** The unknown symbol. Default '<unk>'. */
  unk?: string;
  /** Symbols placed first, whatever their counts (e.g. a boundary '<s>'). */
  specials?: readonly string[];
}

/**
 * A vocabulary: id 0 is the unknown symbol, then the specials, then words by decreasing count (ties by
 * first appearance), so ids also rank frequency.
 * @example const v = Vocab.build(['a', 'b', 'a']); v.encode(['a', 'z']) // [1, 0]
 */
export class Vocab {
  readonly unk: string;
  readonly unkId = 0;
  private readonly ids = new Map<string, number>();

  private constructor(
    readonly tokens: readonly string[],
    /** Training counts per id (the unknown symbol's is the sum of the merged words). */
    readonly counts: readonly number[],
  ) {
    this.unk = tokens[0];
    tokens.forEach((t, i) => this.ids.set(t, i));
  }

  /** Builds a vocabulary from tokens, merging rare words into the unknown symbol. */
  static build(tokens: Iterable<string>, opts: VocabOptions = {}): Vocab {
    const unk = opts.unk ?? '<unk>';
    const maxMerged = opts.maxMergedCount ?? 0;
    if (!(Number.isInteger(maxMerged) && maxMerged >= 0))
      throw new ValueError('Vocab.build', `maxMergedCount must be a non-negative integer, got ${maxMerged}`);
    const counts = new Map<string, number>();
    let n = 0;
    for (const t of tokens) {
      counts.set(t, (counts.get(t) ?? 0) + 1);
      n++;
    }
    if (n === 0) throw new ValueError('Vocab.build', 'the corpus is empty (no tokens)');
    const specials = (opts.specials ?? []).filter((s) => s !== unk);
    let unkCount = counts.get(unk) ?? 0;
    const kept: [string, number][] = [];
    for (const [t, c] of counts) {
      if (t === unk || specials.includes(t)) continue;
      if (c <= maxMerged) unkCount += c;
      else kept.push([t, c]);
    }
    kept.sort((a, b) => b[1] - a[1]); // stable: ties keep first appearance
    const toks = [unk, ...specials, ...kept.map((k) => k[0])];
    const cnts = [unkCount, ...specials.map((s) => counts.get(s) ?? 0), ...kept.map((k) => k[1])];
    if (toks.length < 2)
      throw new ValueError(
        'Vocab.build',
        `the vocabulary has size 1 (only '${unk}'): every word was seen ${maxMerged} times or fewer`,
      );
    return new Vocab(toks, cnts);
  }

  /** A vocabulary from a list of symbols in id order (the first is the unknown symbol). */
  static fromTokens(tokens: readonly string[], counts?: readonly number[]): Vocab {
    if (tokens.length < 2)
      throw new ValueError('Vocab.fromTokens', `a vocabulary needs at least 2 symbols, got ${tokens.length}`);
    if (new Set(tokens).size !== tokens.length)
      throw new ValueError('Vocab.fromTokens', 'the symbols must be distinct');
    return new Vocab([...tokens], counts ? [...counts] : tokens.map(() => 0));
  }

  get size(): number {
    return this.tokens.length;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The id of a token (the unknown symbol's id for a word not in the vocabulary). */
  id(token: string): number {
    return this.ids.get(token) ?? this.unkId;
  }

  /** The id of a token that must be in the vocabulary: a ValueError names it and suggests close words. */
  lookup(op: string, token: string): number {
    const i = this.ids.get(token);
    if (i === undefined) {
      const near = this.closest(token, 3);
      throw new ValueError(
        op,
        `'${token.slice(0, 40)}' is not in the vocabulary` +
          (near.length ? `; did you mean ${near.map((w) => `'${w}'`).join(', ')}?` : ''),
      );
    }
    return i;
  }

  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.id(tokens[i]);
    return out;
  }

  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (i) => this.tokens[i] ?? this.unk);
  }

  /**
   * The `k` vocabulary words closest to `word` by edit distance ignoring case, then by exact edit distance
   * (so 'Mondy' suggests 'Monday' before 'money'), then by frequency.
   */
  closest(word: string, k = 3): string[] {
    const w = word.slice(0, 40);
    const lw = w.toLowerCase();
    const scored: [number, number, number][] = [];
    for (let i = 1; i < this.tokens.length; i++) {
      const t = this.tokens[i];
      if (Math.abs(t.length - w.length) > 3) continue;
      scored.push([editDistance(lw, t.toLowerCase()), editDistance(w, t), i]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    return scored.slice(0, k).map(([, , i]) => this.tokens[i]);
  }
}

/** Levenshtein distance.
 * @example editDistance('Mondy', 'Monday') // 1
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
