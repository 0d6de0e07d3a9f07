/**
 * Files (Node only): atomic writes, safetensors on disk, and training checkpoints (model state, optimizer
 * state and progress in one safetensors file).
 */
import {
  accessSync,
  constants as fsConstants,
  lstatSync,
  readlinkSync,
  statSync,
  closeSync,
  fsyncSync,
  fstatSync,
  openSync,
  readSync,
  readdirSync,
  type Stats,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Tensor } from '../tensor/tensor.js';
import { jsBackend } from '../backends/js/index.js';
import { withBackend } from '../backends/registry.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { DescendError, clip } from '../errors.js';
import {
  type SafetensorsContents,
  decodeEntries,
  headerLength,
  parseHeader,
  serializeSafetensorsParts,
} from './safetensors.js';
import { CheckpointError, parseUntrustedJson, setOwn } from './untrusted.js';

/**
 * Writes bytes so that `path` always holds either the old file or the complete new one: a temporary file
 * in the same directory, fsync, then rename over the target.
 * @example writeFileAtomic('model.safetensors', serializeSafetensors({ w: randn([2]) }))
 */
export function writeFileAtomic(
  path: string,
  data: Uint8Array | string | readonly Uint8Array[],
  op = 'writeFileAtomic',
): void {
  // A symlink is written through (its target is replaced), as a plain write would do.
  const target = resolveLink(path);
  if (isDirectory(target))
    throw new FileWriteError(op, `cannot write '${clip(path, 200)}': it is a directory`);
  removeStaleTemps(target);
  const tmp = join(
    dirname(target),
    `.${basename(target).slice(0, 180)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    throw new FileWriteError(op, `cannot write '${clip(path, 200)}': ${errnoText(e)}`);
  }
  let stage = 'writing';
  try {
    // Pieces are written one after another: a file of any size, no buffer holding all of it.
    const pieces =
      typeof data === 'string' ? [Buffer.from(data, 'utf8')] : Array.isArray(data) ? data : [data];
    for (const buf of pieces as Uint8Array[]) {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, Math.min(buf.length - off, 1 << 30));
    }
    fsyncSync(fd);
    closeSync(fd);
    stage = 'renaming';
    renameSync(tmp, target);
  } catch (e) {
    if (stage === 'writing') closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new FileWriteError(
      op,
      `cannot write '${clip(path, 200)}' (${stage}): ${errnoText(e)}; the old file, if any, is unchanged`,
    );
  }
  try {
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Directories cannot be fsynced on every platform; the rename is still atomic.
  }
}

/** A file the library could not write: names the operation and the path, says what the OS said. */
export class FileWriteError extends DescendError {}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'a file is in the way',
};

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code && ERRNO_TEXT[code] ? `${ERRNO_TEXT[code]} (${code})` : clip((e as Error).message, 160);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The final target of a chain of symlinks (the path itself when it is none or does not exist). */
function resolveLink(path: string): string {
  let p = path;
  for (let i = 0; i < 40; i++) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  return p;
}

/**
 * Why `path` cannot be written as a `kind` ('file': a file is created or replaced there; 'dir': a
 * directory is created if missing and files are written in it), or null when it can. Checks without
 * writing anything but a probe file that it removes.
 */
export function outputProblem(path: string, kind: 'file' | 'dir'): string | null {
  if (basename(path).length > 255)
    return `the name is too long (${basename(path).length} characters, limit 255)`;
  const target = resolveLink(path);
  let st;
  try {
    st = statSync(target);
  } catch {
    st = null;
  }
  if (st) {
    if (kind === 'file' && st.isDirectory()) return 'it is a directory';
    if (kind === 'dir' && !st.isDirectory()) return 'it is a file, not a directory';
  }
  // The nearest existing directory must be a writable directory.
  let dir = kind === 'dir' && st ? target : dirname(resolve(target));
  for (;;) {
    let ds;
    try {
      ds = statSync(dir);
    } catch {
      const up = dirname(dir);
      if (up === dir) return 'no part of its path exists';
      dir = up;
      continue;
    }
    if (!ds.isDirectory()) return `'${clip(dir, 120)}' is a file, not a directory`;
    break;
  }
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EROFS'
      ? `'${clip(dir, 120)}' is on a read-only file system`
      : `'${clip(dir, 120)}' is not writable (${code})`;
  }
  // access() says yes for root on a read-only mount: a probe file says for sure.
  const probe = join(dir, `.descend-probe.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    return `'${clip(dir, 120)}' cannot be written: ${errnoText(e)}`;
  }
  return null;
}

/**
 * Removes the temporary files that writes of `path` killed mid-save left behind: those of processes that
 * no longer run (and this process's own, since its writes are synchronous).
 */
function removeStaleTemps(path: string): void {
  const base = basename(path);
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the write itself will report an unreadable directory
  }
  const prefix = `.${base}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // removed by another writer meanwhile
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Saves named tensors as a safetensors file, atomically. @example saveSafetensors('w.safetensors', model.stateDict()) */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, serializeSafetensorsParts(tensors, metadata), 'saveSafetensors');
}

const FILE_KINDS: [keyof Stats, string][] = [
  ['isDirectory', 'a directory'],
  ['isFIFO', 'a FIFO'],
  ['isCharacterDevice', 'a character device'],
  ['isBlockDevice', 'a block device'],
  ['isSocket', 'a socket'],
];

/** `length` bytes at `position`, read in pieces of at most 1 GiB (reads are capped near 2 GiB). */
function readExact(fd: number, position: number, length: number): Uint8Array {
  const out = Buffer.allocUnsafe(length);
  let off = 0;
  while (off < length) {
    const n = readSync(fd, out, off, Math.min(length - off, 1 << 30), position + off);
    if (n === 0)
      throw new CheckpointError('loadSafetensors', 'the file ended early: it changed while it was read');
    off += n;
  }
  return out;
}

/**
 * Loads and validates a safetensors file: only a regular file (a FIFO or a device is refused, not
 * waited on), its header length and header checked against the file's size before any data is read,
 * then each tensor read on its own (files over 2 GiB load without one buffer holding them).
 * @example const { tensors } = loadSafetensors('w.safetensors')
 */
export function loadSafetensors(path: string): SafetensorsContents {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO would otherwise wait for a writer.
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (ENOENT)' : errnoText(e);
    throw new CheckpointError('loadSafetensors', `cannot read '${clip(path, 200)}': ${why}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = FILE_KINDS.find(([k]) => (st[k] as () => boolean).call(st))?.[1] ?? 'not a regular file';
      throw new CheckpointError('loadSafetensors', `it is ${kind}, not a regular file`);
    }
    const size = st.size;
    const headerLen = headerLength(size >= 8 ? readExact(fd, 0, 8) : new Uint8Array(0), size);
    const header = parseHeader(readExact(fd, 8, headerLen), size - 8 - headerLen);
    return decodeEntries(header, (begin, end) => readExact(fd, 8 + headerLen + begin, end - begin));
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    throw new CheckpointError(
      'loadSafetensors',
      `'${clip(path, 200)}': ${e.message.replace(/^loadSafetensors: /, '')}`,
    );
  } finally {
    closeSync(fd);
  }
}

/** What a training checkpoint holds besides the model. */
export interface CheckpointExtras {
  optimizer?: Optimizer<object>;
  /** Training progress and anything JSON-serializable (epoch, step, best metric, history...). */
  progress?: Record<string, unknown>;
  /**
   * Random generators to save besides the default one (always saved), by name: e.g. a DataLoader's or a
   * Dropout's own generator, so a resumed run draws the same numbers as an uninterrupted one.
   */
  generators?: Record<string, Generator>;
}

/** What `loadCheckpoint` restores besides the model. */
export interface LoadCheckpointOptions {
  optimizer?: Optimizer<object>;
  /** Named generators to restore (each must be in the file). */
  generators?: Record<string, Generator>;
  /** Restore the default generator's state when the file holds it (default true). */
  restoreDefaultGenerator?: boolean;
  /** Accept NaN or ±Infinity in the model's tensors (default false: a typed error names the entry). */
  allowNonFinite?: boolean;
}

const FORMAT = 'descend-checkpoint-1';

/**
 * Saves a model's state dict (tensors under `model.`), and optionally the optimizer's state (its tensors
 * as tensors named `optim.<param>.<key>`, the rest as JSON), the random generators' states and training
 * progress, to one safetensors file, atomically, with a CRC-32 per tensor.
 * @example saveCheckpoint('ckpt.safetensors', model, { optimizer, progress: { epoch: 3 } })
 */
export function saveCheckpoint(path: string, model: Module, extras: CheckpointExtras = {}): void {
  const { tensors, metadata } = checkpointParts(model, extras);
  const device = Object.values(tensors).find((t) => t.backend.readsAsyncOnly);
  if (device)
    throw new CheckpointError(
      'saveCheckpoint',
      `the model's tensors are on ${device.backend.name}, whose reads are asynchronous: use await saveCheckpointAsync(path, model, extras)`,
    );
  saveSafetensors(path, tensors, metadata);
}

/**
 * saveCheckpoint for a model on any backend, a device one (WebGPU) included: the tensors are read back
 * asynchronously (one read each), then written as saveCheckpoint writes them.
 * @example await saveCheckpointAsync('ckpt.safetensors', model, { optimizer })
 */
export async function saveCheckpointAsync(
  path: string,
  model: Module,
  extras: CheckpointExtras = {},
): Promise<void> {
  const { tensors, metadata } = checkpointParts(model, extras);
  const host: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) setOwn(host, k, await onHost(t));
  saveSafetensors(path, host, metadata);
}

/** A tensor the CPU can read: itself, or a JS-backend copy of a device tensor's values. */
async function onHost(t: Tensor): Promise<Tensor> {
  if (!t.backend.readsAsyncOnly) return t;
  const values = await t.data();
  return new Tensor(jsBackend.fromArray(t.dtype, values), t.shape);
}

/** What a checkpoint file holds: its tensors by name and its metadata (nothing read yet). */
function checkpointParts(
  model: Module,
  extras: CheckpointExtras,
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) setOwn(tensors, `model.${k}`, t.detach());
  const metadata: Record<string, string> = { format: FORMAT };
  if (extras.optimizer)
    metadata.optimizer = JSON.stringify(tensorsOut(extras.optimizer.stateDict(), tensors));
  if (extras.progress) metadata.progress = JSON.stringify(encodeValue(extras.progress, 'progress', tensors));
  const rng: Record<string, number[]> = { default: defaultGenerator.getState() };
  for (const [k, g] of Object.entries(extras.generators ?? {})) {
    if (k === 'default')
      throw new CheckpointError('saveCheckpoint', "the generator name 'default' is reserved");
    setOwn(rng, k, g.getState());
  }
  // NaN (no spare normal) is stored as null.
  metadata.rng = JSON.stringify(rng);
  return { tensors, metadata };
}

/**
 * JSON for a value with tensors and non-finite numbers in it: each tensor moves into `tensors` (named
 * `<name>.<path>`) and leaves `{ $tensor: name }`; NaN and ±Infinity become `{ $number: 'NaN' }` etc.
 */
function encodeValue(v: unknown, name: string, tensors: Record<string, Tensor>): unknown {
  if (v instanceof Tensor) {
    setOwn(tensors, name, v.detach());
    return { $tensor: name };
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (Array.isArray(v)) return v.map((x, i) => encodeValue(x, `${name}.${i}`, tensors));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      if (x !== undefined) setOwn(out, k, encodeValue(x, `${name}.${k}`, tensors));
    return out;
  }
  return v;
}

/**
 * The progress a checkpoint holds (tensors and non-finite numbers restored), without loading a model:
 * e.g. a run's configuration, to build the model it fits. A CheckpointError when the file is not one.
 */
export function checkpointProgress(path: string): Record<string, unknown> {
  const op = 'checkpointProgress';
  // Decoded and checked on the host; loading moves them to the model's and optimizer's backend.
  const { tensors, metadata } = withBackend(jsBackend, () => loadSafetensors(path));
  const file = `'${clip(path, 200)}'`;
  if (metadata.format !== FORMAT)
    throw new CheckpointError(
      op,
      `${file} is not a descend checkpoint (format '${clip(metadata.format ?? '')}')`,
    );
  return decodeProgress(op, metadata, tensors, file);
}

function decodeProgress(
  op: string,
  metadata: Record<string, string>,
  tensors: Record<string, Tensor>,
  file: string,
): Record<string, unknown> {
  const raw = Object.hasOwn(metadata, 'progress')
    ? parseUntrustedJson(op, metadata.progress, 'progress metadata')
    : {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new CheckpointError(op, `${file} has progress metadata that is not an object`);
  const used = new Set<string>();
  const out = tensorsIn(raw, tensors, used, file, 'progress.') as Record<string, unknown>;
  const unread = Object.keys(tensors).filter((k) => k.startsWith('progress.') && !used.has(k));
  if (unread.length)
    throw new CheckpointError(
      op,
      `${file} holds progress tensors its progress does not name: ${clip(unread.slice(0, 5).join(', '))}`,
    );
  return out;
}

/** The optimizer state with its tensors moved into `tensors` (named optim.<param>.<key>). */
function tensorsOut(sd: OptimizerStateDict, tensors: Record<string, Tensor>): OptimizerStateDict {
  const state: Record<string, Record<string, unknown>> = {};
  for (const [i, st] of Object.entries(sd.state))
    state[i] = encodeValue(st, `optim.${i}`, tensors) as Record<string, unknown>;
  return { state, paramGroups: sd.paramGroups };
}

/**
 * Loads a checkpoint into a model (strict key and shape checks) and optionally an optimizer and random
 * generators; returns the saved progress. All or nothing: the file, the model's state, the optimizer's
 * state and the generators' states are all checked before anything is written, so a failed load leaves
 * every object as it was. Every failure is a CheckpointError naming the file.
 * @example
 * saveCheckpoint('ckpt.safetensors', model, { optimizer, progress: { epoch: 3 } });
 * const { progress } = loadCheckpoint('ckpt.safetensors', model, { optimizer });
 * progress // { epoch: 3 }
 */
export function loadCheckpoint(
  path: string,
  model: Module,
  extras: LoadCheckpointOptions = {},
): { progress: Record<string, unknown> } {
  const op = 'loadCheckpoint';
  // Decoded and checked on the host; loading moves them to the model's and optimizer's backend.
  const { tensors, metadata } = withBackend(jsBackend, () => loadSafetensors(path));
  const file = `'${clip(path, 200)}'`;
  try {
    if (metadata.format !== FORMAT)
      throw new CheckpointError(
        op,
        Object.hasOwn(metadata, 'format')
          ? `${file} has format ${clip(metadata.format)}, expected '${FORMAT}'`
          : `${file} is not a descend checkpoint (it has no format marker; loadSafetensors reads plain files)`,
      );
    const sd: Record<string, Tensor> = {};
    const used = new Set<string>();
    const current = model.stateDict();
    for (const [k, t] of Object.entries(tensors)) {
      if (k.startsWith('optim.') || k.startsWith('progress.')) continue;
      if (!k.startsWith('model.'))
        throw new CheckpointError(
          op,
          `${file} holds an unexpected tensor '${clip(k)}' (model tensors are named 'model.*')`,
        );
      const name = k.slice(6);
      // A dtype the model does not have would reinterpret the bytes (an F32 weight read as I32: ~1e9).
      const into = Object.hasOwn(current, name) ? current[name] : undefined;
      if (into && into.dtype !== t.dtype)
        throw new CheckpointError(
          op,
          `${file}: entry '${clip(k)}' is ${t.dtype} but the model's is ${into.dtype}`,
        );
      if (!extras.allowNonFinite) checkFinite(op, file, k, t);
      setOwn(sd, name, t);
    }
    const commits: (() => void)[] = [model.prepareLoadStateDict(sd).commit];
    if (extras.optimizer) {
      if (!Object.hasOwn(metadata, 'optimizer'))
        throw new CheckpointError(op, `${file} holds no optimizer state`);
      const raw = parseUntrustedJson(op, metadata.optimizer, 'optimizer metadata');
      const optState = tensorsIn(raw, tensors, used, file, 'optim.') as OptimizerStateDict;
      checkStateDtypes(op, file, optState, extras.optimizer);
      commits.push(extras.optimizer.prepareLoadStateDict(optState));
    }
    // Every optimizer tensor must be one the state names: nothing in the file goes unread.
    const unread = Object.keys(tensors).filter(
      (k) =>
        k.startsWith('optim.') && (extras.optimizer ? !used.has(k) : !Object.hasOwn(metadata, 'optimizer')),
    );
    if (unread.length)
      throw new CheckpointError(
        op,
        `${file} holds optimizer tensors its state does not name: ${clip(unread.slice(0, 5).join(', '))}`,
      );
    const rng = Object.hasOwn(metadata, 'rng')
      ? parseUntrustedJson(op, metadata.rng, 'rng metadata')
      : undefined;
    const gens: [Generator, number[]][] = [];
    if (rng !== undefined && (typeof rng !== 'object' || rng === null || Array.isArray(rng)))
      throw new CheckpointError(op, `${file} has rng metadata that is not an object`);
    const states = (rng ?? {}) as Record<string, unknown>;
    const want: [string, Generator][] = Object.entries(extras.generators ?? {});
    if ((extras.restoreDefaultGenerator ?? true) && Object.hasOwn(states, 'default'))
      want.push(['default', defaultGenerator]);
    for (const [name, g] of want) {
      if (!Object.hasOwn(states, name))
        throw new CheckpointError(op, `${file} holds no state for the generator '${clip(name)}'`);
      gens.push([g, generatorState(states[name], name, file)]);
    }
    for (const [g, st] of gens) commits.push(() => g.setState(st));
    const progress = decodeProgress(op, metadata, tensors, file);
    for (const c of commits) c();
    return { progress };
  } catch (e) {
    if (e instanceof CheckpointError || !(e instanceof DescendError)) throw e;
    // The model's or optimizer's own check: report it as this file's fault.
    throw new CheckpointError(op, `${file} does not fit: ${e.message}`);
  }
}

/** A typed error naming the entry and element when `t` holds NaN or ±Infinity. */
function checkFinite(op: string, file: string, name: string, t: Tensor): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') return;
  const data = t.dataSync();
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw new CheckpointError(
        op,
        `${file}: entry '${clip(name)}' holds ${data[i]} at element ${i} (loadCheckpoint's allowNonFinite loads it anyway)`,
      );
}

/** Each optimizer state tensor has its parameter's dtype (never reinterpreted or silently cast). */
function checkStateDtypes(op: string, file: string, sd: OptimizerStateDict, opt: Optimizer<object>): void {
  if (!sd || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || !sd.state) return;
  const param = new Map<string, Tensor>();
  sd.paramGroups.forEach((g, gi) => {
    const ids = (g as { params?: unknown }).params;
    const mine = opt.paramGroups[gi]?.params;
    if (Array.isArray(ids) && mine) ids.forEach((id, k) => mine[k] && param.set(String(id), mine[k]));
  });
  const walk = (v: unknown, p: Tensor, at: string): void => {
    if (v instanceof Tensor) {
      if (v.dtype !== p.dtype)
        throw new CheckpointError(
          op,
          `${file}: optimizer state '${clip(at)}' is ${v.dtype} but its param is ${p.dtype}`,
        );
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, p, `${at}.${i}`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, p, `${at}.${k}`);
  };
  for (const [key, st] of Object.entries(sd.state)) {
    const p = param.get(key);
    if (p) walk(st, p, `optim.${key}`);
  }
}

/**
 * Replaces `{ $tensor: name }` references with the file's tensors (each used once, named under `prefix`)
 * and `{ $number: 'NaN' }` (or ±Infinity) with the number.
 */
function tensorsIn(
  v: unknown,
  tensors: Record<string, Tensor>,
  used: Set<string>,
  file: string,
  prefix: string,
): unknown {
  if (Array.isArray(v)) return v.map((x) => tensorsIn(x, tensors, used, file, prefix));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$number') {
      const x = o.$number;
      if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x);
      throw new CheckpointError('loadCheckpoint', `${file}: a $number entry holds ${clip(String(x))}`);
    }
    if (keys.length === 1 && keys[0] === '$tensor') {
      const ref = o.$tensor;
      if (typeof ref !== 'string' || !ref.startsWith(prefix) || !Object.hasOwn(tensors, ref) || used.has(ref))
        throw new CheckpointError(
          'loadCheckpoint',
          `${file}: the ${prefix === 'optim.' ? 'optimizer state' : 'progress'} names a missing or already used tensor ${clip(String(ref))}`,
        );
      used.add(ref);
      return tensors[ref];
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) setOwn(out, k, tensorsIn(o[k], tensors, used, file, prefix));
    return out;
  }
  return v;
}

function generatorState(v: unknown, name: string, file: string): number[] {
  const ok =
    Array.isArray(v) &&
    v.length === 5 &&
    v.slice(0, 4).every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) &&
    (v[4] === null || (typeof v[4] === 'number' && Number.isFinite(v[4]))) &&
    v.slice(0, 4).some((x) => x !== 0); // xoshiro's all-zero state is a fixed point
  if (!ok)
    throw new CheckpointError(
      'loadCheckpoint',
      `${file} has an invalid state for the generator '${clip(name)}'`,
    );
  return (v as (number | null)[]).map((x) => (x === null ? NaN : x));
}
