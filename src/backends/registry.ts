import { ValueError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { trackScopes } from './lifetime.js';
import { loadAddon } from './native/addon.js';
import { NativeBackend } from './native/index.js';
import type { WasmBackend } from './wasm/index.js';
import { loadWasm } from './wasm/load.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
const native = loadAddon();
/** The native backend when its addon loaded (Node with OpenBLAS), else null. */
export const nativeBackend: NativeBackend | null = native.addon ? new NativeBackend(native.addon) : null;
if (nativeBackend) backends.set(nativeBackend.name, nativeBackend);

const wasm = loadWasm();
let wasmLoaded: WasmBackend | null = wasm.backend;
if (wasmLoaded) backends.set(wasmLoaded.name, wasmLoaded);

// The order of preference: native (Node with OpenBLAS), then WebAssembly, then plain JS.
let current: Backend = nativeBackend ?? wasmLoaded ?? jsBackend;
let why = nativeBackend
  ? 'the native addon, the fastest available'
  : wasmLoaded
    ? `WebAssembly SIMD (the native backend is unavailable: ${native.reason})`
    : `neither the native nor the wasm backend is available (${native.reason}; wasm: ${wasm.reason})`;
let chosen = false;

/** Resolves once the wasm backend is ready (at once where it compiled synchronously) or known absent. */
export const wasmReady: Promise<void> = (wasm.pending ?? Promise.resolve(wasmLoaded)).then((b) => {
  if (!b || wasmLoaded) return;
  wasmLoaded = b;
  backends.set(b.name, b);
  // A browser's main thread compiles asynchronously; the page switches to wasm unless it chose already.
  if (!chosen && current === jsBackend) {
    current = b;
    why = 'WebAssembly SIMD (compiled asynchronously)';
  }
});

/** The wasm backend when it is available (compiled), else null. */
export function wasmBackend(): WasmBackend | null {
  return wasmLoaded;
}

// DESCEND_BACKEND picks explicitly; asking for one that is not there is an error, not a silent fallback.
const requested = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  ?.DESCEND_BACKEND;
if (requested) {
  const found = backends.get(requested);
  if (!found) {
    const extra =
      requested === 'native' ? ` (${native.reason})` : requested === 'wasm' ? ` (${wasm.reason})` : '';
    throw new ValueError(
      'DESCEND_BACKEND',
      `backend '${requested}' is not available${extra}; available: ${[...backends.keys()].join(', ')}`,
    );
  }
  current = found;
  chosen = true;
  why = 'chosen by DESCEND_BACKEND';
}

/** Makes a backend available to `setBackend` by its name. */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
  trackScopes(b);
}

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  return current;
}

/** The name of the backend new tensors are created on, e.g. 'native' or 'js'. */
export function backend(): string {
  return current.name;
}

function blas(b: NativeBackend): string {
  const { config, core } = b.blasInfo();
  return `${config.trim()}, core ${core}`;
}

/** The native backend's machine: CPU features, its own kernels' instruction set, autotune decisions. */
function nativeMachine(): {
  cpuFeatures: string;
  ownKernels: string;
  tune: string;
  decisions: { shape: string; chosen: string; ownUs: number; blasUs: number }[];
} | null {
  if (!nativeBackend) return null;
  const { cpuFeatures, ownKernels, tune, decisions } = nativeBackend.blasInfo();
  return { cpuFeatures, ownKernels, tune, decisions };
}

/** Which backend is in use and why, and what else is available. */
export function backendInfo(): {
  name: string;
  reason: string;
  available: string[];
  native: string;
  wasm: string;
  /**
   * The native backend's machine (null without it): CPU features at run time, the instruction set of
   * descend's own kernels, and the GEMM autotune's decisions so far (own kernel or OpenBLAS per shape).
   */
  machine: ReturnType<typeof nativeMachine>;
} {
  const w = wasmLoaded;
  return {
    name: current.name,
    reason: why,
    available: [...backends.keys()],
    native: nativeBackend ? `loaded (${blas(nativeBackend)})` : `not loaded: ${native.reason}`,
    wasm: w ? `loaded (${w.describe()})` : `not loaded: ${wasm.reason}`,
    machine: nativeMachine(),
  };
}

/**
 * Chooses the backend for new tensors, by name or instance.
 * @example setBackend('js');
 */
export function setBackend(b: string | Backend): void {
  if (typeof b === 'string') {
    const found = backends.get(b);
    if (!found) {
      const extra = b === 'native' && !nativeBackend ? ` (${native.reason})` : '';
      throw new ValueError(
        'setBackend',
        `unknown backend '${b}'${extra}; registered: ${[...backends.keys()].join(', ')}`,
      );
    }
    current = found;
  } else {
    registerBackend(b);
    current = b;
  }
  chosen = true;
  why = 'chosen by setBackend';
}

/**
 * Runs `fn` with `b` as the backend for new tensors, then restores the previous choice (even if `fn`
 * throws), like `jax.default_device` as a context. Tiny tensors (a 2-D optimizer race) run fastest on
 * 'js', which pays no per-call crossing into WebAssembly or C++.
 * @example withBackend('js', () => tensor([1, 2]).backend.name) // 'js'
 */
export function withBackend<T>(b: string | Backend, fn: () => T): T {
  const saved = { current, chosen, why };
  setBackend(b);
  try {
    return fn();
  } finally {
    ({ current, chosen, why } = saved);
  }
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}
