/**
 * GPU buffers by size class, for reuse: a released tensor's buffer goes back here and the next
 * allocation of its class takes it, instead of creating one. Classes are powers of two (at most 2x the
 * bytes asked for), so a pool serves many shapes; tfjs-webgpu keyed on exact sizes and grew without
 * bound. The pool keeps at most `maxBytes` idle and destroys the rest.
 */
import { USAGE, type GpuBuffer, type GpuDevice } from './gpu-types.js';

/** The size class of `bytes`: the next power of two, at least 16. */
export function sizeClass(bytes: number): number {
  return Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
}

export class BufferPool {
  private readonly free = new Map<number, GpuBuffer[]>();
  /** Idle buffers and their bytes, and buffers created (for the counters). */
  idleBuffers = 0;
  idleBytes = 0;
  created = 0;

  constructor(
    private readonly device: GpuDevice,
    readonly maxBytes = 256 * 2 ** 20,
  ) {}

  /** A storage buffer of at least `bytes`: a pooled one of its class, or a new one. */
  take(bytes: number): GpuBuffer {
    const cls = sizeClass(bytes);
    const b = this.free.get(cls)?.pop();
    if (b) {
      this.idleBuffers--;
      this.idleBytes -= cls;
      return b;
    }
    this.created++;
    return this.device.createBuffer({ size: cls, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  /**
   * Back to the pool. Safe while queued work still uses it: the queue runs in order, so a later
   * kernel that writes the buffer runs after every earlier one that reads it.
   */
  give(b: GpuBuffer): void {
    if (this.idleBytes + b.size > this.maxBytes) {
      b.destroy();
      return;
    }
    let list = this.free.get(b.size);
    if (!list) this.free.set(b.size, (list = []));
    list.push(b);
    this.idleBuffers++;
    this.idleBytes += b.size;
  }
}
