/**
 * The backends the shared suites (conformance, gradcheck) run on: every one available here, plus the
 * core-only JS backend (test/core-only-backend.ts). The one
 * place where a backend may skip a test, each with its reason (empty: nothing is skipped).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { backend, listBackends, registerBackend, setBackend, wasmBackend } from '../src/index.js';
import { CoreOnlyBackend } from './core-only-backend.js';

// The JS backend without its capabilities runs the suites too: the composed paths are the reference.
registerBackend(new CoreOnlyBackend());
export const BACKENDS: readonly string[] = listBackends();

/** backend name -> test name -> why that backend skips it. */
export const SKIPS: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

export function skipReason(backendName: string, test: string): string | undefined {
  return SKIPS[backendName]?.[test];
}

/** Runs `body` once per available backend, inside a describe that switches to it. */
export function forEachBackend(body: (name: string) => void): void {
  for (const name of BACKENDS) {
    describe(`[${name}]`, () => {
      let before = '';
      const wasm = name === 'wasm' ? wasmBackend() : null;
      const minSize = wasm?.minSize ?? 0;
      beforeAll(() => {
        before = backend();
        setBackend(name);
        // The suites' tensors are small: send every op the wasm kernels cover to them, not to JS.
        if (wasm) wasm.minSize = 0;
      });
      afterAll(() => {
        setBackend(before);
        if (wasm) wasm.minSize = minSize;
      });
      body(name);
    });
  }
}
