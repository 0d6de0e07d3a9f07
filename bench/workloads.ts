/**
 * What every engine of `npm run bench` runs, read from the command line the orchestrator (run.ts) passes
 * to each engine's process: --quick (fewer sizes and steps), --only=a,b,... Each engine prints one JSON
 * object {workload: value} as its last line of output.
 */
export const argv = process.argv.slice(2);
export const quick = argv.includes('--quick');
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',')
  .filter(Boolean);
/**
 * a: matmul, b: MLP training, c: tiny MLP, d: tanh(x)x+1 forward and backward, e: CNN step, f: Bengio's
 * neural LM step (MLP9's shape).
 */
export const want = (k: string): boolean => !only || only.length === 0 || only.includes(k);
export const flag = (name: string): string | undefined =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
export const REPEATS = 5;
export const sizes = quick ? [64, 256] : [64, 128, 256, 512, 1024];
export const mlpSteps = quick ? 5 : 50;
export const tinySteps = quick ? 50 : 500;
/** CNN steps per timed repeat: one step after one warm-up step measured a JIT that had not warmed up. */
export const cnnSteps = quick ? 2 : 10;
/** Training steps per timed repeat of Bengio et al.'s MLP9 (|V| = 16,417, n = 5, m = 30, h = 100, batch 128). */
export const lmSteps = quick ? 2 : 10;
export const LM = { vocab: 16417, context: 4, embedding: 30, hidden: 100, batch: 128 };
export const ELEMENTWISE_N = 1_000_000;
/** Products per timed sample of matmul n: about 0.1 GFLOP, so small sizes time more than call overhead. */
export const matmulCalls = (n: number): number => Math.max(1, Math.round(1e8 / (2 * n ** 3)));

/** A number, or a string saying why the engine cannot run that workload. */
export type Results = Record<string, number | string>;

export function emit(r: Results): void {
  console.log(JSON.stringify(r));
}
