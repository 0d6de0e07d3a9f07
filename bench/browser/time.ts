/** The browser bench's timer: one warm-up run (shader compiles), then the median of `repeats` (ms). */
export async function time(fn: () => Promise<void>, repeats: number): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return ts.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
}
