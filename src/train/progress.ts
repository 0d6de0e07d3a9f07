/** A progress bar on a TTY (epoch, step, loss, metrics, samples/s, ETA) and plain lines otherwise. */

export interface ProgressWriter {
  isTTY: boolean;
  write(s: string): void;
}

/** process.stdout when there is one (Node), else console lines. */
export function defaultWriter(): ProgressWriter {
  const proc = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): unknown } } })
    .process;
  if (proc?.stdout) {
    const out = proc.stdout;
    return { isTTY: Boolean(out.isTTY), write: (s) => void out.write(s) };
  }
  return { isTTY: false, write: (s) => console.log(s.replace(/\n$/, '')) };
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

export class ProgressBar {
  private lastDraw = 0;
  constructor(
    private readonly out: ProgressWriter = defaultWriter(),
    private readonly width = 24,
  ) {}

  /** Redraws the in-place bar (TTY only, at most ~10 times a second). */
  update(
    epoch: number,
    epochs: number,
    step: number,
    steps: number,
    fields: Record<string, number>,
    samplesPerSec: number,
    etaSec: number,
  ): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && step < steps) return;
    this.lastDraw = now;
    const frac = steps ? step / steps : 0;
    const fill = Math.round(frac * this.width);
    const bar = '█'.repeat(fill) + '░'.repeat(this.width - fill);
    const f = Object.entries(fields)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
    this.out.write(
      `\r\x1b[2Kepoch ${epoch}/${epochs} ${bar} ${step}/${steps}  ${f}  ${samplesPerSec.toFixed(0)} samples/s  ETA ${fmtTime(etaSec)}`,
    );
  }

  /** Ends an epoch with one plain line (on a TTY it replaces the bar). */
  line(text: string): void {
    this.out.write(this.out.isTTY ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }
}

/** The bar a `progress` option asks for: true or undefined (stdout), false (none), or a writer. */
export function progressBarFor(progress: boolean | ProgressWriter | undefined): ProgressBar | null {
  if (progress === false) return null;
  return new ProgressBar(progress === true || progress === undefined ? defaultWriter() : progress);
}
