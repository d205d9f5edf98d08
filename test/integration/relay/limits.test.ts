import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  connectDevice,
  relaySchemaErrors,
  sleep,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

let relay: TestRelay;
beforeAll(async () => {
  relay = await startTestRelay({ maxFrameBytes: 64 * 1024, maxControlBytes: 32 * 1024 });
});
afterAll(async () => {
  await relay.destroy();
});
afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

async function livez(r: TestRelay): Promise<number> {
  return (await fetch(`${r.url}/livez`)).status;
}

describe('limits', () => {
  it('an oversize frame closes the socket with 1009 and the relay stays up', async () => {
    const c = await TestClient.open(relay);
    await c.hello();
    c.sendRaw(new Uint8Array(64 * 1024 + 1));
    expect((await c.waitClosed()).code).toBe(1009);
    expect(await livez(relay)).toBe(200);
  });

  it('a control frame over the control limit gets FRAME_TOO_LARGE without a close', async () => {
    const c = await TestClient.open(relay);
    await c.hello();
    c.sendRaw(JSON.stringify({ t: 'ping', pad: 'x'.repeat(40 * 1024) }));
    expect((await c.next('error')).code).toBe('FRAME_TOO_LARGE');
    await c.expect('pong', { t: 'ping' });
    await c.close();
  });

  it('invalid JSON gets BAD_JSON and the socket keeps working', async () => {
    const c = await TestClient.open(relay);
    c.sendRaw('{"t":"hello",');
    expect((await c.next('error')).code).toBe('BAD_JSON');
    c.sendRaw('\u0000\u0001');
    expect((await c.next('error')).code).toBe('BAD_JSON');
    await c.hello();
    await c.close();
  });

  it('schema violations are refused: extra keys, wrong types, over-long strings, unknown t', async () => {
    const { client: c } = await connectDevice(relay);
    const cases: [Record<string, unknown>, string][] = [
      [{ t: 'room.create', name: 'x', visibility: 'public', admin: true }, 'SCHEMA'],
      [{ t: 'room.create', name: 42, visibility: 'public' }, 'SCHEMA'],
      [{ t: 'room.create', name: 'x'.repeat(65), visibility: 'public' }, 'SCHEMA'],
      [{ t: 'room.create', name: 'x', visibility: 'hidden' }, 'SCHEMA'],
      [{ t: 'room.join', roomId: 'not-an-id' }, 'SCHEMA'],
      [{ t: 'mailbox.ack', ids: [-1] }, 'SCHEMA'],
      [{ t: 'mailbox.ack', ids: [1.5] }, 'SCHEMA'],
      [{ t: 'mailbox.ack', ids: [] }, 'SCHEMA'],
      [{ t: 'keys.get', username: 'abc', userId: 'A'.repeat(22) }, 'SCHEMA'],
      [{ t: 'no.such.type' }, 'UNKNOWN_TYPE'],
      [{ t: 'ping', ref: 'x'.repeat(65) }, 'SCHEMA'],
    ];
    for (const [msg, code] of cases) {
      const ref = c.nextRef();
      c.send({ ...msg, ...(msg.ref ? {} : { ref }) });
      const err = await c.next('error');
      expect([msg, err.code]).toEqual([msg, code]);
      if (!msg.ref) expect(err.ref).toBe(ref);
    }
    expect(await livez(relay)).toBe(200);
    await c.close();
  });

  it('JSON that is not an object is a schema error', async () => {
    const c = await TestClient.open(relay);
    for (const text of ['null', '[]', '"hello"', '42', 'true']) {
      c.sendRaw(text);
      expect((await c.next('error')).code).toBe('SCHEMA');
    }
    await c.close();
  });

  it('repeated bad frames close the socket with 1008', async () => {
    const strict = await startTestRelay({ maxViolationsPerMin: 5 });
    const c = await TestClient.open(strict);
    for (let i = 0; i < 10; i++) c.sendRaw('nope');
    expect((await c.waitClosed()).code).toBe(1008);
    expect(await livez(strict)).toBe(200);
    await strict.destroy();
  });

  it('a flood is rate limited per socket, then closed with 1008', async () => {
    const strict = await startTestRelay({
      frameRatePerSec: 50,
      frameBurst: 50,
      maxViolationsPerMin: 20,
    });
    const c = await TestClient.open(strict);
    await c.hello();
    for (let i = 0; i < 500; i++) c.send({ t: 'ping' });
    const limited = await c.waitFor((m) => m.t === 'error' && m.code === 'RATE_LIMITED');
    expect(limited).toBeTruthy();
    expect((await c.waitClosed()).code).toBe(1008);
    const pongs = c.inbox.filter((m) => m.t === 'pong').length;
    expect(pongs).toBeLessThanOrEqual(51);
    // Others are unaffected.
    const other = await connectDevice(strict);
    await other.client.expect('pong', { t: 'ping' });
    await other.client.close();
    await strict.destroy();
  });

  it('sockets are limited per address and in total', async () => {
    const strict = await startTestRelay({ maxConnections: 3, maxConnectionsPerIp: 2 });
    const a = await TestClient.open(strict);
    const b = await TestClient.open(strict);
    await expect(TestClient.open(strict)).rejects.toThrow(/429/);
    await a.close();
    await sleep(50);
    const c = await TestClient.open(strict);
    await Promise.all([b.close(), c.close()]);
    await strict.destroy();
  });

  it('sockets are limited in total', async () => {
    const strict = await startTestRelay({ maxConnections: 2, maxConnectionsPerIp: 2 });
    const a = await TestClient.open(strict);
    const b = await TestClient.open(strict);
    await expect(TestClient.open(strict)).rejects.toThrow(/503/);
    await Promise.all([a.close(), b.close()]);
    await strict.destroy();
  });

  it('a foreign Origin is refused; the relay’s own origin is allowed', async () => {
    await expect(TestClient.open(relay, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const own = await TestClient.open(relay, { origin: relay.url });
    await own.hello();
    await own.close();
    const extra = await startTestRelay({ allowedOrigins: ['https://app.example'] });
    const ok = await TestClient.open(extra, { origin: 'https://app.example' });
    await ok.close();
    await extra.destroy();
  });

  it('permessage-deflate is never negotiated', async () => {
    const ws = new WebSocket(relay.wsUrl, { perMessageDeflate: true });
    await new Promise((resolve) => ws.once('open', resolve));
    expect(ws.extensions).toBe('');
    ws.close();
  });

  it('a socket that misses a pong is terminated', async () => {
    const quick = await startTestRelay({ pingIntervalMs: 150 });
    const d = await connectDevice(quick);
    expect(quick.socketCount()).toBe(1);
    (d.client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const deadline = Date.now() + 3_000;
    while (quick.socketCount() > 0 && Date.now() < deadline) await sleep(25);
    expect(quick.socketCount()).toBe(0);
    d.client.ws.terminate();
    await quick.destroy();
  });

  it('a socket that answers pings stays connected', async () => {
    const quick = await startTestRelay({ pingIntervalMs: 100 });
    const d = await connectDevice(quick);
    await sleep(450);
    expect(d.client.isOpen).toBe(true);
    await d.client.close();
    await quick.destroy();
  });
});
