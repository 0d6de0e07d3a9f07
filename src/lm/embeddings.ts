/**
 * Looking at embedding tables: cosine nearest neighbours, analogies (a : b :: c : ?), and 2-D maps by PCA
 * and by t-SNE (van der Maaten & Hinton 2008) with its gradient from descend's autodiff.
 */
import { ValueError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { eye, randn, tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import {
  add,
  div,
  exp,
  log,
  log1p,
  maximum,
  mul,
  neg,
  sqrt,
  sub,
  where,
  lt,
  eq,
} from '../ops/primitives/elementwise.js';
import { sum } from '../ops/primitives/reduce.js';
import { eigh } from '../ops/primitives/linalg.js';
import { matmul } from '../ops/composite/linalg.js';
import { mean } from '../ops/composite/reduce.js';
import { topk } from '../ops/primitives/sort.js';
import { reshape, narrow } from '../ops/primitives/shape.js';
import { indexSelect } from '../ops/composite/shape.js';
import { grad } from '../autograd/transforms.js';
import { noGrad } from '../autograd/mode.js';
import { fmtShape } from '../tensor/shape.js';

export interface Neighbour {
  id: number;
  /** Cosine similarity. */
  score: number;
}

function checkTable(op: string, table: Tensor): void {
  if (table.shape.length !== 2)
    throw new ShapeError(op, `table must be 2-D [words, dim], got shape ${fmtShape(table.shape)}`);
}

/** A row id of the table, or a ValueError naming the argument. */
function checkRow(op: string, name: string, v: number, table: Tensor): void {
  if (!(Number.isInteger(v) && v >= 0 && v < table.shape[0]))
    throw new ValueError(op, `${name} ${v} is out of range for ${table.shape[0]} rows`);
}

/** Rows scaled to unit length (zero rows stay zero).
 * @example normalizeRows(tensor([[3, 4]])) // [[0.6, 0.8]]
 */
export function normalizeRows(table: Tensor): Tensor {
  const n = sqrt(sum(mul(table, table), 1, true));
  return div(table, maximum(n, 1e-12));
}

/** Neighbour options: ids to leave out, and `top`: only the first `top` rows compete. */
export interface NeighbourOptions {
  skip?: readonly number[];
  /**
   * Only rows below this id are candidates. Vocabularies rank words by frequency, and a rare word's vector
   * has barely moved from its random start, so its cosine with anything is noise.
   */
  top?: number;
}

function rankByCosine(
  op: string,
  unit0: Tensor,
  q: Tensor,
  k: number,
  exclude: readonly number[],
  top?: number,
): Neighbour[] {
  return noGrad(() => {
    if (top !== undefined && !(Number.isInteger(top) && top >= 1))
      throw new ValueError(op, `top must be a positive integer, got ${top}`);
    const unit = top !== undefined && top < unit0.shape[0] ? narrow(unit0, 0, 0, top) : unit0;
    const qn = normalizeRows(reshape(q, [1, -1]));
    const sims = reshape(matmul(unit, reshape(qn, [-1, 1])), [-1]);
    const kk = Math.min(unit.shape[0], k + exclude.length);
    if (kk < 1) throw new ValueError(op, 'the table has no rows');
    const { values, indices } = topk(sims, kk);
    const v = values.dataSync();
    const ix = indices.dataSync();
    const out: Neighbour[] = [];
    for (let i = 0; i < kk && out.length < k; i++)
      if (!exclude.includes(ix[i])) out.push({ id: ix[i], score: v[i] });
    return out;
  });
}

/**
 * The `k` rows of `table` most similar (cosine) to row `id`, itself left out.
 * @example nearestNeighbors(vectors, id('Monday'), 10)
 */
export function nearestNeighbors(
  table: Tensor,
  id: number,
  k = 10,
  opts: NeighbourOptions = {},
): Neighbour[] {
  checkTable('nearestNeighbors', table);
  checkRow('nearestNeighbors', 'id', id, table);
  const unit = noGrad(() => normalizeRows(table.detach()));
  return rankByCosine(
    'nearestNeighbors',
    unit,
    narrow(unit, 0, id, 1),
    k,
    [id, ...(opts.skip ?? [])],
    opts.top,
  );
}

/**
 * a : b :: c : ?, by 3CosAdd (Mikolov et al. 2013): the rows closest to b - a + c (unit vectors), the
 * three query words left out.
 * @example analogy(vectors, id('man'), id('king'), id('woman')) // trained vectors put 'queen' near the top
 */
export function analogy(
  table: Tensor,
  a: number,
  b: number,
  c: number,
  k = 5,
  opts: NeighbourOptions = {},
): Neighbour[] {
  checkTable('analogy', table);
  checkRow('analogy', 'a', a, table);
  checkRow('analogy', 'b', b, table);
  checkRow('analogy', 'c', c, table);
  const unit = noGrad(() => normalizeRows(table.detach()));
  const row = (i: number) => narrow(unit, 0, i, 1);
  const q = noGrad(() => add(sub(row(b), row(a)), row(c)));
  return rankByCosine('analogy', unit, q, k, [a, b, c, ...(opts.skip ?? [])], opts.top);
}

/**
 * Principal components: X [N, d] centred and projected on its top-k eigenvectors of the covariance.
 * @example pca(vectors.narrow(0, 1, 30), 2).shape // [30, 2]
 */
export function pca(X: Tensor, k = 2): Tensor {
  checkTable('pca', X);
  const [N, d] = X.shape;
  if (!(Number.isInteger(k) && k >= 1 && k <= d))
    throw new ValueError('pca', `k must be in [1, ${d}], got ${k}`);
  if (N < 2) throw new ValueError('pca', `needs at least 2 rows, got ${N}`);
  return noGrad(() => {
    const x = X.detach().to('float64');
    const c = sub(x, mean(x, 0, true));
    const cov = div(matmul(c.t(), c), N - 1);
    const { vectors } = eigh(cov); // ascending: the last k columns
    const top = indexSelect(
      vectors,
      1,
      tensor(
        Array.from({ length: k }, (_, i) => d - 1 - i),
        { dtype: 'int32' },
      ),
    );
    return matmul(c, top).to(X.dtype);
  });
}

/** Squared Euclidean distances between the rows of Y [N, k]: [N, N].
 * @example pairwiseSqDist(tensor([[0, 0], [3, 4]])) // [[0, 25], [25, 0]]
 */
export function pairwiseSqDist(Y: Tensor): Tensor {
  const sq = sum(mul(Y, Y), 1, true);
  return maximum(add(sub(sq, mul(matmul(Y, Y.t()), 2)), reshape(sq, [1, -1])), 0);
}

/**
 * t-SNE's input affinities: for each row a Gaussian over the others with its precision found by
 * bisection so the row's perplexity is `perplexity`; symmetrized, P = (P + P^T) / 2N. Vectorized over
 * rows (every bisection step is a few tensor ops).
 * @example tsneAffinities(X, 5).sum().item() // 1.000
 */
export function tsneAffinities(X: Tensor, perplexity = 30): Tensor {
  checkTable('tsneAffinities', X);
  const N = X.shape[0];
  if (!(perplexity > 0 && perplexity < N))
    throw new ValueError(
      'tsneAffinities',
      `perplexity must be in (0, ${N}) for ${N} points, got ${perplexity}`,
    );
  return noGrad(() => {
    const D = pairwiseSqDist(X.detach().to('float64'));
    const offDiag = sub(1, eye(N, N, { dtype: 'float64' }));
    const target = Math.log(perplexity);
    let lo = tensor(new Float64Array(N).fill(0), { dtype: 'float64' }).reshape([N, 1]);
    let hi = tensor(new Float64Array(N).fill(Infinity), { dtype: 'float64' }).reshape([N, 1]);
    let beta = tensor(new Float64Array(N).fill(1), { dtype: 'float64' }).reshape([N, 1]);
    let P = D;
    // Shift by the row's smallest off-diagonal distance so exp never underflows to all zeros.
    const Dm = add(D, mul(eq(offDiag, 0), 1e300));
    const dmin = neg(reshape(topk(neg(Dm), 1, 1).values, [N, 1]));
    const shifted = sub(D, dmin);
    for (let it = 0; it < 60; it++) {
      const W = mul(exp(mul(neg(beta), shifted)), offDiag);
      const Z = sum(W, 1, true);
      P = div(W, Z);
      // Entropy H = log Z + beta * E[D - dmin]
      const H = add(log(Z), mul(beta, sum(mul(P, shifted), 1, true)));
      const tooFlat = lt(target, H); // entropy too high: raise beta
      lo = where(tooFlat, beta, lo);
      hi = where(tooFlat, hi, beta);
      beta = where(eq(hi, Infinity), mul(beta, 2), div(add(lo, hi), 2));
    }
    return div(add(P, P.t()), 2 * N);
  });
}

/** t-SNE's objective KL(P || Q) with Student-t affinities Q in the map Y [N, k].
 * @example
 * const P = tsneAffinities(X, 5);
 * const g = grad((y: Tensor) => tsneLoss(y, P))(Y);
 */
export function tsneLoss(Y: Tensor, P: Tensor): Tensor {
  const N = Y.shape[0];
  const offDiag = sub(1, eye(N, N, { dtype: Y.dtype }));
  const num = mul(div(1, add(pairwiseSqDist(Y), 1)), offDiag);
  const Q = div(num, sum(num));
  const Pd = P.to(Y.dtype);
  const safe = where(eq(Pd, 0), 1, Pd);
  return sum(mul(Pd, log(div(safe, maximum(Q, 1e-300)))));
}

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  lr?: number;
  seed?: number;
  /** Early exaggeration (12 for the first 250 iterations, as in the paper's implementations). */
  exaggeration?: number;
  /** Called after each iteration (1-based) with the total: a progress bar's hook. */
  onIteration?: (iteration: number, iterations: number) => void;
}

/**
 * A 2-D map of the rows of X by t-SNE: gradient descent with momentum on KL(P || Q), the gradient from
 * `grad(tsneLoss)`.
 * @example tsne(vectors.narrow(0, 1, 30), { perplexity: 5, iterations: 50 }).shape // [30, 2]
 */
export function tsne(X: Tensor, o: TsneOptions = {}): Tensor {
  const N = X.shape[0];
  const P = tsneAffinities(X, o.perplexity ?? Math.min(30, (N - 1) / 3));
  const iters = o.iterations ?? 500;
  const lr = o.lr ?? Math.max(N / 12, 50);
  const ex = o.exaggeration ?? 12;
  const g = new Generator(o.seed ?? 0);
  let Y = mul(randn([N, 2], { generator: g, dtype: 'float64' }), 1e-4);
  let vel = mul(Y, 0);
  // KL(P || Q) less its constant Σ P log P (P sums to 1): Σ P log(1 + d²) + log Σ_{i≠j} 1/(1 + d²).
  // The same gradient as grad(tsneLoss) with a third of the ops.
  const offDiag = sub(1, eye(N, N, { dtype: 'float64' }));
  const dKL = grad((y: Tensor, p: Tensor) => {
    const D = pairwiseSqDist(y);
    return add(sum(mul(p, log1p(D))), log(sum(mul(div(1, add(D, 1)), offDiag))));
  });
  const Pex = mul(P, ex);
  for (let it = 0; it < iters; it++) {
    const early = it < Math.min(250, iters / 2);
    const gY = dKL(Y, early ? Pex : P);
    const momentum = early ? 0.5 : 0.8;
    vel = noGrad(() => sub(mul(vel, momentum), mul(gY, lr)));
    Y = noGrad(() => add(Y, vel));
    o.onIteration?.(it + 1, iters);
  }
  return Y.to(X.dtype);
}
