/**
 * Makes the WebAssembly backend where WebAssembly with SIMD is available. Never throws: when there is
 * none it says why, and the registry picks the next backend. Compiling is synchronous where the platform
 * allows it (Node, workers) and asynchronous on a browser's main thread, which refuses to compile
 * modules of this size synchronously; `pending` then resolves to the backend.
 */
import { WasmBackend } from './index.js';
import { compileKernels, compileKernelsAsync, WasmKernels } from './kernels.js';

export interface WasmLoad {
  backend: WasmBackend | null;
  pending: Promise<WasmBackend | null> | null;
  reason?: string;
}

type Env = Record<string, string | undefined>;
const env: Env = (globalThis as { process?: { env?: Env } }).process?.env ?? {};

/** Threads the kernels use by default: DESCEND_WASM_THREADS, else the cores (at most 4). */
export function defaultThreads(): number {
  const asked = Number(env.DESCEND_WASM_THREADS);
  if (Number.isInteger(asked) && asked >= 1) return asked;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  const cores =
    os?.availableParallelism?.() ??
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ??
    1;
  return Math.max(1, Math.min(4, cores));
}

function backendFor(module: WebAssembly.Module, shared: boolean): WasmBackend {
  const workers = defaultThreads() - 1;
  return new WasmBackend(() => new WasmKernels(module, shared, { workers }));
}

export function loadWasm(): WasmLoad {
  if (typeof WebAssembly !== 'object') return { backend: null, pending: null, reason: 'no WebAssembly here' };
  if (env.DESCEND_WASM === '0') return { backend: null, pending: null, reason: 'disabled by DESCEND_WASM=0' };
  try {
    const { module, shared } = compileKernels();
    return { backend: backendFor(module, shared), pending: null };
  } catch (e) {
    if (e instanceof WebAssembly.CompileError)
      return {
        backend: null,
        pending: null,
        reason: `WebAssembly SIMD is not supported here (${e.message})`,
      };
    // A browser's main thread: compile off it.
    const pending = compileKernelsAsync()
      .then(({ module, shared }) => backendFor(module, shared))
      .catch(() => null);
    return { backend: null, pending, reason: 'compiling' };
  }
}
