/**
 * The playground's server under 10,000 malformed requests (fixed seed): each one is answered with an HTTP
 * status (4xx for the malformed ones), and the server still serves the site afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePlayground } from '../scripts/playground.js';
import { Generator } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'descend-site-'));
let server: Server;
let port = 0;

beforeAll(async () => {
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>site</title>');
  writeFileSync(join(dir, 'lib', 'index.js'), 'export {};');
  server = await servePlayground(0, dir);
  const a = server.address();
  port = typeof a === 'object' && a ? a.port : 0;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes and resolves with the response's status code (0: the connection closed unanswered). */
function raw(bytes: Buffer): Promise<number> {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (code: number) => {
      s.destroy();
      ok(code);
    };
    s.setTimeout(5000, () => done(0));
    s.on('data', (b) => {
      got += b.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) done(Number(m[1]));
    });
    s.on('error', () => done(0));
    s.on('close', () => done(0));
    s.end(bytes);
  });
}

const request = (target: string | Buffer, method = 'GET') =>
  raw(
    Buffer.concat([
      Buffer.from(`${method} `),
      Buffer.from(target),
      Buffer.from(' HTTP/1.1\r\nhost: x\r\n\r\n'),
    ]),
  );

describe('playground server', () => {
  it('answers the requests that used to stop it, and serves the site', async () => {
    expect(await request('/lib')).toBe(301); // a folder without its slash (was EISDIR)
    expect(await request('/%E0%A4%A')).toBe(400); // bad percent-encoding (was URIError)
    expect(await request('/%00')).toBe(400);
    expect(await request('/../../etc/passwd')).toBe(404); // URL parsing drops the dots: still inside
    expect(await request('/%2e%2e/%2e%2e/etc/passwd')).toBe(404); // %2e%2e are dot segments too
    expect(await request('/', 'DELETE')).toBe(405);
    expect(await request('/' + 'a'.repeat(5000))).toBe(414);
    expect(await request('/')).toBe(200);
    expect(await request('/lib/')).toBe(404); // no index.html in lib/
    expect(await request('/lib/index.js')).toBe(200);
  });

  it('10,000 malformed requests are each answered with a 4xx, and the server stays up', async () => {
    const g = new Generator(17);
    const pieces = [
      '%',
      '%E0%A4%A',
      '%zz',
      '%00',
      '%2e%2e/',
      '..',
      '/',
      '\\',
      '%C0%AF',
      'lib',
      '%ff%fe',
      '\u00e9',
      '~',
    ];
    const makeOne = (): Buffer => {
      const kind = g.randint(0, 4);
      if (kind === 0) {
        // A path of hostile pieces.
        // Malformed at both ends: a '..' may remove the segment before it, never the one after.
        let p = '/%zz';
        for (let k = g.randint(1, 8); k > 0; k--) p += pieces[g.randint(0, pieces.length)];
        return Buffer.from(`GET ${p}%zz HTTP/1.1\r\nhost: x\r\n\r\n`);
      }
      if (kind === 1) {
        // Random bytes in the request target.
        const b = Buffer.from(Array.from({ length: g.randint(1, 40) }, () => g.randint(0, 256)));
        return Buffer.concat([Buffer.from('GET /%%'), b, Buffer.from(' HTTP/1.1\r\nhost: x\r\n\r\n')]);
      }
      if (kind === 2) {
        // A garbage request line or headers.
        const b = Buffer.from(Array.from({ length: g.randint(1, 200) }, () => g.randint(0, 256)));
        return Buffer.concat([b, Buffer.from('\r\n\r\n')]);
      }
      // A method the server does not serve.
      const m = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'][g.randint(0, 6)];
      return Buffer.from(`${m} /index.html HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n`);
    };
    const reqs = Array.from({ length: 10_000 }, makeOne);
    const codes: number[] = new Array(reqs.length);
    let next = 0;
    const worker = async () => {
      while (next < reqs.length) {
        const i = next++;
        codes[i] = await raw(reqs[i]);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const unanswered = codes.filter((c) => c === 0).length;
    const not4xx = codes.filter((c) => c < 400 || c >= 500).length;
    expect(unanswered, 'requests without an answer').toBe(0);
    const odd = codes.flatMap((c, i) =>
      c < 400 || c >= 500 ? [`${c} ${JSON.stringify(reqs[i].toString('latin1'))}`] : [],
    );
    expect(not4xx, odd.slice(0, 5).join('\n')).toBe(0);
    expect(await request('/')).toBe(200);
    const counts: Record<number, number> = {};
    for (const c of codes) counts[c] = (counts[c] ?? 0) + 1;
    console.log(`server fuzz: 10,000 requests answered: ${JSON.stringify(counts)}; GET / still 200`);
  }, 120_000);
});
