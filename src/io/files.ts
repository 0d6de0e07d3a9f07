/**
 * Files (Node only): atomic writes, safetensors on disk, and training checkpoints (model state, optimizer
 * state and progress in one safetensors file).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import {
  CheckpointError,
  type SafetensorsContents,
  parseSafetensors,
  serializeSafetensors,
} from './safetensors.js';

/**
 * Writes bytes so that `path` always holds either the old file or the complete new one: a temporary file
 * in the same directory, fsync, then rename over the target.
 * @example writeFileAtomic('model.safetensors', bytes)
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Directories cannot be fsynced on every platform; the rename is still atomic.
  }
}

/** Saves named tensors as a safetensors file, atomically. @example saveSafetensors('w.safetensors', model.stateDict()) */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/** Loads and validates a safetensors file. @example const { tensors } = loadSafetensors('w.safetensors') */
export function loadSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CheckpointError('loadSafetensors', `cannot read '${path}': ${(e as Error).message}`);
  }
  return parseSafetensors(bytes);
}

/** What a training checkpoint holds besides the model. */
export interface CheckpointExtras {
  optimizer?: Optimizer<object>;
  /** Training progress and anything JSON-serializable (epoch, step, best metric, history...). */
  progress?: Record<string, unknown>;
}

/**
 * Saves a model's state dict (tensors under `model.`), and optionally the optimizer's state dict and
 * training progress (as JSON in the metadata), to one safetensors file, atomically.
 * @example saveCheckpoint('ckpt.safetensors', model, { optimizer, progress: { epoch } })
 */
export function saveCheckpoint(path: string, model: Module, extras: CheckpointExtras = {}): void {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) tensors[`model.${k}`] = t.detach();
  const metadata: Record<string, string> = { format: 'descend-checkpoint-1' };
  if (extras.optimizer) {
    // State tensors (Adam's moments...) are stored as tensors, named optim.<param>.<key>; the JSON keeps
    // a reference, so the header stays small whatever the model's size.
    const sd = extras.optimizer.stateDict();
    for (const [i, st] of Object.entries(sd.state)) {
      for (const [k, v] of Object.entries(st)) {
        if (v instanceof Tensor) {
          const name = `optim.${i}.${k}`;
          tensors[name] = v.detach();
          st[k] = { $tensor: name };
        }
      }
    }
    metadata.optimizer = JSON.stringify(sd);
  }
  if (extras.progress) metadata.progress = JSON.stringify(extras.progress);
  saveSafetensors(path, tensors, metadata);
}

/**
 * Loads a checkpoint into a model (strict key and shape checks) and optionally an optimizer; returns the
 * saved progress.
 * @example const { progress } = loadCheckpoint('ckpt.safetensors', model, { optimizer });
 */
export function loadCheckpoint(
  path: string,
  model: Module,
  extras: { optimizer?: Optimizer<object> } = {},
): { progress: Record<string, unknown> } {
  const { tensors, metadata } = loadSafetensors(path);
  const sd: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (k.startsWith('optim.')) continue;
    if (!k.startsWith('model.'))
      throw new CheckpointError(
        'loadCheckpoint',
        `unexpected tensor '${k}' (model tensors are named 'model.*')`,
      );
    sd[k.slice(6)] = t;
  }
  let optState: OptimizerStateDict | null = null;
  if (extras.optimizer) {
    if (!metadata.optimizer)
      throw new CheckpointError('loadCheckpoint', `'${path}' holds no optimizer state`);
    optState = parseJson(metadata.optimizer, 'optimizer') as OptimizerStateDict;
    for (const st of Object.values(optState?.state ?? {})) {
      if (!st || typeof st !== 'object') continue;
      for (const [k, v] of Object.entries(st)) {
        const ref = v && typeof v === 'object' ? (v as { $tensor?: unknown }).$tensor : undefined;
        if (typeof ref !== 'string') continue;
        if (!Object.hasOwn(tensors, ref))
          throw new CheckpointError(
            'loadCheckpoint',
            `the optimizer state names a missing tensor '${ref.slice(0, 80)}'`,
          );
        st[k] = tensors[ref];
      }
    }
  }
  model.loadStateDict(sd);
  if (extras.optimizer && optState) extras.optimizer.loadStateDict(optState);
  return {
    progress: metadata.progress ? (parseJson(metadata.progress, 'progress') as Record<string, unknown>) : {},
  };
}

function parseJson(s: string, what: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    throw new CheckpointError(
      'loadCheckpoint',
      `the ${what} metadata is not valid JSON (${(e as Error).message})`,
    );
  }
}
