// `npm install` hook: builds the optional native backend (native/src, OpenBLAS) with node-gyp. It never
// fails the install, and it stays quiet: without OpenBLAS or a compiler it says so in one line (the
// compiler's output only with DESCEND_NATIVE_VERBOSE=1) and descend runs on its WebAssembly backend
// (`backendInfo()` says which). DESCEND_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const say = (s) => console.log(`descend: ${s}`);
const fallback = 'descend will use its WebAssembly backend';
const hint = 'apt-get install libopenblas-dev g++ make python3, or brew install openblas';

if (process.env.DESCEND_NATIVE === '0') {
  say('DESCEND_NATIVE=0, not building the native backend');
  process.exit(0);
}
const require = createRequire(import.meta.url);
let bin;
try {
  bin = require.resolve('node-gyp-build/bin.js');
} catch {
  say(`node-gyp-build is missing; ${fallback}`);
  process.exit(0);
}
// The same folders binding.gyp searches: no header, no build (and no page of gyp errors).
const headers = [
  '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h',
  '/usr/include/aarch64-linux-gnu/openblas-pthread/cblas.h',
  '/usr/include/openblas/cblas.h',
  '/usr/include/cblas.h',
  '/opt/homebrew/opt/openblas/include/cblas.h',
  '/usr/local/opt/openblas/include/cblas.h',
];
if ((process.platform === 'linux' || process.platform === 'darwin') && !headers.some((h) => existsSync(h))) {
  say(`OpenBLAS is not installed, so the native backend is not built (${hint}); ${fallback}`);
  process.exit(0);
}
const verbose = process.env.DESCEND_NATIVE_VERBOSE === '1';
const r = spawnSync(process.execPath, [bin], { stdio: verbose ? 'inherit' : 'pipe', encoding: 'utf8' });
if (r.status !== 0) {
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const first = out.split('\n').find((l) => /error:|not found|No such file/i.test(l) && !/gyp ERR!/.test(l));
  say(
    `the native backend did not build${first ? ` (${first.trim().slice(0, 160)})` : ''}; it needs OpenBLAS and a C++ compiler (${hint}); ${fallback}${verbose ? '' : ' (DESCEND_NATIVE_VERBOSE=1 shows the build output)'}`,
  );
}
process.exit(0);
