/**
 * The few WebGPU types the backend uses, structurally (no @webgpu/types dependency): the browser's
 * `navigator.gpu` and Dawn's `webgpu` package for Node both fit them.
 */
export interface GpuBuffer {
  readonly size: number;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}
export interface GpuBindGroupLayout {
  readonly __brand?: 'layout';
}
export interface GpuComputePipeline {
  getBindGroupLayout(i: number): GpuBindGroupLayout;
}
export interface GpuComputePass {
  setPipeline(p: GpuComputePipeline): void;
  setBindGroup(i: number, g: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
export interface GpuCommandEncoder {
  beginComputePass(): GpuComputePass;
  copyBufferToBuffer(src: GpuBuffer, srcOff: number, dst: GpuBuffer, dstOff: number, size: number): void;
  clearBuffer(b: GpuBuffer, offset?: number, size?: number): void;
  finish(): unknown;
}
export interface GpuDevice {
  readonly limits: { maxComputeWorkgroupsPerDimension: number; maxStorageBufferBindingSize: number };
  createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer;
  createShaderModule(d: { code: string }): unknown;
  createComputePipeline(d: {
    layout: 'auto';
    compute: { module: unknown; entryPoint: string };
  }): GpuComputePipeline;
  createBindGroup(d: {
    layout: GpuBindGroupLayout;
    entries: { binding: number; resource: { buffer: GpuBuffer } }[];
  }): unknown;
  createCommandEncoder(): GpuCommandEncoder;
  readonly queue: {
    writeBuffer(b: GpuBuffer, off: number, data: ArrayBufferView): void;
    submit(cmds: unknown[]): void;
  };
  destroy(): void;
  addEventListener?(type: 'uncapturederror', listener: (e: unknown) => void): void;
}
export interface GpuAdapter {
  readonly info?: { vendor?: string; architecture?: string; description?: string; device?: string };
  requestDevice(): Promise<GpuDevice>;
}
export interface Gpu {
  requestAdapter(o?: { powerPreference?: string }): Promise<GpuAdapter | null>;
}

/** GPUBufferUsage and GPUMapMode's flags (the same numbers everywhere: they are the spec's). */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MAP_READ = 0x1;
