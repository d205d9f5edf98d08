import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectDevice,
  newDeviceFor,
  newUserKeys,
  relaySchemaErrors,
  sleep,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

let relay: TestRelay;
let clockOffsetMs = 0;
beforeAll(async () => {
  relay = await startTestRelay({}, { now: () => Date.now() + clockOffsetMs });
});
afterAll(async () => {
  await relay.destroy();
});
afterEach(() => {
  clockOffsetMs = 0;
  expect(relaySchemaErrors()).toEqual([]);
});

describe('login by challenge–response', () => {
  it('a replayed challenge answer does not log in a second socket', async () => {
    const alice = await connectDevice(relay);
    const c1 = await TestClient.open(relay);
    await c1.hello();
    const signed = c1.loginMessage(alice.keys);
    await c1.expect('authed', signed);
    // An eavesdropper replays the exact frame on its own socket.
    const c2 = await TestClient.open(relay);
    await c2.hello();
    expect(await c2.expectError(signed)).toBe('CHALLENGE_UNKNOWN');
    // …and on the same socket it was used on.
    const c3 = await TestClient.open(relay);
    await c3.hello();
    const first = c3.loginMessage(alice.keys);
    await c3.expect('authed', first);
    expect(await c3.expectError(first)).toBe('ALREADY_AUTHED');
    await Promise.all([alice.client.close(), c1.close(), c2.close(), c3.close()]);
  });

  it('a challenge answer cannot be used twice even after a new hello', async () => {
    const keys = newUserKeys();
    await (await connectDevice(relay, { keys })).client.close();
    const c = await TestClient.open(relay);
    await c.hello();
    const bad = c.loginMessage(keys, { origin: 'http://evil.example' });
    expect(await c.expectError(bad)).toBe('AUTH_FAILED');
    // The failed attempt burned the challenge: the same nonce with a good signature fails.
    expect(await c.expectError(c.loginMessage(keys))).toBe('CHALLENGE_UNKNOWN');
    await c.newChallenge();
    await c.login(keys);
    await c.close();
  });

  it('a signature made for another origin is refused', async () => {
    const keys = newUserKeys();
    const c = await TestClient.open(relay);
    await c.hello();
    const msg = c.registerMessage(keys, { origin: 'https://other-relay.example' });
    expect(await c.expectError(msg)).toBe('AUTH_FAILED');
    await c.close();
  });

  it('a challenge issued to another socket is refused', async () => {
    const keys = newUserKeys();
    await (await connectDevice(relay, { keys })).client.close();
    const a = await TestClient.open(relay);
    const b = await TestClient.open(relay);
    await a.hello();
    await b.hello();
    const msg = b.loginMessage(keys, { challenge: a.challenge! });
    expect(await b.expectError(msg)).toBe('CHALLENGE_UNKNOWN');
    await Promise.all([a.close(), b.close()]);
  });

  it('an expired challenge is refused', async () => {
    const keys = newUserKeys();
    await (await connectDevice(relay, { keys })).client.close();
    const c = await TestClient.open(relay);
    await c.hello();
    clockOffsetMs = 61_000;
    expect(await c.expectError(c.loginMessage(keys))).toBe('CHALLENGE_EXPIRED');
    await c.close();
  });

  it('a socket that does not log in by the auth deadline is closed', async () => {
    const quick = await startTestRelay({ authDeadlineMs: 300 });
    const c = await TestClient.open(quick);
    await c.hello();
    const err = await c.next('error', 2_000);
    expect(err.code).toBe('AUTH_TIMEOUT');
    expect((await c.waitClosed()).code).toBe(1008);
    // A socket that logged in in time stays open past the deadline.
    const ok = await connectDevice(quick);
    await sleep(500);
    expect(ok.client.isOpen).toBe(true);
    await ok.client.close();
    await quick.destroy();
  });

  it('auth attempts per address are rate limited', async () => {
    const strict = await startTestRelay({ authAttemptsPerMinPerIp: 3 });
    const keys = newUserKeys();
    const c = await TestClient.open(strict);
    await c.hello();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(await c.expectError(c.loginMessage(keys, { origin: 'http://wrong' })));
      await c.newChallenge();
    }
    expect(codes.slice(0, 3)).toEqual(['UNKNOWN_DEVICE', 'UNKNOWN_DEVICE', 'UNKNOWN_DEVICE']);
    expect(codes.slice(3)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    await c.close();
    await strict.destroy();
  });

  it('the same device logging in again replaces its old socket', async () => {
    const alice = await connectDevice(relay);
    const again = await connectDevice(relay, { keys: alice.keys, mode: 'login' });
    const err = await alice.client.next('error');
    expect(err.code).toBe('REPLACED');
    expect((await alice.client.waitClosed()).code).toBe(4001);
    expect(again.client.isOpen).toBe(true);
    await again.client.close();
  });

  it('sockets per identity are limited', async () => {
    const strict = await startTestRelay({ maxConnectionsPerIdentity: 2 });
    const alice = await connectDevice(strict);
    const second = await connectDevice(strict, {
      keys: newDeviceFor(alice.keys),
      mode: 'device.add',
    });
    const third = await TestClient.open(strict);
    await third.hello();
    const thirdKeys = newDeviceFor(alice.keys);
    expect(await third.expectError(third.deviceAddMessage(thirdKeys))).toBe('TOO_MANY_CONNECTIONS');
    expect((await third.waitClosed()).code).toBe(4003);
    // The refused device was not registered either.
    expect(strict.store.getDevice(thirdKeys.cert.deviceId)).toBeNull();
    await Promise.all([alice.client.close(), second.client.close()]);
    await strict.destroy();
  });
});
