import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certToWire, makeSignedPrekey, prekeyToWire } from '../../../shared/crypto/keys.ts';
import {
  connectDevice,
  newDeviceFor,
  newUserKeys,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

let relay: TestRelay;
beforeAll(async () => {
  relay = await startTestRelay();
});
afterAll(async () => {
  await relay.destroy();
});

describe('identity', () => {
  it('a user registers with IK, first device and signed prekey, and logs in again later', async () => {
    const alice = await connectDevice(relay);
    expect(alice.authed.username).toBe(alice.keys.username);
    expect(alice.deviceId).toBe(alice.keys.cert.deviceId);
    await alice.client.close();

    const again = await connectDevice(relay, { keys: alice.keys, mode: 'login' });
    expect(again.userId).toBe(alice.userId);
    expect(again.client.schemaErrors).toEqual([]);
    await again.client.close();
  });

  it('a username is unique without regard to case', async () => {
    const keys = newUserKeys('CaseUser_1');
    const first = await connectDevice(relay, { keys });
    const clash = await TestClient.open(relay);
    await clash.hello();
    const other = newUserKeys('caseuser_1');
    expect(await clash.expectError(clash.registerMessage(other))).toBe('USERNAME_TAKEN');
    await Promise.all([first.client.close(), clash.close()]);
  });

  it('usernames outside 3–32 of [a-z0-9_.-] are refused by the schema', async () => {
    const c = await TestClient.open(relay);
    await c.hello();
    for (const name of ['ab', 'a'.repeat(33), 'bad name', 'émile', 'semi;colon']) {
      expect(await c.expectError(c.registerMessage(newUserKeys(name)))).toBe('SCHEMA');
      await c.newChallenge();
    }
    await c.close();
  });

  it('a second device certified by the same IK is added and listed in the key lookup', async () => {
    const alice = await connectDevice(relay);
    const second = newDeviceFor(alice.keys);
    const phone = await connectDevice(relay, { keys: second, mode: 'device.add' });
    expect(phone.userId).toBe(alice.userId);

    const bob = await connectDevice(relay);
    const keys = await bob.client.expect('keys', { t: 'keys.get', username: alice.keys.username });
    expect(keys.userId).toBe(alice.userId);
    expect(keys.devices.map((d) => d.cert.deviceId).sort()).toEqual(
      [alice.deviceId, phone.deviceId].sort(),
    );
    const byId = await bob.client.expect('keys', { t: 'keys.get', userId: alice.userId });
    expect(byId.ik).toBe(keys.ik);
    await Promise.all([alice.client.close(), phone.client.close(), bob.client.close()]);
  });

  it('a device rotates its signed prekey and others see the new one', async () => {
    const alice = await connectDevice(relay);
    const next = makeSignedPrekey(alice.keys.device, 2, Date.now());
    await alice.client.expect('ok', { t: 'prekey.rotate', spk: prekeyToWire(next) });
    const keys = await alice.client.expect('keys', { t: 'keys.get', userId: alice.userId });
    expect(keys.devices[0]!.spk).toEqual(prekeyToWire(next));
    await alice.client.close();
  });

  it('a prekey signed by another key is refused', async () => {
    const alice = await connectDevice(relay);
    const stranger = newUserKeys();
    const forged = makeSignedPrekey(stranger.device, 3, Date.now());
    expect(await alice.client.expectError({ t: 'prekey.rotate', spk: prekeyToWire(forged) })).toBe(
      'BAD_PREKEY',
    );
    await alice.client.close();
  });

  it('a cert not signed by its IK is refused at registration', async () => {
    const c = await TestClient.open(relay);
    await c.hello();
    const keys = newUserKeys();
    const other = newUserKeys();
    const msg = c.registerMessage(keys);
    msg.cert = { ...certToWire(keys.cert), ik: certToWire(other.cert).ik };
    expect(await c.expectError(msg)).toBe('BAD_CERT');
    await c.close();
  });

  it("a socket cannot log in as another user's device with its own cert", async () => {
    const alice = await connectDevice(relay);
    await alice.client.close();
    const mallory = newUserKeys();
    const c = await TestClient.open(relay);
    await c.hello();
    // Mallory's valid cert, renamed to Alice's device id: the cert no longer verifies.
    const msg = c.loginMessage(mallory);
    msg.cert = { ...msg.cert, deviceId: alice.deviceId };
    expect(await c.expectError(msg)).toBe('BAD_CERT');
    await c.close();
  });

  it('requests before login are refused with NOT_AUTHED', async () => {
    const c = await TestClient.open(relay);
    await c.hello();
    expect(await c.expectError({ t: 'room.list' })).toBe('NOT_AUTHED');
    await c.close();
  });

  it('a protocol version mismatch is answered with VERSION_MISMATCH and a close', async () => {
    const c = await TestClient.open(relay);
    expect(await c.expectError({ t: 'hello', v: 999 })).toBe('VERSION_MISMATCH');
    expect((await c.waitClosed()).code).toBe(4000);
  });
});
