/**
 * A small analogy benchmark in Brown's vocabulary (the categories of Mikolov et al.'s test set: capital
 * and country, gender, tense, plural, comparative), so that "the embeddings are sensible" is a number.
 * Questions with a word outside the vocabulary are skipped and counted.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Vocab } from '../data/text/vocab.js';
import { analogy } from './embeddings.js';

/** a : b :: c : d, by category. */
export const ANALOGIES: Record<string, [string, string, string, string][]> = {
  'capital-country': [
    ['Paris', 'France', 'London', 'England'],
    ['Paris', 'France', 'Moscow', 'Russia'],
    ['London', 'England', 'Rome', 'Italy'],
    ['Moscow', 'Russia', 'Tokyo', 'Japan'],
    ['Berlin', 'Germany', 'Paris', 'France'],
    ['Rome', 'Italy', 'Berlin', 'Germany'],
  ],
  gender: [
    ['man', 'woman', 'he', 'she'],
    ['he', 'she', 'his', 'her'],
    ['man', 'woman', 'boy', 'girl'],
    ['father', 'mother', 'son', 'daughter'],
    ['brother', 'sister', 'father', 'mother'],
    ['king', 'queen', 'man', 'woman'],
    ['husband', 'wife', 'father', 'mother'],
    ['men', 'women', 'boys', 'girls'],
  ],
  tense: [
    ['go', 'went', 'come', 'came'],
    ['say', 'said', 'tell', 'told'],
    ['take', 'took', 'give', 'gave'],
    ['see', 'saw', 'know', 'knew'],
    ['is', 'was', 'are', 'were'],
    ['has', 'had', 'does', 'did'],
    ['make', 'made', 'find', 'found'],
  ],
  plural: [
    ['man', 'men', 'woman', 'women'],
    ['year', 'years', 'day', 'days'],
    ['child', 'children', 'man', 'men'],
    ['house', 'houses', 'car', 'cars'],
    ['city', 'cities', 'country', 'countries'],
    ['boy', 'boys', 'girl', 'girls'],
    ['week', 'weeks', 'month', 'months'],
  ],
  comparative: [
    ['good', 'better', 'bad', 'worse'],
    ['big', 'bigger', 'small', 'smaller'],
    ['long', 'longer', 'short', 'shorter'],
    ['high', 'higher', 'low', 'lower'],
  ],
};

export interface AnalogyScore {
  /** Correct (3CosAdd's top answer, a, b and c excluded) over the questions asked. */
  accuracy: number;
  correct: number;
  asked: number;
  /** Questions skipped for a word outside the vocabulary. */
  skipped: number;
  byCategory: Record<string, { correct: number; asked: number }>;
}

/**
 * Top-1 accuracy of 3CosAdd on the built-in questions.
 * @example
 * const s = analogyAccuracy(vectors, vocab);
 * s.asked + s.skipped // 32
 */
export function analogyAccuracy(table: Tensor, vocab: Vocab): AnalogyScore {
  const by: AnalogyScore['byCategory'] = {};
  let correct = 0;
  let asked = 0;
  let skipped = 0;
  for (const [cat, qs] of Object.entries(ANALOGIES)) {
    by[cat] = { correct: 0, asked: 0 };
    for (const q of qs) {
      if (!q.every((w) => vocab.has(w))) {
        skipped++;
        continue;
      }
      const [a, b, c, d] = q.map((w) => vocab.id(w));
      const top = analogy(table, a, b, c, 1, { skip: [0] })[0];
      const ok = top?.id === d;
      by[cat].asked++;
      asked++;
      if (ok) {
        by[cat].correct++;
        correct++;
      }
    }
  }
  return { accuracy: asked ? correct / asked : NaN, correct, asked, skipped, byCategory: by };
}
