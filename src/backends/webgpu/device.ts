/**
 * Finding a WebGPU device: the browser's `navigator.gpu`, or in Node the optional npm package `webgpu`
 * (Dawn). Without a GPU, Dawn gets SwiftShader's software adapter when VK_ICD_FILENAMES names the
 * Vulkan ICD that Debian's `chromium` installs (/usr/lib/chromium/vk_swiftshader_icd.json).
 */
import { DescendError } from '../../errors.js';
import type { Gpu, GpuAdapter, GpuDevice } from './gpu-types.js';

/** No WebGPU here: the message says what to install or set. */
export class WebGPUUnavailableError extends DescendError {}

export interface WebGPUDevice {
  device: GpuDevice;
  adapter: GpuAdapter;
  /** The adapter's description, e.g. 'SwiftShader driver 5.0.0'. */
  name: string;
}

let nodeInstance: Gpu | null = null;

async function nodeGpu(): Promise<Gpu | null> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return null;
  let mod: { create(flags: string[]): Gpu };
  try {
    // An optional dependency: a variable keeps bundlers and tsc from resolving it.
    const name = 'webgpu';
    mod = (await import(name)) as { create(flags: string[]): Gpu };
  } catch (e) {
    throw new WebGPUUnavailableError(
      'webgpu',
      `Node has no WebGPU without the optional npm package 'webgpu' (npm install webgpu): ${String((e as Error).message).split('\n')[0]}`,
    );
  }
  // Dawn's instance must outlive its devices: if it is collected, the device's threads use freed
  // memory and the process aborts (glibc futex and mutex assertions after a few dozen reads).
  nodeInstance ??= mod.create([]);
  return nodeInstance;
}

/** A device on the first adapter, or a WebGPUUnavailableError saying why there is none. */
export async function requestWebGPU(): Promise<WebGPUDevice> {
  const nav = (globalThis as { navigator?: { gpu?: Gpu } }).navigator;
  const gpu = nav?.gpu ?? (await nodeGpu());
  if (!gpu)
    throw new WebGPUUnavailableError(
      'webgpu',
      'this browser has no WebGPU (navigator.gpu); Chromium needs --enable-unsafe-webgpu where it is off',
    );
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new WebGPUUnavailableError(
      'webgpu',
      'no WebGPU adapter: without a GPU, set VK_ICD_FILENAMES to a SwiftShader ICD (Debian: /usr/lib/chromium/vk_swiftshader_icd.json, with libvulkan1)',
    );
  const device = await adapter.requestDevice();
  const i = adapter.info ?? {};
  return {
    device,
    adapter,
    name: i.description || [i.vendor, i.architecture].filter(Boolean).join(' ') || 'unknown',
  };
}
