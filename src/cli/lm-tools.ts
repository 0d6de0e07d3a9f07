/** `descend lm sample|neighbours|analogy|glove` and `descend names`: using what `descend lm` trained. */
import { checkOutputs, progressOption } from './outputs.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadBrown, loadNames } from '../io/brown.js';
import { loadCheckpoint, loadSafetensors } from '../io/files.js';
import { CheckpointError } from '../io/safetensors.js';
import { NeuralLM, type NeuralLMOptions } from '../lm/neural.js';
import { sampleLM } from '../lm/sample.js';
import { analogy, nearestNeighbors } from '../lm/embeddings.js';
import { sampleNames, trainNameModel } from '../lm/names.js';
import type { Vocab } from '../data/text/vocab.js';
import { GLOVE_FILE, GLOVE_PROGRESS, gloveCommandCore } from './glove-run.js';
import type { RunControl } from './interrupt.js';
import { MAX_EPOCHS, num, usage } from './errors.js';

function loadLM(dir: string): { model: NeuralLM; vocab: Vocab } {
  const path = join(dir, 'lm.safetensors');
  if (!existsSync(path)) usage(`no trained model in '${dir}' (run descend lm first, or pass --out)`);
  const { metadata } = loadSafetensors(path);
  const cfg = metadata.progress
    ? (JSON.parse(metadata.progress) as { config?: NeuralLMOptions }).config
    : undefined;
  if (!cfg) throw new CheckpointError('descend lm', `'${path}' is not a descend lm checkpoint`);
  const { vocab } = loadBrown();
  const model = new NeuralLM(vocab.size, {
    context: cfg.context,
    embeddingDim: cfg.embeddingDim,
    hidden: cfg.hidden,
    direct: cfg.direct,
  });
  loadCheckpoint(path, model);
  return { model, vocab };
}

/** The table asked for; without --table, GloVe when its vectors are there, else C (said on stderr). */
function table(dir: string, which: string | undefined): { t: Tensor; vocab: Vocab } {
  if (which === undefined) {
    const has = existsSync(join(dir, 'glove.safetensors'));
    if (!has) process.stderr.write(`note: no GloVe vectors in '${dir}'; using the model's embeddings C\n`);
    which = has ? 'glove' : 'c';
  }
  if (which === 'glove') {
    const path = join(dir, 'glove.safetensors');
    if (!existsSync(path)) usage(`no GloVe vectors in '${dir}' (run descend lm glove first)`);
    const t = loadSafetensors(path).tensors.vectors;
    if (!t) throw new CheckpointError('descend lm', `'${path}' holds no 'vectors' tensor`);
    return { t, vocab: loadBrown().vocab };
  }
  if (which !== 'c') usage(`--table must be c or glove, got '${which}'`);
  const { model, vocab } = loadLM(dir);
  return { t: model.C.weight, vocab };
}

/** One word's id, or a one-line error naming it with close vocabulary words. */
function wordId(vocab: Vocab, w: string, op: string): number {
  try {
    return vocab.lookup(op, w);
  } catch (e) {
    return usage((e as Error).message);
  }
}

export function lmSampleCommand(
  o: { out: string; words: string; temperature: string; topK?: string; seed: string; prompt?: string },
  log: (s: string) => void,
): string {
  const { model, vocab } = loadLM(o.out);
  const prompt = (o.prompt ?? 'The').split(/\s+/).filter(Boolean);
  const ids = sampleLM(model, vocab.encode(prompt), num('--words', o.words, { int: true, min: 1 }), {
    temperature: num('--temperature', o.temperature, { min: 1e-3 }),
    topK: o.topK === undefined ? undefined : num('--top-k', o.topK, { int: true, min: 1 }),
    generator: new Generator(num('--seed', o.seed, { int: true })),
    ban: [vocab.unkId],
  });
  const text = [...prompt, ...vocab.decode(ids)].join(' ');
  log(text);
  return text;
}

export function lmNeighboursCommand(
  word: string,
  o: { out: string; table?: string; k: string },
  log: (s: string) => void,
): string[] {
  const { t, vocab } = table(o.out, o.table);
  const id = wordId(vocab, word, 'neighbours');
  const ns = nearestNeighbors(t, id, num('-k', o.k, { int: true, min: 1 }), { skip: [0], top: 5000 });
  for (const n of ns) log(`${vocab.tokens[n.id].padEnd(20)} ${n.score.toFixed(3)}`);
  return ns.map((n) => vocab.tokens[n.id]);
}

export function lmAnalogyCommand(
  a: string,
  b: string,
  c: string,
  o: { out: string; table?: string; k: string },
  log: (s: string) => void,
): string[] {
  const { t, vocab } = table(o.out, o.table);
  const [ia, ib, ic] = [a, b, c].map((w) => wordId(vocab, w, 'analogy'));
  const ns = analogy(t, ia, ib, ic, num('-k', o.k, { int: true, min: 1 }), { skip: [0] });
  log(`${a} : ${b} :: ${c} : ?`);
  for (const n of ns) log(`${vocab.tokens[n.id].padEnd(20)} ${n.score.toFixed(3)}`);
  return ns.map((n) => vocab.tokens[n.id]);
}

export interface LmGloveCliOptions {
  out: string;
  epochs: string;
  dim: string;
  window: string;
  limit?: string;
  progress?: boolean;
}

export function lmGloveCommand(o: LmGloveCliOptions, log: (s: string) => void, control?: RunControl): void {
  const epochs = num('--epochs', o.epochs, { int: true, min: 1, max: MAX_EPOCHS });
  const dim = num('--dim', o.dim, { int: true, min: 1 });
  const window = num('--window', o.window, { int: true, min: 1 });
  const limit = o.limit === undefined ? undefined : num('--limit', o.limit, { int: true, min: 100 });
  checkOutputs([
    ['--out', o.out, 'dir'],
    ['the vectors', join(o.out, GLOVE_FILE), 'file'],
    ['the progress file', join(o.out, GLOVE_PROGRESS), 'file'],
  ]);
  control?.announceOutputs?.([o.out]);
  const again = ['descend lm glove', `--out ${o.out}`];
  if (epochs !== 15) again.push(`--epochs ${epochs}`);
  if (dim !== 50) again.push(`--dim ${dim}`);
  if (window !== 10) again.push(`--window ${window}`);
  if (limit !== undefined) again.push(`--limit ${limit}`);
  gloveCommandCore(
    loadBrown({ limit }),
    { out: o.out, epochs, dim, window, progress: o.progress, control, resumeWith: again.join(' ') },
    log,
  );
  log(`wrote ${join(o.out, 'glove.safetensors')}`);
}

export function namesCommand(
  o: { count: string; epochs: string; temperature: string; seed: string; progress?: boolean },
  log: (s: string) => void,
): string[] {
  // Every flag is checked before the seconds of training.
  const count = num('--count', o.count, { int: true, min: 1 });
  const temperature = num('--temperature', o.temperature, { min: 1e-3 });
  const names = loadNames();
  const t0 = Date.now();
  const m = trainNameModel(names, {
    epochs: num('--epochs', o.epochs, { int: true, min: 1, max: MAX_EPOCHS }),
    seed: num('--seed', o.seed, { int: true }),
    progress: progressOption(o.progress),
  });
  log(
    `${names.length} names; held-out loss per character: bigram ${m.validLoss.bigram.toFixed(3)}, MLP ${m.validLoss.mlp.toFixed(3)} nats (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
  const known = new Set(names);
  const out = sampleNames(m, count, {
    temperature,
    generator: new Generator(num('--seed', o.seed, { int: true })),
  });
  log(out.map((n) => (known.has(n) ? n : `${n}*`)).join(' '));
  log('(* not in the training list)');
  return out;
}
