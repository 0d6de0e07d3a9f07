/**
 * What the browser tests share: Debian's Chromium (driven by playwright-core; no browser is downloaded)
 * and the playground's site, built and served locally.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { buildPlayground, servePlayground, siteDir } from '../scripts/playground.js';

export const chromiumPath = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((p) => p && existsSync(p));

/** Says why `what` is skipped when there is no Chromium. */
export function noteIfNoChromium(what: string): void {
  if (!chromiumPath)
    console.warn(`${what} skipped: no Chromium (install Debian \`chromium\` or set CHROMIUM_PATH)`);
}

export interface Site {
  server: Server;
  browser: Browser;
  /** http://127.0.0.1:PORT/ */
  base: string;
  close(): Promise<void>;
}

/** Builds the site into `dir` (then runs `extra`), serves it and launches Chromium. */
export async function startSite(
  dir = siteDir,
  extra?: () => Promise<void>,
  args: readonly string[] = [],
): Promise<Site> {
  buildPlayground(dir);
  await extra?.();
  const server = await servePlayground(0, dir);
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', ...args] });
  return {
    server,
    browser,
    base,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}

/**
 * Bundles `entries` into `outdir` as ES modules for a page of the site: their imports of the library's
 * sources (`.../src/...js`) become the site's /lib/ (the built library), so the page and the bundles
 * share one copy of descend.
 */
export async function bundleForSite(entries: string[], outdir: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: entries,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outdir,
    logLevel: 'error',
    plugins: [
      {
        name: 'site-lib',
        setup(b) {
          b.onResolve({ filter: /\/src\/.*\.js$/ }, (a) => ({
            path: `/lib/${a.path.slice(a.path.indexOf('/src/') + 5)}`,
            external: true,
          }));
        },
      },
    ],
  });
}
