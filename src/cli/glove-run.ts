/**
 * GloVe training for `descend lm` and `descend lm glove`: checkpointed after every epoch to
 * <out>/glove-progress.safetensors, stopped by a signal at the next step (after saving), resumed from
 * that file by the next run, and ended by writing <out>/glove.safetensors and removing the progress file.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import type { BrownData } from '../io/brown.js';
import { checkpointProgress, loadCheckpoint, saveCheckpoint, saveSafetensors } from '../io/files.js';
import { cooccurrence, trainGlove, type GloveCheckpoint, type GloveState } from '../lm/glove.js';
import { Interrupted, type RunControl } from './interrupt.js';
import { progressOption } from './outputs.js';
import { usage } from './errors.js';

export const GLOVE_FILE = 'glove.safetensors';
export const GLOVE_PROGRESS = 'glove-progress.safetensors';

/** Whether <out> lacks finished GloVe vectors (none yet, or a run under way). */
export function glovePending(out: string): boolean {
  return !existsSync(join(out, GLOVE_FILE)) || existsSync(join(out, GLOVE_PROGRESS));
}

export interface GloveRunOptions {
  out: string;
  epochs: number;
  dim?: number;
  window?: number;
  progress?: boolean;
  control?: RunControl;
  /** The command that resumes this run, for the line a signal prints. */
  resumeWith: string;
}

interface SavedConfig {
  dim: number;
  window: number;
  vocabSize: number;
}

/** Trains GloVe vectors on the training text (resuming a run under way), saves them to <out>/glove.safetensors. */
export function gloveCommandCore(data: BrownData, o: GloveRunOptions, log: (s: string) => void): Tensor {
  const t0 = Date.now();
  const config: SavedConfig = { dim: o.dim ?? 50, window: o.window ?? 10, vocabSize: data.vocab.size };
  const progressPath = join(o.out, GLOVE_PROGRESS);
  let saved: GloveState | null = null;
  if (existsSync(progressPath)) {
    const p = checkpointProgress(progressPath);
    const cfg = p.config as SavedConfig | undefined;
    const st = p.glove as GloveState | undefined;
    if (!cfg || !st || typeof st.epoch !== 'number')
      usage(`'${progressPath}' is not a GloVe run's progress: delete it to start over`);
    if (cfg.dim !== config.dim || cfg.window !== config.window || cfg.vocabSize !== config.vocabSize)
      usage(
        `'${progressPath}' is a GloVe run with --dim ${cfg.dim} --window ${cfg.window} over ${cfg.vocabSize} words: pass the same to resume it, or delete it to start over`,
      );
    if (st.epoch > o.epochs)
      usage(`'${progressPath}' has done ${st.epoch} GloVe epochs, more than --epochs ${o.epochs}`);
    saved = st;
  }
  // '<unk>' (id 0) is left out: it co-occurs with everything and says nothing.
  const X = cooccurrence(data.train, { vocabSize: data.vocab.size, window: config.window, skipBelow: 1 });
  log(`GloVe: ${X.values.length} non-zero co-occurrences (window ${config.window}, 1/d weighting)`);
  const save = (c: GloveCheckpoint) =>
    saveCheckpoint(progressPath, c.model, {
      optimizer: c.optimizer,
      generators: { glove: c.generator },
      progress: { config, glove: c.state },
    });
  const state = saved;
  const r = trainGlove(X, {
    dim: config.dim,
    epochs: o.epochs,
    progress: progressOption(o.progress),
    shouldStop: o.control ? () => o.control!.stopRequested() !== null : undefined,
    onCheckpoint: save,
    resumeFrom: state
      ? ({ model, optimizer, generator }) => {
          loadCheckpoint(progressPath, model, {
            optimizer,
            generators: { glove: generator },
            restoreDefaultGenerator: false,
          });
          log(
            `GloVe: resumed from ${progressPath} after epoch ${state.epoch}${state.step ? `, step ${state.step}` : ''}`,
          );
          return state;
        }
      : undefined,
  });
  const signal = o.control?.stopRequested();
  if (r.interrupted && signal) {
    const at = r.interrupted;
    throw new Interrupted(
      signal,
      `${signal}: GloVe stopped ${at.step ? `at epoch ${at.epoch}, step ${at.step}` : `after epoch ${at.epoch - 1}`}; saved ${progressPath}; resume with: ${o.resumeWith}`,
    );
  }
  saveSafetensors(join(o.out, GLOVE_FILE), { vectors: r.vectors }, { vocabSize: String(data.vocab.size) });
  rmSync(progressPath, { force: true });
  log(
    `GloVe: loss ${r.losses[0]?.toFixed(4)} -> ${r.losses[r.losses.length - 1]?.toFixed(4)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  return r.vectors;
}
