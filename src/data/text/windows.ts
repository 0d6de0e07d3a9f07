/** n-gram context windows over a stream of token ids, as tensors, and a DataLoader over them. */
import { ValueError } from '../../errors.js';
import type { Generator } from '../../tensor/random.js';
import { tensor } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { DataLoader, TensorDataset } from '../dataset.js';

export interface WindowOptions {
  /**
   * The text just before this stream (e.g. the training text before the validation text), so the first
   * tokens have real contexts and every token is predicted. Without it, missing context is `padId`.
   */
  history?: ArrayLike<number>;
  /** The id that fills context before the start of the text (default 0). */
  padId?: number;
}

/**
 * For every position t of `ids`, the context ids[t-n+1..t-1] and the target ids[t]: contexts int32
 * [T, n-1] and targets int32 [T]. Every token is a target, so perplexities count every token.
 * @example const { contexts, targets } = ngramWindows(Int32Array.from([1, 2, 3]), 3)
 */
export function ngramWindows(
  ids: ArrayLike<number>,
  n: number,
  opts: WindowOptions = {},
): { contexts: Tensor; targets: Tensor } {
  const op = 'ngramWindows';
  if (!(Number.isInteger(n) && n >= 1)) throw new ValueError(op, `n must be an integer >= 1, got ${n}`);
  const T = ids.length;
  if (T === 0) throw new ValueError(op, 'the text is empty (no tokens)');
  const c = n - 1;
  const hist = opts.history ?? [];
  if (c >= T && hist.length === 0)
    throw new ValueError(op, `a context of ${c} tokens (n = ${n}) is longer than the text (${T} tokens)`);
  const pad = opts.padId ?? 0;
  const ctx = new Int32Array(T * c);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < c; j++) {
      const p = t - c + j;
      ctx[t * c + j] = p >= 0 ? ids[p] : hist.length + p >= 0 ? hist[hist.length + p] : pad;
    }
  }
  return {
    contexts: tensor(ctx, { dtype: 'int32' }).reshape([T, c]),
    targets: tensor(Int32Array.from(ids), { dtype: 'int32' }),
  };
}

/**
 * A DataLoader of [contexts, targets] minibatches over a token stream.
 * @example for (const [ctx, y] of ngramLoader(ids, 5, { batchSize: 128, shuffle: true })) console.log(ctx.shape);
 */
export function ngramLoader(
  ids: ArrayLike<number>,
  n: number,
  opts: WindowOptions & { batchSize?: number; shuffle?: boolean; generator?: Generator } = {},
): DataLoader {
  const { contexts, targets } = ngramWindows(ids, n, opts);
  return new DataLoader(new TensorDataset(contexts, targets), {
    batchSize: opts.batchSize ?? 128,
    shuffle: opts.shuffle ?? false,
    generator: opts.generator,
  });
}
