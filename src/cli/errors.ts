import { DescendError } from '../errors.js';
import { Interrupted, SIGNAL_EXIT } from './interrupt.js';
/** A bad command-line input: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** A run that failed (training diverged, a metric is NaN): one line on stderr, exit code 1. */
export class RunFailure extends Error {}

/** Fails a run whose history says it diverged or met NaN/Inf, with fit's one-line reason. */
export function failIfDiverged(
  history: { warnings: readonly { kind: string; message: string }[] },
  hint: string,
): void {
  const w = history.warnings.find((x) => x.kind === 'divergence' || x.kind === 'non-finite');
  if (w)
    throw new RunFailure(
      `${w.message.replace(/^fit: /, '').replace(/; lower the learning rate$/, '')}${hint}`,
    );
}

export function usage(message: string): never {
  throw new UsageError(message);
}

/** Parses a number flag, naming the flag when it is not one. */
/** The most epochs a command trains (a typo like 1e9 is refused, not run for ever). */
export const MAX_EPOCHS = 100_000;

export function num(
  flag: string,
  v: string | undefined,
  opts: { int?: boolean; min?: number; max?: number } = {},
): number {
  const x = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(x))
    usage(`${flag} must be a number, got '${v}'`);
  if (opts.int && !Number.isInteger(x)) usage(`${flag} must be an integer, got ${v}`);
  if (opts.min !== undefined && x < opts.min) usage(`${flag} must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && x > opts.max) usage(`${flag} must be <= ${opts.max}, got ${v}`);
  return x;
}

export function choice<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v))
    usage(`${flag} must be one of ${allowed.join(', ')}; got '${v}'`);
  return v as T;
}

/** Prints one line on stderr and exits: 2 for bad input, 1 for a failed run, 130/143 when interrupted. */
export function fail(message: string, code = 2): never {
  process.stderr.write(`descend: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

/** The one line and exit code of an error a command threw. */
export function exitOnError(e: unknown): never {
  if (e instanceof Interrupted) fail(e.message, SIGNAL_EXIT[e.signal]);
  if (e instanceof RunFailure) fail(e.message, 1);
  if (e instanceof UsageError || e instanceof DescendError) fail(e.message);
  if (e instanceof SyntaxError) fail(`invalid JSON: ${e.message}`);
  if ((e as NodeJS.ErrnoException).code === 'ENOENT')
    fail(`no such file: ${(e as NodeJS.ErrnoException).path ?? ''}`);
  fail(`internal error: ${(e as Error).message} (please report it)`, 1);
}
