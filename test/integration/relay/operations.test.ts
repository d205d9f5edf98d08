import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, helpText, loadConfig } from '../../../signal/config.ts';
import { createLogger } from '../../../signal/log.ts';
import { connectDevice, sleep, startTestRelay, TestClient } from './harness.ts';

describe('configuration', () => {
  it('flags beat env, env beats defaults', () => {
    const parsed = loadConfig(['--port', '9001'], { PARLEY_PORT: '9002', PARLEY_HOST: '0.0.0.0' });
    if (parsed.help) throw new Error('unexpected help');
    expect(parsed.config.port).toBe(9001);
    expect(parsed.config.host).toBe('0.0.0.0');
    expect(parsed.config.dataDir).toBe('./data');
    expect(DEFAULTS).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: './data' });
  });

  it('--help lists every option with its env name', () => {
    expect(loadConfig(['--help'])).toEqual({ help: true });
    const text = helpText();
    for (const flag of [
      '--port',
      '--host',
      '--data-dir',
      '--turn-secret',
      '--metrics',
      '--allowed-origins',
    ]) {
      expect(text).toContain(flag);
    }
    expect(text).toContain('PARLEY_DATA_DIR');
  });

  it('wrong values and combinations throw exact messages', () => {
    expect(() => loadConfig(['--port', 'abc'])).toThrow(
      new ConfigError('--port: expected a non-negative integer, got "abc"'),
    );
    expect(() => loadConfig(['--turn-urls', 'turn:x:3478'])).toThrow(
      '--turn-urls needs --turn-secret (TURN credentials are minted from it)',
    );
    expect(() => loadConfig(['--nope'])).toThrow(ConfigError);
    expect(() => loadConfig([], { PARLEY_METRICS: 'maybe' })).toThrow(
      'PARLEY_METRICS: expected true or false, got "maybe"',
    );
  });
});

describe('logs', () => {
  it('are JSON lines with secret-ish fields redacted, at any depth', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => lines.push(line) });
    log.info(
      { sig: 'SECRET-1', nested: { blob: 'SECRET-2', invite: 'SECRET-3' }, userId: 'u1' },
      'hello',
    );
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ msg: 'hello', userId: 'u1', sig: '[redacted]' });
    expect(lines.join('')).not.toMatch(/SECRET/);
  });
});

describe('HTTP', () => {
  it('/livez and /readyz answer, and /readyz is 503 while draining', async () => {
    const relay = await startTestRelay({ drainTimeoutMs: 2_000 });
    expect((await fetch(`${relay.url}/livez`)).status).toBe(200);
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
    const d = await connectDevice(relay);
    // Hold the drain open: the client does not answer the close at once.
    (d.client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const closing = relay.close();
    await sleep(50);
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${relay.url}/livez`)).status).toBe(200);
    await expect(TestClient.open(relay)).rejects.toThrow(/503/);
    d.client.ws.terminate();
    await closing;
  });

  it('draining closes sockets with 1001', async () => {
    const relay = await startTestRelay();
    const d = await connectDevice(relay);
    await relay.close();
    expect((await d.client.waitClosed()).code).toBe(1001);
  });

  it('/metrics is off by default and Prometheus text when enabled', async () => {
    const off = await startTestRelay();
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    await off.destroy();
    const on = await startTestRelay({ metrics: true });
    const d = await connectDevice(on);
    const res = await fetch(`${on.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('parley_sockets 1');
    expect(text).toContain('parley_auth_total{result="ok"} 1');
    await d.client.close();
    await on.destroy();
  });

  it('/config gives ICE servers with time-limited TURN credentials and limits', async () => {
    const plain = await startTestRelay();
    const none = await (await fetch(`${plain.url}/config`)).json();
    expect(none).toMatchObject({
      iceServers: [],
      limits: { maxFrameBytes: plain.config.maxFrameBytes },
    });
    await plain.destroy();

    const relay = await startTestRelay({
      turnSecret: 's3cret',
      turnUrls: ['turn:127.0.0.1:3478'],
      turnTtlSec: 600,
    });
    const body = (await (await fetch(`${relay.url}/config`)).json()) as {
      iceServers: { urls: string[]; username: string; credential: string }[];
      limits: Record<string, number>;
      relay: string;
    };
    const turn = body.iceServers[0]!;
    expect(turn.urls).toEqual(['turn:127.0.0.1:3478']);
    const [expiry] = turn.username.split(':');
    const nowSec = Date.now() / 1000;
    expect(Number(expiry)).toBeGreaterThan(nowSec + 590);
    expect(Number(expiry)).toBeLessThan(nowSec + 610);
    expect(turn.credential).toBe(
      createHmac('sha1', 's3cret').update(turn.username).digest('base64'),
    );
    expect(body.limits.maxFileBytes).toBe(relay.config.maxFileBytes);
    expect(body.relay).toMatch(/^parley-relay\//);
    await relay.destroy();
  });

  it('serves the web app with a strict CSP, right types, and no directory traversal', async () => {
    const webDir = mkdtempSync(join(tmpdir(), 'parley-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log(1)');
    const relay = await startTestRelay({ webDir });
    const index = await fetch(`${relay.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    const js = await fetch(`${relay.url}/assets/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    for (const path of [
      '/../package.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fparley.db',
    ]) {
      const res = await fetch(`${relay.url}${path}`);
      expect([400, 404]).toContain(res.status);
    }
    expect((await fetch(`${relay.url}/livez`, { method: 'POST' })).status).toBe(405);
    await relay.destroy();
  });

  it('without a built app, / serves a placeholder page', async () => {
    const relay = await startTestRelay();
    const res = await fetch(`${relay.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Parley relay');
    await relay.destroy();
  });
});

describe('the CLI process', () => {
  it('SIGTERM drains: sockets close with 1001 and the process exits 0 well within 10 s', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'signal/main.ts',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--log-level',
        'info',
      ],
      { cwd: join(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited early ${code}: ${out}`)));
    });
    const fake = { wsUrl: `${url.replace('http', 'ws')}/ws`, origin: url } as Parameters<
      typeof TestClient.open
    >[0];
    const c = await TestClient.open(fake);
    await c.hello();
    const started = Date.now();
    child.kill('SIGTERM');
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect((await c.waitClosed()).code).toBe(1001);
    expect(exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out).toContain('relay stopped');
  });
});
