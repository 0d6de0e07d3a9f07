/** Sampling from a context model: temperature and top-k, one token at a time (multinomial on softmax). */
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import { div, lt, where } from '../ops/primitives/elementwise.js';
import { narrow } from '../ops/primitives/shape.js';
import { softmax } from '../ops/composite/softmax.js';
import { multinomial } from '../ops/composite/sampling.js';
import { topk } from '../ops/primitives/sort.js';
import type { ContextModel } from './train.js';

export interface SampleOptions {
  /** Logits are divided by it: below 1 sharper, above 1 flatter (default 1). */
  temperature?: number;
  /** Sample only among the k most likely tokens (default: all). */
  topK?: number;
  generator?: Generator;
  /** Ids never sampled (e.g. the unknown symbol). */
  ban?: readonly number[];
  /** Stop after this id (e.g. an end-of-name symbol). */
  stopAt?: number;
}

/**
 * Samples `length` token ids after `context` (padded on the left with `padId` 0 when shorter than the
 * model's context).
 * @example sampleLM(lmModel, vocab.encode(['The']), 20, { temperature: 0.8, topK: 5 }).length // 20
 */
export function sampleLM(
  model: ContextModel,
  context: ArrayLike<number>,
  length: number,
  o: SampleOptions = {},
): number[] {
  const c = (model as unknown as { opts: { context: number } }).opts.context;
  const temp = o.temperature ?? 1;
  if (!(temp > 0)) throw new ValueError('sampleLM', `temperature must be > 0, got ${temp}`);
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 1))
    throw new ValueError('sampleLM', `topK must be a positive integer, got ${o.topK}`);
  const buf = Array.from(context);
  while (buf.length < c) buf.unshift(0);
  const out: number[] = [];
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let i = 0; i < length; i++) {
      let logits = div(
        model.call(tensor(Int32Array.from(buf.slice(-c)), { dtype: 'int32' }).reshape([1, c])),
        temp,
      );
      if (o.ban?.length) {
        const mask = new Uint8Array(logits.shape[1]);
        for (const b of o.ban) mask[b] = 1;
        logits = where(tensor(mask, { dtype: 'bool' }).reshape([1, -1]), -Infinity, logits);
      }
      if (o.topK !== undefined && o.topK < logits.shape[1]) {
        const kth = narrow(topk(logits, o.topK, 1).values, 1, o.topK - 1, 1);
        logits = where(lt(logits, kth), -Infinity, logits);
      }
      const id = multinomial(softmax(logits, 1), 1, { generator: o.generator }).item();
      out.push(id);
      buf.push(id);
      if (id === o.stopAt) break;
    }
  });
  model.train(wasTraining);
  return out;
}
