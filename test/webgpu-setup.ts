/**
 * The WebGPU test files' device: Dawn in Node on SwiftShader (the ICD Debian's chromium installs), the
 * backend registered once per file, released after it (Dawn aborts a process that exits with a live
 * device), and the backend before restored. Without an adapter, `gpu` stays null and `why` says why.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import * as d from '../src/index.js';
import { initWebGPU, type WebGPUBackend, WebGPUUnavailableError } from '../src/backends/webgpu/index.js';

const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(ICD)) process.env.VK_ICD_FILENAMES = ICD;

export function useWebGPU(what: string): { gpu: WebGPUBackend | null; why: string } {
  const state: { gpu: WebGPUBackend | null; why: string } = { gpu: null, why: '' };
  const before = d.backend();
  beforeAll(async () => {
    try {
      state.gpu = await initWebGPU();
    } catch (e) {
      if (!(e instanceof WebGPUUnavailableError)) throw e;
      state.why = e.message;
      console.warn(`${what} skipped: ${state.why}`);
    }
  }, 60_000);
  afterAll(() => {
    d.setBackend(before);
    state.gpu?.device.destroy();
  });
  return state;
}
