/**
 * Timing helpers for the benchmarks: warm-up runs for at least WARMUP_MS (one run was not enough: V8
 * compiles a hot path with its optimizing tiers only after some thousands of calls, so a workload of
 * short calls measured its own JIT warm-up; matmul 64 read 10 GFLOPS instead of 35), then the median of
 * the repeats (ms). Every JS engine of the bench uses these.
 */
export const WARMUP_MS = 1000;

export function median(fn: () => void, repeats = 5): number {
  const w = performance.now();
  do fn();
  while (performance.now() - w < WARMUP_MS);
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

export async function medianAsync(fn: () => Promise<void>, repeats = 5): Promise<number> {
  const w = performance.now();
  do await fn();
  while (performance.now() - w < WARMUP_MS);
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}
