/**
 * descend/webgpu: the WebGPU backend (browsers' navigator.gpu; Node with the optional npm `webgpu`).
 * `await initWebGPU()` registers it; `setBackend('webgpu')` selects it. docs/webgpu.md has the details.
 * @packageDocumentation
 */
export * from '../backends/webgpu/index.js';
