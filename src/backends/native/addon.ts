/**
 * Loads the optional Node-API addon (native/src, built by node-gyp at install when OpenBLAS and a C++
 * compiler are present). Never throws: when there is no addon (a browser, no build, DESCEND_NATIVE=0) it
 * says why, and the registry picks the next backend.
 */

type FloatArray = Float32Array | Float64Array;

type Numbers = ArrayLike<number>;

/** The addon's functions; they work on the typed arrays in place (see native/src/*.cc for the contracts). */
export interface NativeAddon {
  gemm(
    a: Float32Array | Float64Array,
    b: Float32Array | Float64Array,
    out: Float32Array | Float64Array,
    batch: number,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    batchStrideA: number,
    batchStrideB: number,
  ): void;
  unary(op: number, x: Float32Array | Float64Array, out: Float32Array | Float64Array): void;
  binary(op: number, a: Numbers, b: Numbers, out: Numbers, rank: number, meta: Int32Array): void;
  where(c: Uint8Array, a: Numbers, b: Numbers, out: Numbers, rank: number, meta: Int32Array): void;
  reduce(op: number, x: ArrayLike<number>, out: ArrayLike<number>, rank: number, meta: Int32Array): void;
  strided(x: ArrayLike<number>, out: ArrayLike<number>, rank: number, meta: Int32Array, offset: number): void;
  stridedScatterAdd(
    x: ArrayLike<number>,
    out: ArrayLike<number>,
    rank: number,
    meta: Int32Array,
    offset: number,
  ): void;
  im2col(x: ArrayLike<number>, out: ArrayLike<number>, geometry: Int32Array, padValue: number): void;
  col2im(x: ArrayLike<number>, out: ArrayLike<number>, geometry: Int32Array): void;
  poolArgmax(x: ArrayLike<number>, out: Int32Array, geometry: Int32Array): void;
  /** kind 0: y = conv(a = x, b = w); 1: dw from (a = x, b = gy); 2: dx from (a = gy, b = w), dx zero-filled. */
  conv(kind: 0 | 1 | 2, a: FloatArray, b: FloatArray, out: FloatArray, geometry: Int32Array, o: number): void;
  adam(
    p: FloatArray,
    g: FloatArray,
    m: FloatArray,
    v: FloatArray,
    maxV: FloatArray | null,
    pOut: FloatArray,
    mOut: FloatArray,
    vOut: FloatArray,
    maxOut: FloatArray | null,
    scalars: Float64Array,
    decoupled: boolean,
    maximize: boolean,
  ): void;
  sgd(
    p: FloatArray,
    g: FloatArray,
    buf: FloatArray | null,
    pOut: FloatArray,
    bufOut: FloatArray | null,
    scalars: Float64Array,
    maximize: boolean,
    nesterov: boolean,
  ): void;
  argReduce(isMax: boolean, x: FloatArray, out: Int32Array, outer: number, len: number, inner: number): void;
  /** y = log_softmax(x) over each row of [rows, cols]. */
  logSoftmax(x: FloatArray, y: FloatArray, rows: number, cols: number): void;
  /** out = g - exp(y) * sum(g) over each row of [rows, cols]. */
  logSoftmaxBackward(g: FloatArray, y: FloatArray, out: FloatArray, rows: number, cols: number): void;
  /** -1, or the position in idx of the first out-of-range index. */
  gather(
    x: FloatArray,
    idx: Int32Array,
    out: FloatArray,
    rank: number,
    meta: Int32Array,
    axis: number,
  ): number;
  scatterAdd(
    out: FloatArray,
    idx: Int32Array,
    src: FloatArray,
    rank: number,
    meta: Int32Array,
    axis: number,
  ): number;
  setThreads(n: number): void;
  getThreads(): number;
  blasInfo(): NativeBlasInfo;
  setGemmTune(mode: 'auto' | 'own' | 'blas'): void;
  setConvPath(path: 'auto' | 'im2col'): void;
  convPath(): 'implicit' | 'im2col';
  readonly unaryOps: readonly string[];
  readonly binaryOps: readonly string[];
}

/** One autotune decision: a shape class, the path chosen, and the best of 3 timings of each. */
export interface GemmDecision {
  shape: string;
  chosen: 'own' | 'blas';
  ownUs: number;
  blasUs: number;
}

/** What the addon reports of OpenBLAS, the CPU and its GEMM autotune. */
export interface NativeBlasInfo {
  config: string;
  core: string;
  threads: number;
  /** CPU features at run time, e.g. 'avx avx2 fma avx512f ...'. */
  cpuFeatures: string;
  /** The instruction set descend's own kernels were compiled for. */
  ownKernels: string;
  /** 'auto' (time both paths per shape class), or a forced 'own' / 'blas'. */
  tune: 'auto' | 'own' | 'blas';
  decisions: GemmDecision[];
}

export interface AddonLoad {
  addon: NativeAddon | null;
  /** Why there is no addon, when there is none. */
  reason?: string;
}

type NodeProcess = {
  versions?: { node?: string };
  env: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
};

export function loadAddon(): AddonLoad {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function')
    return { addon: null, reason: 'not running in Node (>= 20.16)' };
  if (proc.env.DESCEND_NATIVE === '0') return { addon: null, reason: 'disabled by DESCEND_NATIVE=0' };
  try {
    const { createRequire } = proc.getBuiltinModule('node:module') as typeof import('node:module');
    const { fileURLToPath } = proc.getBuiltinModule('node:url') as typeof import('node:url');
    const path = proc.getBuiltinModule('node:path') as typeof import('node:path');
    // This file is src/backends/native/addon.ts or dist/backends/native/addon.js: the package root is 3 up.
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const require = createRequire(import.meta.url);
    const load = require('node-gyp-build') as (dir: string) => NativeAddon;
    return { addon: load(root) };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    return {
      addon: null,
      reason: `the native addon is not built (${msg}); install OpenBLAS (apt-get install libopenblas-dev, brew install openblas) and run npm rebuild descend`,
    };
  }
}
