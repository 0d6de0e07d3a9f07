/**
 * The backends the shared suites (conformance, gradcheck) run on: every one available here. The one
 * place where a backend may skip a test, each with its reason (empty: nothing is skipped).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { backend, listBackends, setBackend } from '../src/index.js';

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
      beforeAll(() => {
        before = backend();
        setBackend(name);
      });
      afterAll(() => setBackend(before));
      body(name);
    });
  }
}
