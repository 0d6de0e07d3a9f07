/**
 * `npm run bench`: the same workloads on every engine installable here, each engine in its own process,
 * side by side in one run; printed as one table with ratios to descend and written to
 * bench/results/bench.json. Never part of npm test.
 *
 * Workloads (bench/workloads.ts): (a) square matmul, n = 64..1024 (GFLOPS); (b) a 784-256-128-10 ReLU
 * MLP, softmax cross-entropy, Adam 1e-3, batch 128, 50 steps (samples/s); (c) a 2-16-16-3 tanh MLP on 60
 * points, full batch, SGD momentum, 500 steps (steps/s); (d) y = tanh(x) x + 1 on 1e6 floats, forward and
 * backward (ms); (e) LeNet-style CNN training steps on 28x28 digits, batch 64, 10 steps per repeat
 * (samples/s); (f) Bengio et al.'s neural LM (MLP9: |V| = 16,417, n = 5, m = 30, h = 100), Adam, batch 128,
 * 10 steps per repeat (samples/s). float32.
 * Engines: descend's backends (native with 1 and 2 threads, wasm with 1 and 2 threads, js, webgpu;
 * the wasm columns also report the bytes their MLP step copies in and out of wasm memory, the webgpu
 * column its kernels, buffers created and bytes read back per step); TensorFlow.js cpu and wasm;
 * jax-js wasm; PyTorch (1 and 2 threads) and numpy (1 and 2 OpenBLAS threads) through python3 when
 * installed (skipped with a note otherwise). Warm-up, then the median of 5 repeats.
 * OPENBLAS_CORETYPE: reported, and unset for every engine (pass --keep-coretype to keep it for all).
 * Flags: --quick (fewer sizes and steps), --only=a,b,..., --engines=name,name (a subset of the columns),
 * --base=name (the column the ratios compare with; default descend-native, else descend-js), --isolate
 * (each workload in a fresh process of each engine), --baseline=DIR (another checkout of descend, its
 * native addon built: adds its descend columns as "<name> @DIR", for a same-run old-vs-new comparison).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { backendInfo, nativeBackend, wasmBackend } from '../src/index.js';
import { argv, quick } from './workloads.js';

type Column = { name: string; cmd: string[]; env?: Record<string, string>; note?: string };
type Outcome = Record<string, number | string> | string;

const passThrough = argv.filter((a) => a === '--quick' || a.startsWith('--only='));
const keepCoretype = argv.includes('--keep-coretype');
const pick = argv
  .find((a) => a.startsWith('--engines='))
  ?.slice(10)
  .split(',');
const coretype = process.env.OPENBLAS_CORETYPE;
const childEnv: Record<string, string | undefined> = { ...process.env };
if (!keepCoretype) delete childEnv.OPENBLAS_CORETYPE;

const tsx = (file: string, ...extra: string[]) => [
  process.execPath,
  '--import',
  'tsx',
  file,
  ...extra,
  ...passThrough,
];

function findPython(): { python?: string; torch: boolean; numpy: boolean } {
  const has = (python: string, mod: string) => {
    try {
      execFileSync(python, ['-c', `import ${mod}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  // The first python3 with torch (Debian's python3-torch lives in /usr/bin/python3), else one with numpy.
  const found = ['python3', '/usr/bin/python3'].map((python) => ({
    python,
    torch: has(python, 'torch'),
    numpy: has(python, 'numpy'),
  }));
  return found.find((f) => f.torch) ?? found.find((f) => f.numpy) ?? { torch: false, numpy: false };
}

const py = findPython();
const only = argv.find((a) => a.startsWith('--only='))?.slice(7) ?? '';
const pyCmd = (engine: string, threads: number) => [
  py.python ?? 'python3',
  'bench/engines/torch_numpy.py',
  engine,
  String(threads),
  quick ? '1' : '0',
  only,
];
const columns: Column[] = [
  // OpenBLAS's thread count is also set in the environment, as for numpy, so that a 1-thread run starts
  // no thread pool at all.
  {
    name: 'descend-native',
    cmd: tsx('bench/engines/descend.ts', '--backend=native', '--threads=1'),
    env: { OPENBLAS_NUM_THREADS: '1' },
  },
  {
    name: 'descend-native 2t',
    cmd: tsx('bench/engines/descend.ts', '--backend=native', '--threads=2'),
    env: { OPENBLAS_NUM_THREADS: '2' },
  },
  // The wasm backend's thread count (its caller plus workers) comes from the environment, like BLAS's.
  {
    name: 'descend-wasm',
    cmd: tsx('bench/engines/descend.ts', '--backend=wasm'),
    env: { DESCEND_WASM_THREADS: '1' },
  },
  {
    name: 'descend-wasm 2t',
    cmd: tsx('bench/engines/descend.ts', '--backend=wasm'),
    env: { DESCEND_WASM_THREADS: '2' },
  },
  { name: 'descend-js', cmd: tsx('bench/engines/descend.ts', '--backend=js') },
  // Dawn in Node: a real GPU where one is, else SwiftShader (times only prove it runs; see docs/webgpu.md).
  { name: 'descend-webgpu', cmd: tsx('bench/engines/descend-webgpu.ts') },
  { name: 'tfjs-cpu', cmd: tsx('bench/engines/tfjs.ts', '--backend=cpu') },
  { name: 'tfjs-wasm', cmd: tsx('bench/engines/tfjs.ts', '--backend=wasm') },
  { name: 'jax-js-wasm', cmd: tsx('bench/engines/jaxjs.ts') },
  { name: 'pytorch 1t', cmd: pyCmd('torch', 1), env: { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } },
  { name: 'pytorch 2t', cmd: pyCmd('torch', 2), env: { OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2' } },
  { name: 'numpy 1t', cmd: pyCmd('numpy', 1), env: { OPENBLAS_NUM_THREADS: '1' } },
  { name: 'numpy 2t', cmd: pyCmd('numpy', 2), env: { OPENBLAS_NUM_THREADS: '2' } },
];

// --baseline=DIR: the same descend columns run from another checkout (an older commit), in the same run.
const baseline = argv.find((a) => a.startsWith('--baseline='))?.slice(11);
if (baseline) {
  for (const c of columns.filter((c) => c.name.startsWith('descend-'))) {
    const cmd = c.cmd.map((a) =>
      a === 'bench/engines/descend.ts' ? `${baseline}/bench/engines/descend.ts` : a,
    );
    columns.push({ ...c, name: `${c.name} @${baseline}`, cmd });
  }
}

function skipReason(c: Column): string | undefined {
  if (c.name.startsWith('descend-native') && !nativeBackend) return `skipped: ${backendInfo().native}`;
  if (c.name.startsWith('descend-wasm') && !wasmBackend()) return `skipped: ${backendInfo().wasm}`;
  if (c.name.startsWith('pytorch') && !py.torch)
    return 'skipped: python3 has no torch (apt-get install python3-torch)';
  if (c.name.startsWith('numpy') && !py.numpy)
    return 'skipped: python3 has no numpy (apt-get install python3-numpy)';
  return undefined;
}

// --isolate: every workload in a fresh process of every engine, so that no workload runs in the state an
// earlier one left (PyTorch's MLP trains 35-40% faster after its matmul workload: glibc's malloc
// thresholds grow once the big matmul buffers are freed).
const isolate = argv.includes('--isolate');
const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice(7);
const letters = (onlyArg || 'a,b,c,d,e,f').split(',').filter(Boolean);

/** The column's command running only workload `letter` (the python engine takes it as its last argument). */
function onlyWorkload(c: Column, letter: string): Column {
  const cmd = c.cmd.includes('bench/engines/torch_numpy.py')
    ? [...c.cmd.slice(0, -1), letter]
    : [...c.cmd.filter((a) => !a.startsWith('--only=')), `--only=${letter}`];
  return { ...c, name: `${c.name} (${letter})`, cmd };
}

function runColumn(c: Column): Outcome {
  if (!isolate) {
    const r = run(c);
    return typeof r === 'string' ? r : usageRows(r, letters.join(''));
  }
  const skip = skipReason(c);
  if (skip) return skip;
  const merged: Record<string, number | string> = {};
  for (const letter of letters) {
    const r = run(onlyWorkload(c, letter));
    if (typeof r === 'string') process.stderr.write(`  ${c.name} (${letter}): ${r}\n`);
    else Object.assign(merged, usageRows(r, letter));
  }
  return merged;
}

/** GNU time reports each engine process's minor page faults and peak RSS (where it is installed). */
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** The CPU: model name and the SIMD flags that decide kernels (Linux; elsewhere what Node knows). */
function cpuLine(): { model: string; flags: string[] } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /model name\s*:\s*(.*)/.exec(text)?.[1]?.trim() ?? 'unknown';
    const all = (/flags\s*:\s*(.*)/.exec(text)?.[1] ?? '').split(/\s+/);
    const flags = all.filter((f) =>
      /^(avx|avx2|fma|avx512f|avx512dq|avx512bw|avx512vl|avx512ifma|avx512_bf16|amx\w*)$/.test(f),
    );
    return { model, flags };
  } catch {
    return { model: 'unknown', flags: [] };
  }
}

function run(c: Column): Outcome {
  const skip = skipReason(c);
  if (skip) return skip;
  process.stderr.write(`running ${c.name} ...\n`);
  const t = performance.now();
  const cmd = gnuTime ? [gnuTime, '-f', '__time %R %M', ...c.cmd] : c.cmd;
  const r = spawnSync(cmd[0], cmd.slice(1), {
    env: { ...childEnv, ...c.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    const err = (r.stderr || r.stdout).split('\n').find((l) => /Error|error/.test(l)) ?? `exit ${r.status}`;
    return `failed: ${err.trim().slice(0, 160)}`;
  }
  process.stderr.write(`  ${c.name}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  const out = JSON.parse(last) as Record<string, number | string>;
  const usage = /__time (\d+) (\d+)/.exec(r.stderr);
  if (usage) {
    out.__faults = Number(usage[1]);
    out.__rssMB = Number(usage[2]) / 1024;
  }
  return out;
}

/** Moves a process's page faults and peak RSS into rows named for its workload letters. */
function usageRows(r: Record<string, number | string>, tag: string): Record<string, number | string> {
  const { __faults, __rssMB, ...rest } = r;
  if (__faults !== undefined) rest[`page faults (${tag})`] = __faults;
  if (__rssMB !== undefined) rest[`peak RSS (${tag})`] = __rssMB;
  return rest;
}

function main(): void {
  const env = coretype ?? '(unset)';
  const engines: Record<string, Outcome> = {};
  for (const c of columns) if (!pick || pick.includes(c.name)) engines[c.name] = runColumn(c);
  const names = Object.keys(engines);
  // --base=NAME picks the column the ratios compare with (e.g. descend-wasm against the JS peers).
  const asked = argv.find((a) => a.startsWith('--base='))?.slice(7);
  const baseName =
    asked && typeof engines[asked] === 'object'
      ? asked
      : typeof engines['descend-native'] === 'object'
        ? 'descend-native'
        : 'descend-js';
  const workloads = [
    ...new Set(Object.values(engines).flatMap((e) => (typeof e === 'object' ? Object.keys(e) : []))),
  ];
  // The webgpu column's device-free counts, per training step ('per step' rows: lower is better).
  const perStepUnit = (w: string) =>
    w.endsWith('kernels/step')
      ? 'kernels'
      : w.endsWith('buffers created/step')
        ? 'buffers'
        : w.endsWith('bytes read/step')
          ? 'bytes'
          : null;
  const unitOf = (w: string) =>
    perStepUnit(w) ??
    (w === 'webgpu adapter'
      ? ''
      : w.startsWith('page faults')
        ? 'faults'
        : w.startsWith('peak RSS')
          ? 'MB'
          : w.includes('copies')
            ? 'MB/step'
            : w.startsWith('matmul')
              ? 'GFLOPS'
              : w.includes('fwd+bwd')
                ? 'ms'
                : w === 'tiny mlp'
                  ? 'steps/s'
                  : 'samples/s');
  const rows = workloads.map((w) => ({
    workload: w,
    unit: unitOf(w),
    higherIsBetter:
      !perStepUnit(w) &&
      !w.includes('fwd+bwd') &&
      !w.includes('copies') &&
      !w.startsWith('page faults') &&
      !w.startsWith('peak RSS'),
    results: Object.fromEntries(
      names.map((e) => {
        const o = engines[e];
        return [e, typeof o === 'string' ? '-' : (o[w] ?? '-')];
      }),
    ),
  }));
  const fmt = (v: number | string) =>
    typeof v === 'string' ? (v.length > 12 ? 'n/a*' : v) : v >= 100 ? v.toFixed(0) : v.toPrecision(3);
  const header = ['workload', 'unit', ...names];
  const lines = rows.map((r) => {
    const base = r.results[baseName];
    return [
      r.workload,
      r.unit,
      ...names.map((e) => {
        const v = r.results[e];
        if (typeof v === 'string' || e === baseName || typeof base !== 'number') return fmt(v);
        const ratio = r.higherIsBetter ? base / v : v / base;
        return `${fmt(v)} (${ratio.toFixed(2)}x)`;
      }),
    ];
  });
  const widths = header.map((_, c) => Math.max(header[c].length, ...lines.map((l) => l[c].length)));
  const show = (l: string[]) => l.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(
    `descend bench (${quick ? 'quick' : 'full'}${isolate ? ', each workload in its own process' : ''}), Node ${process.version}, float32; OPENBLAS_CORETYPE in this ` +
      `environment: ${env}${keepCoretype ? ' (kept for every engine)' : ' (unset for every engine)'}`,
  );
  const cpu = cpuLine();
  // The core OpenBLAS picks in the engines' environment (this process may run with OPENBLAS_CORETYPE set).
  const engineCore = nativeBackend
    ? spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          "const d = await import('./src/index.ts'); console.log(d.nativeBackend?.blasInfo().core ?? '')",
        ],
        { env: childEnv, encoding: 'utf8' },
      ).stdout.trim()
    : null;
  console.log(
    `CPU: ${cpu.model}, ${(os.cpus() ?? []).length} logical CPUs; flags: ${cpu.flags.join(' ') || 'none of avx/fma'}`,
  );
  if (nativeBackend)
    console.log(`native backend: ${backendInfo().native}; OpenBLAS core in the engines: ${engineCore}`);
  if (wasmBackend()) console.log(`wasm backend: ${backendInfo().wasm}`);
  console.log(show(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(show(l));
  console.log(
    `(Nx) after a peer's figure: ${baseName} relative to that peer (above 1: ${baseName} is faster). ` +
      `"1t"/"2t": BLAS/intra-op threads. page faults / peak RSS (letters): of the engine's whole process for ` +
      `those workloads (GNU time), start-up included.`,
  );
  for (const [e, v] of Object.entries(engines)) {
    if (typeof v === 'string') console.log(`${e}: ${v}`);
    else for (const [w, x] of Object.entries(v)) if (typeof x === 'string') console.log(`${e}, ${w}: ${x}`);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/bench.json',
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        openblasCoretype: coretype ?? null,
        cpu,
        openblasCore: engineCore,
        coretypeKept: keepCoretype,
        quick,
        baseline: baseName,
        rows,
        notes: Object.fromEntries(Object.entries(engines).filter(([, v]) => typeof v === 'string')),
      },
      null,
      1,
    ),
  );
}

main();
