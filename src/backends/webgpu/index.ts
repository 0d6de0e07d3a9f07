/**
 * The WebGPU backend's entry: `initWebGPU()` finds a device (the browser's navigator.gpu, or Dawn's npm
 * `webgpu` in Node), creates the backend and registers it, so that `setBackend('webgpu')` and
 * `withBackend('webgpu', ...)` find it. A device is found asynchronously, so this is a separate,
 * awaited step rather than part of the synchronous registry.
 */
import { registerBackend } from '../registry.js';
import { WebGPUBackend } from './backend.js';
import { requestWebGPU } from './device.js';

let ready: Promise<WebGPUBackend> | null = null;

/** Node's collector, without --expose-gc (v8 lets a running process expose it); null in browsers. */
async function nodeCollector(): Promise<(() => void) | undefined> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return undefined;
  try {
    const [v8, vm] = await Promise.all([import('node:v8'), import('node:vm')]);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The WebGPU backend, created once and registered under 'webgpu'. Throws WebGPUUnavailableError (what
 * to install or set) where there is no adapter.
 * @example
 * // const gpu = await initWebGPU(); setBackend('webgpu');
 */
export function initWebGPU(): Promise<WebGPUBackend> {
  ready ??= requestWebGPU().then(async ({ device, name }) => {
    const b = new WebGPUBackend(device, name, await nodeCollector());
    registerBackend(b);
    return b;
  });
  // A failed attempt (no adapter) may be retried after the user installs or sets what it names.
  ready.catch(() => (ready = null));
  return ready;
}

export { WebGPUBackend, WebGPUNotYetError, GpuStorage, type WebGPUCounters } from './backend.js';
export { requestWebGPU, WebGPUUnavailableError, type WebGPUDevice } from './device.js';
