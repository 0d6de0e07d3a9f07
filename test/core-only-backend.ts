/**
 * The JS backend with its capabilities taken away: only the 19 core kernels. Every op then runs its
 * composed path (src/backends/composed/), so the shared suites check those paths the way a new backend
 * (WebGPU) would first meet them.
 */
import { JsBackend } from '../src/backends/js/index.js';

export const CAPABILITIES = ['window', 'conv', 'pool', 'linalg', 'activations', 'softmax', 'optim'] as const;

export class CoreOnlyBackend extends JsBackend {
  override readonly name: string = 'core-only';
  constructor() {
    super();
    for (const k of CAPABILITIES) Object.defineProperty(this, k, { value: undefined });
  }
}
