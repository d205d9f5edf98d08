import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { CLOSE_CODES } from '../../../shared/protocol/errors.ts';
import { RelayClient, relayOriginOf } from '../../../web/core/relay-client.ts';
import { RelayError } from '../../../web/core/relay-errors.ts';
import { testDevice } from '../../support/identities.ts';
import { nodeSocket } from '../../support/node-socket.ts';
import { startTestRelay, type TestRelay, uniqueUsername } from '../relay/harness.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

beforeAll(async () => {
  await loadSodium();
});

async function relay(opts: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const r = await startTestRelay(opts);
  cleanups.push(() => r.destroy());
  return r;
}

function client(r: TestRelay, backoff = { initialMs: 50, maxMs: 200 }): RelayClient {
  const c = new RelayClient({ url: r.wsUrl, createSocket: nodeSocket, backoff });
  cleanups.push(() => c.close());
  return c;
}

function credentials(d = testDevice()) {
  return { device: d.dk, cert: d.cert, spk: d.spk };
}

describe('relay client (engine) against the real relay', () => {
  it('signs for the same origin the relay expects', async () => {
    const r = await relay();
    expect(relayOriginOf(r.wsUrl)).toBe(r.origin);
  });

  it('registers a new user, then the same device logs in on a new connection', async () => {
    const r = await relay();
    const creds = credentials();
    const username = uniqueUsername('alice');
    const first = client(r);
    const authed = await first.register(username, creds);
    expect(authed).toMatchObject({ username, deviceId: creds.cert.deviceId });
    expect(first.state).toBe('online');
    first.close();
    const second = client(r);
    expect((await second.login(creds)).userId).toBe(authed.userId);
  });

  it('relay errors reach the caller with their stable code', async () => {
    const r = await relay();
    const username = uniqueUsername('taken');
    await client(r).register(username, credentials());
    const error = await client(r)
      .register(username.toUpperCase(), credentials())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayError);
    expect((error as RelayError).code).toBe('USERNAME_TAKEN');
  });

  it('a device the relay does not know cannot log in', async () => {
    const r = await relay();
    const error = await client(r)
      .login(credentials())
      .catch((e: unknown) => e);
    expect((error as RelayError).code).toMatch(/UNKNOWN_DEVICE|UNKNOWN_USER|AUTH_FAILED/);
  });

  it('after a relay restart it reconnects and logs in again by itself', async () => {
    const r = await relay();
    const creds = credentials();
    const c = client(r);
    await c.register(uniqueUsername('bob'), creds);
    const logins: string[] = [];
    c.events.on('authed', (a) => logins.push(a.deviceId));
    const states: string[] = [];
    c.events.on('state', (s) => states.push(s));

    await r.close();
    const again = await relay({ port: r.port, dataDir: r.dataDir });
    await new Promise<void>((resolve) => c.events.once('authed', () => resolve()));
    expect(logins).toEqual([creds.cert.deviceId]);
    expect(states).toContain('offline');
    expect(c.state).toBe('online');
    // And it works: a request round-trips on the new connection.
    expect((await c.request({ t: 'ping' })).t).toBe('pong');
    expect(again.socketCount()).toBe(1);
  });

  it('requests in flight when the connection drops fail with DISCONNECTED, not silence', async () => {
    const r = await relay();
    const c = client(r);
    await c.register(uniqueUsername('carol'), credentials());
    const pending = c.request({ t: 'room.list' }).catch((e: unknown) => e);
    await r.close();
    const error = await pending;
    // Either the reply made it before the drain, or the request failed cleanly.
    if (error instanceof RelayError) expect(error.code).toBe('DISCONNECTED');
    else expect(error).toMatchObject({ t: 'room.list.ok' });
  });

  it('a device that logs in elsewhere is told so and does not fight back by reconnecting', async () => {
    const r = await relay();
    const creds = credentials();
    const first = client(r);
    await first.register(uniqueUsername('twin'), creds);
    const errors: string[] = [];
    first.events.on('error', (e) => errors.push(e.code));
    const closed = new Promise<void>((resolve) =>
      first.events.on('state', (s) => s === 'closed' && resolve()),
    );
    const second = client(r);
    await second.login(creds);
    await closed;
    expect(errors).toContain('REPLACED');
    await new Promise((res) => setTimeout(res, 400));
    // Still just the second socket: the first did not come back to take over.
    expect(r.socketCount()).toBe(1);
    expect(second.state).toBe('online');
  });

  it('a relay that speaks another protocol version is reported at once, not waited on forever', async () => {
    // A relay of another version closes the socket at hello with this code.
    const other = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => new Promise((resolve) => other.close(resolve)));
    await once(other, 'listening');
    other.on('connection', (ws) =>
      ws.once('message', () => ws.close(CLOSE_CODES.versionMismatch, 'VERSION_MISMATCH')),
    );
    const { port } = other.address() as AddressInfo;
    const c = new RelayClient({
      url: `ws://127.0.0.1:${port}/ws`,
      createSocket: nodeSocket,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    cleanups.push(() => c.close());
    await expect(c.connect()).rejects.toMatchObject({ code: 'VERSION_MISMATCH' });
    expect(c.state).toBe('closed');
  });

  it('closing while connect() waits for hello rejects it with CLOSED', async () => {
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => new Promise((resolve) => silent.close(resolve)));
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const c = new RelayClient({ url: `ws://127.0.0.1:${port}/ws`, createSocket: nodeSocket });
    const connecting = c.connect();
    await once(silent, 'connection');
    c.close();
    await expect(connecting).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
