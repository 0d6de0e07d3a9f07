/** Timing helpers for the benchmarks: one warm-up run, then the median of the repeats (ms). */
export function median(fn: () => void, repeats = 5): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}

export async function medianAsync(fn: () => Promise<void>, repeats = 5): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(repeats / 2)];
}
