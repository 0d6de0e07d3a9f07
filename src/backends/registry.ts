import { ValueError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

/** Makes a backend available to `setBackend` by its name. */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  return current;
}

/**
 * Chooses the backend for new tensors, by name or instance.
 * @example setBackend('js');
 */
export function setBackend(b: string | Backend): void {
  if (typeof b === 'string') {
    const found = backends.get(b);
    if (!found)
      throw new ValueError(
        'setBackend',
        `unknown backend '${b}'; registered: ${[...backends.keys()].join(', ')}`,
      );
    current = found;
  } else {
    registerBackend(b);
    current = b;
  }
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}
