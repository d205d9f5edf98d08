/**
 * Attacks on socket login (CRYPTO.md "Relay login"): replayed, re-targeted,
 * stale and wrongly-bound challenge answers, and sockets that never log in.
 * Forged keys and identity claims: attack-identity.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, codeOf, loginFor, RawClient, registerFor } from './attack-support.ts';
import {
  connectDevice,
  type DeviceKeys,
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
  relay = await startTestRelay(
    { authAttemptsPerMinPerIp: 10_000, maxViolationsPerMin: 1_000 },
    { now: () => Date.now() + clockOffsetMs },
  );
});
afterAll(async () => {
  await relay.destroy();
});
afterEach(() => {
  clockOffsetMs = 0;
  expect(relaySchemaErrors()).toEqual([]);
});

async function registered(): Promise<DeviceKeys> {
  const keys = newUserKeys();
  await (await connectDevice(relay, { keys })).client.close();
  return keys;
}

describe('replayed and re-targeted login answers', () => {
  it('a captured login answer replayed on the attacker socket is refused with CHALLENGE_UNKNOWN', async () => {
    const keys = await registered();
    const victim = await TestClient.open(relay);
    await victim.hello();
    const captured = victim.loginMessage(keys);
    // Before the victim uses it: the challenge belongs to the victim's socket.
    const attacker = await TestClient.open(relay);
    await attacker.hello();
    expect(await attacker.expectError(captured)).toBe('CHALLENGE_UNKNOWN');
    await victim.expect('authed', captured);
    // After: it was burned.
    await attacker.newChallenge();
    expect(await attacker.expectError(captured)).toBe('CHALLENGE_UNKNOWN');
    await closeAll(victim, attacker);
  });

  it('a captured register or device.add answer cannot be replayed either', async () => {
    const keys = newUserKeys();
    const victim = await TestClient.open(relay);
    await victim.hello();
    const reg = victim.registerMessage(keys);
    await victim.expect('authed', reg);
    const phone = newDeviceFor(keys);
    const victimPhone = await TestClient.open(relay);
    await victimPhone.hello();
    const add = victimPhone.deviceAddMessage(phone);
    await victimPhone.expect('authed', add);

    const attacker = await TestClient.open(relay);
    await attacker.hello();
    expect(await attacker.expectError(reg)).toBe('CHALLENGE_UNKNOWN');
    await attacker.newChallenge();
    expect(await attacker.expectError(add)).toBe('CHALLENGE_UNKNOWN');
    await closeAll(victim, victimPhone, attacker);
  });

  it('a challenge whose timestamp was changed is refused (the nonce is bound to its ts)', async () => {
    const keys = await registered();
    const c = await TestClient.open(relay);
    const hello = await c.hello();
    const moved = { nonce: hello.challenge.nonce, ts: hello.challenge.ts + 1 };
    const msg = { ...c.loginMessage(keys), ...c.sign(keys.device, { challenge: moved }) };
    expect(await c.expectError(msg)).toBe('CHALLENGE_UNKNOWN');
    await c.close();
  });

  it('a login answer signed for another origin is refused', async () => {
    const keys = await registered();
    const c = await TestClient.open(relay);
    await c.hello();
    for (const origin of ['https://evil.example', `${relay.origin}/`, relay.origin.toUpperCase()]) {
      expect(await c.expectError(c.loginMessage(keys, { origin }))).toBe('AUTH_FAILED');
      await c.newChallenge();
    }
    await c.login(keys);
    await c.close();
  });

  it('with --public-url set, a forged Host header does not change the origin a login is checked against', async () => {
    const pinned = await startTestRelay({ publicUrl: 'https://chat.example' });
    const keys = newUserKeys();
    const honest = await RawClient.open(pinned.wsUrl);
    await honest.hello();
    expect(
      (await honest.request(registerFor(keys, honest.challenge!, 'https://chat.example'))).t,
    ).toBe('authed');
    honest.close();
    // A relay at evil.example passed the victim our challenge and got back a
    // signature for its own origin; it now presents that with Host: evil.example.
    const attacker = await RawClient.open(pinned.wsUrl, { headers: { Host: 'evil.example' } });
    await attacker.hello();
    const reply = await attacker.request(
      loginFor(keys, attacker.challenge!, 'http://evil.example'),
    );
    expect(codeOf(reply)).toBe('AUTH_FAILED');
    expect(attacker.schemaErrors).toEqual([]);
    attacker.close();
    await pinned.destroy();
  });

  it('a forged Host header does not let a signature made for another relay log in (default config)', async () => {
    // The relay derives the origin clients must sign from the Host header
    // when --public-url is unset; that header is the attacker's to choose.
    const keys = await registered();
    const attacker = await RawClient.open(relay.wsUrl, { headers: { Host: 'evil.example' } });
    await attacker.hello();
    const reply = await attacker.request(
      loginFor(keys, attacker.challenge!, 'http://evil.example'),
    );
    expect(codeOf(reply)).toBe('AUTH_FAILED');
    attacker.close();
  });
});

describe('stale challenges and the auth deadline', () => {
  it('an answer to a challenge older than its time to live is refused with CHALLENGE_EXPIRED', async () => {
    const keys = await registered();
    const c = await TestClient.open(relay);
    await c.hello();
    const signed = c.loginMessage(keys);
    clockOffsetMs = 60_001;
    expect(await c.expectError(signed)).toBe('CHALLENGE_EXPIRED');
    // …and the expired challenge is gone, not waiting for the clock to come back.
    clockOffsetMs = 0;
    expect(await c.expectError(signed)).toBe('CHALLENGE_UNKNOWN');
    await c.close();
  });

  it('a short challenge TTL is enforced in real time', async () => {
    const quick = await startTestRelay({}, { challengeTtlMs: 150 });
    const keys = newUserKeys();
    const c = await TestClient.open(quick);
    await c.hello();
    await sleep(300);
    expect(await c.expectError(c.registerMessage(keys))).toBe('CHALLENGE_EXPIRED');
    await c.newChallenge();
    await c.register(keys);
    await c.close();
    await quick.destroy();
  });

  it('sockets that never authenticate are closed at the auth deadline, whatever they do meanwhile', async () => {
    const quick = await startTestRelay({ authDeadlineMs: 300, maxViolationsPerMin: 1_000 });
    const keys = newUserKeys();
    const silent = await TestClient.open(quick);
    const chatty = await TestClient.open(quick);
    await chatty.hello();
    const failing = await TestClient.open(quick);
    await failing.hello();
    const started = Date.now();
    const keepBusy = setInterval(() => {
      if (chatty.isOpen) chatty.send({ t: 'ping' });
      if (failing.isOpen) failing.send(failing.loginMessage(keys, { origin: 'http://x' }));
    }, 50);
    const closes = await Promise.all([silent, chatty, failing].map((c) => c.waitClosed(3_000)));
    clearInterval(keepBusy);
    for (const closed of closes) expect(closed.code).toBe(1008);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(silent.inbox.map((m) => (m.t === 'error' ? m.code : m.t))).toContain('AUTH_TIMEOUT');
    await quick.destroy();
  });
});

describe('which pages may open a socket', () => {
  it('a page on another site cannot open a socket (cross-site WebSocket hijacking)', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'http://127.0.0.1.evil.example',
      `${relay.origin}.evil.example`,
    ]) {
      await expect(
        RawClient.open(relay.wsUrl, { headers: { Origin: origin } }),
        origin,
      ).rejects.toThrow('403');
    }
    // The relay's own pages can.
    const own = await RawClient.open(relay.wsUrl, { headers: { Origin: relay.origin } });
    own.close();
  });

  it('a DNS-rebinding page (Host and Origin both the attacker’s name) cannot open a socket', async () => {
    const host = `rebind.evil.example:${relay.port}`;
    await expect(
      RawClient.open(relay.wsUrl, { headers: { Host: host, Origin: `http://${host}` } }),
    ).rejects.toThrow('403');
  });

  it('with --public-url set, only that origin’s pages may open a socket', async () => {
    const pinned = await startTestRelay({ publicUrl: 'https://chat.example' });
    const ok = await RawClient.open(pinned.wsUrl, { headers: { Origin: 'https://chat.example' } });
    ok.close();
    for (const origin of [pinned.url, 'http://chat.example', 'https://chat.example.evil']) {
      await expect(
        RawClient.open(pinned.wsUrl, { headers: { Origin: origin } }),
        origin,
      ).rejects.toThrow('403');
    }
    await pinned.destroy();
  });
});
