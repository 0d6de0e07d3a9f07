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
