// `npm install` hook: in a clone of descend itself (not when descend is installed as a dependency, where
// npm links its bin), puts a `descend` shim in node_modules/.bin so that `npx descend ...` runs this
// checkout's built CLI (dist/cli/bin.js, built by the `prepare` script right after this hook).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = process.cwd();
if (process.env.INIT_CWD && resolve(process.env.INIT_CWD) !== resolve(root)) process.exit(0);
const bin = join(root, 'node_modules', '.bin');
const shim = join(bin, 'descend');
if (!existsSync(shim)) {
  mkdirSync(bin, { recursive: true });
  writeFileSync(shim, '#!/bin/sh\nexec node "$(dirname "$0")/../../dist/cli/bin.js" "$@"\n');
  chmodSync(shim, 0o755);
}
