/**
 * The relay's plain HTTP side under attack: path traversal out of the web
 * directory (every encoding trick), odd methods and upgrade paths, and the
 * public /config leaking a secret.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from './harness.ts';

const SECRET = `top-secret-${process.pid}-${Date.now()}`;
const TURN_SECRET = `turn-static-auth-${process.pid}-${Date.now()}`;

let relay: TestRelay;
let outside: string;

beforeAll(async () => {
  outside = mkdtempSync(join(tmpdir(), 'parley-attack-http-'));
  const web = join(outside, 'web');
  mkdirSync(web);
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  writeFileSync(join(outside, 'webx.txt'), SECRET);
  relay = await startTestRelay({
    webDir: web,
    turnSecret: TURN_SECRET,
    turnUrls: ['turn:127.0.0.1:3478'],
  });
});
afterAll(async () => {
  await relay.destroy();
  rmSync(outside, { recursive: true, force: true });
});

/** A raw request: the path goes on the wire exactly as given (no client-side normalising). */
function raw(
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: relay.port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  it('no path, however encoded, reads a file outside the web directory', async () => {
    const paths = [
      '/../secret.txt',
      '/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '//../secret.txt',
      '/./../secret.txt',
      '/web/../../secret.txt',
      '/%252e%252e/secret.txt',
      '/..%00/secret.txt',
      '/%00',
      '/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/../webx.txt',
      '/%2e%2e/webx.txt',
      `/${'../'.repeat(20)}etc/passwd`,
    ];
    for (const path of paths) {
      const res = await raw(path);
      expect(res.body.includes(SECRET), path).toBe(false);
      expect(res.body.includes('root:'), path).toBe(false);
      expect([400, 404].includes(res.status) || res.body.includes('<title>app</title>'), path).toBe(
        true,
      );
    }
  });

  it('malformed percent-encoding is a 400, not a crash', async () => {
    for (const path of ['/%', '/%E0%A4%A', '/%zz', '/%C0%AE%C0%AE/secret.txt']) {
      const res = await raw(path);
      expect([400, 404], path).toContain(res.status);
    }
    expect((await raw('/livez')).status).toBe(200);
  });

  it('methods other than GET and HEAD are refused, and every answer carries the CSP', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS']) {
      expect((await raw('/', { method })).status, method).toBe(405);
    }
    const page = await new Promise<Record<string, string | string[] | undefined>>(
      (resolve, reject) => {
        request({ host: '127.0.0.1', port: relay.port, path: '/' }, (res) => {
          res.resume();
          resolve(res.headers);
        })
          .on('error', reject)
          .end();
      },
    );
    expect(page['content-security-policy']).toContain("default-src 'self'");
    expect(page['x-content-type-options']).toBe('nosniff');
  });
});

describe('/config and /metrics', () => {
  it('/config hands out short-lived TURN credentials, never the TURN secret', async () => {
    const res = await raw('/config');
    expect(res.status).toBe(200);
    expect(res.body.includes(TURN_SECRET)).toBe(false);
    expect(res.body).toContain('turn:127.0.0.1:3478');
  });

  it('/metrics is not served unless enabled', async () => {
    expect((await raw('/metrics')).status).toBe(404);
  });

  it('a WebSocket upgrade on any path but /ws is refused', async () => {
    const res = await raw('/not-ws', {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    }).catch((err: Error) => ({ status: -1, body: err.message }));
    expect(res.status).not.toBe(101);
  });
});
