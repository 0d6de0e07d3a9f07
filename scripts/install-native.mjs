// `npm install` hook: builds the optional native backend (native/src, OpenBLAS) with node-gyp. It never
// fails the install: without OpenBLAS or a compiler, descend runs on its WebAssembly backend and says so
// (`backendInfo()`); DESCEND_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

if (process.env.DESCEND_NATIVE === '0') {
  console.log('descend: DESCEND_NATIVE=0, not building the native backend');
  process.exit(0);
}
const require = createRequire(import.meta.url);
let bin;
try {
  bin = require.resolve('node-gyp-build/bin.js');
} catch {
  console.log('descend: node-gyp-build is missing; using the WebAssembly backend');
  process.exit(0);
}
const r = spawnSync(process.execPath, [bin], { stdio: 'inherit' });
if (r.status !== 0) {
  console.log(
    'descend: the native backend did not build (it needs OpenBLAS and a C++ compiler: apt-get install ' +
      'libopenblas-dev g++ make python3, or brew install openblas); descend will use its WebAssembly backend (or plain JS without WebAssembly SIMD)',
  );
}
process.exit(0);
