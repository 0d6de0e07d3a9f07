/**
 * Writes the playground's word vectors: the 2,000 most frequent words of the Brown training text and
 * their GloVe vectors (as trained by `descend lm glove`), each row scaled to unit length and stored as
 * int8 (cosine similarity needs only directions), base64, in apps/playground/data/embeddings.json.
 *   npx tsx scripts/export-embeddings.ts [dir with glove.safetensors, default descend-lm]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBrown, loadSafetensors } from '../src/io/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? 'descend-lm';
const WORDS = 2000;
const { vocab } = loadBrown();
const vectors = loadSafetensors(join(dir, 'glove.safetensors')).tensors.vectors;
if (!vectors || vectors.shape[0] !== vocab.size)
  throw new Error(`${dir}/glove.safetensors does not fit the Brown vocabulary`);
const dim = vectors.shape[1];
const data = vectors.dataSync();
const bytes = new Int8Array(WORDS * dim);
// ids rank frequency and id 0 is '<unk>': rows 1..WORDS.
for (let w = 0; w < WORDS; w++) {
  const row = data.subarray((w + 1) * dim, (w + 2) * dim);
  const norm = Math.hypot(...row) || 1;
  for (let j = 0; j < dim; j++) bytes[w * dim + j] = Math.round((row[j] / norm) * 127);
}
const out = join(root, 'apps/playground/data/embeddings.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify({
    source:
      'GloVe (descend lm glove) on the first 800,000 tokens of the Brown corpus; unit rows as int8 / 127',
    dim,
    words: vocab.tokens.slice(1, WORDS + 1),
    int8: Buffer.from(bytes.buffer).toString('base64'),
  }),
);
console.log(`wrote ${out}: ${WORDS} words x ${dim}`);
