/**
 * Attacks on who a socket is: forged certificates and keys at login, and a
 * logged-in socket trying to act as, or speak for, someone else.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN } from '../../../shared/crypto/constants.ts';
import { frame, toB64 } from '../../../shared/crypto/encoding.ts';
import {
  certToWire,
  type DeviceCert,
  deviceIdOf,
  identityFromSeed,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
  prekeyToWire,
} from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import { clientEnvelope, EnvelopeKind, encodeEnvelope } from '../../../shared/protocol/envelope.ts';
import { answer, closeAll } from './attack-support.ts';
import {
  connectDevice,
  type DeviceKeys,
  newDeviceFor,
  newUserKeys,
  relaySchemaErrors,
  roomWith,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

let relay: TestRelay;
beforeAll(async () => {
  relay = await startTestRelay({ authAttemptsPerMinPerIp: 10_000, maxViolationsPerMin: 1_000 });
});
afterAll(async () => {
  await relay.destroy();
});
afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

async function registered(): Promise<DeviceKeys> {
  const keys = newUserKeys();
  await (await connectDevice(relay, { keys })).client.close();
  return keys;
}

/** A cert with any fields, signed by `signer` over exactly those fields. */
function forgedCert(
  signer: { privateKey: Uint8Array },
  fields: { ikPk: Uint8Array; dkPk: Uint8Array; deviceId: string },
): DeviceCert {
  const created = Date.now();
  const sig = sodium().crypto_sign_detached(
    frame(DOMAIN.deviceCert, fields.dkPk, fields.deviceId, created),
    signer.privateKey,
  );
  return { ...fields, created, sig };
}

describe('forged certificates and keys', () => {
  it('a cert that names the victim IK but is signed by another IK is refused', async () => {
    const victim = await registered();
    const attackerIk = identityFromSeed(newIdentitySeed());
    const attackerDk = newDeviceKey();
    const cert = forgedCert(attackerIk, {
      ikPk: victim.identity.publicKey,
      dkPk: attackerDk.publicKey,
      deviceId: deviceIdOf(attackerDk.publicKey),
    });
    const keys: DeviceKeys = { ...victim, device: attackerDk, cert };
    const c = await TestClient.open(relay);
    await c.hello();
    expect(await c.expectError(c.deviceAddMessage(keys))).toBe('BAD_CERT');
    await c.newChallenge();
    expect(await c.expectError(c.loginMessage(keys))).toBe('BAD_CERT');
    await c.close();
  });

  it("a cert whose device id is not its DK's id is refused (no claiming another device's id)", async () => {
    const victim = await registered();
    const attacker = newUserKeys();
    const cert = forgedCert(attacker.identity, {
      ikPk: attacker.identity.publicKey,
      dkPk: attacker.device.publicKey,
      deviceId: victim.cert.deviceId,
    });
    const keys: DeviceKeys = { ...attacker, cert };
    const c = await TestClient.open(relay);
    await c.hello();
    expect(await c.expectError(c.registerMessage(keys))).toBe('BAD_CERT');
    await c.newChallenge();
    expect(await c.expectError(c.loginMessage(keys))).toBe('BAD_CERT');
    await c.close();
  });

  it('a device registered to one user cannot log in as another user with a cert from that IK', async () => {
    // Mallory holds two identities; her device is registered to the first.
    const first = await registered();
    const second = await registered();
    const crossCert = makeDeviceCert(second.identity, first.device.publicKey, Date.now());
    const keys: DeviceKeys = { ...first, identity: second.identity, cert: crossCert };
    const c = await TestClient.open(relay);
    await c.hello();
    expect(await c.expectError(c.loginMessage(keys))).toBe('AUTH_FAILED');
    // Nor can she register that DK a second time under the other IK.
    await c.newChallenge();
    expect(await c.expectError(c.deviceAddMessage(keys))).toBe('IDENTITY_TAKEN');
    await c.close();
  });

  it('a DK certified by the right IK but never registered does not log in', async () => {
    const user = await registered();
    const unregistered = newDeviceFor(user);
    const c = await TestClient.open(relay);
    await c.hello();
    expect(await c.expectError(c.loginMessage(unregistered))).toBe('UNKNOWN_DEVICE');
    await c.close();
  });

  it('an identity key already registered cannot be registered again under a new name', async () => {
    const user = await registered();
    const again: DeviceKeys = {
      ...newDeviceFor(user),
      username: `${user.username.slice(0, 28)}_two`,
    };
    const c = await TestClient.open(relay);
    await c.hello();
    expect(await c.expectError(c.registerMessage(again))).toBe('IDENTITY_TAKEN');
    await c.close();
  });

  it('a login answer signed by the IK instead of the DK is refused', async () => {
    const user = await registered();
    const c = await TestClient.open(relay);
    await c.hello();
    const msg = { t: 'login', cert: certToWire(user.cert), ...c.sign(user.identity) };
    expect(await c.expectError(msg)).toBe('AUTH_FAILED');
    await c.close();
  });
});

describe('a socket is only who it proved to be', () => {
  it('after logging in as A, no auth message makes the socket B, and what it sends still names A', async () => {
    const a = await connectDevice(relay);
    const b = await registered();
    const witness = await connectDevice(relay);
    await roomWith(a, [witness]);
    const ch = await a.client.newChallenge();
    expect(
      await a.client.expectError({
        t: 'login',
        cert: certToWire(b.cert),
        ...answer(ch, b.device, relay.origin),
      }),
    ).toBe('ALREADY_AUTHED');
    await a.client.newChallenge();
    expect(await a.client.expectError(a.client.registerMessage(newUserKeys()))).toBe(
      'ALREADY_AUTHED',
    );
    await a.client.newChallenge();
    expect(await a.client.expectError(a.client.deviceAddMessage(newDeviceFor(b)))).toBe(
      'ALREADY_AUTHED',
    );
    a.client.sendBinary(clientEnvelope({ device: witness.deviceId }, new Uint8Array([1, 2, 3])));
    const got = await witness.client.nextBinary();
    expect(got).toMatchObject({ kind: 'direct', fromDevice: a.deviceId, fromUser: a.userId });
    await closeAll(a, witness);
  });

  it('a client-written sender header (relay-to-client kinds) is refused and never delivered', async () => {
    const a = await connectDevice(relay);
    const b = await connectDevice(relay);
    const victim = await connectDevice(relay);
    const { roomId } = await roomWith(a, [b, victim]);
    const payload = new Uint8Array([9, 9, 9]);
    const forged = [
      encodeEnvelope(
        { kind: EnvelopeKind.fromDevice, flags: 0, ids: [victim.deviceId, victim.userId] },
        payload,
      ),
      encodeEnvelope(
        { kind: EnvelopeKind.fromRoom, flags: 0, ids: [roomId, victim.deviceId, victim.userId] },
        payload,
      ),
      encodeEnvelope(
        {
          kind: EnvelopeKind.mailbox,
          flags: 0,
          ids: ['1', victim.deviceId, victim.userId, roomId, String(Date.now())],
        },
        payload,
      ),
    ];
    for (const bytes of forged) {
      a.client.sendBinary(bytes);
      expect((await a.client.next('error')).code).toBe('BAD_FRAME');
    }
    // A real envelope after them arrives first at B, with A's true ids.
    a.client.sendBinary(clientEnvelope({ room: roomId }, new Uint8Array([4])));
    const got = await b.client.nextBinary();
    expect(got).toMatchObject({ kind: 'room', roomId, fromDevice: a.deviceId, fromUser: a.userId });
    expect(Array.from(got.payload)).toEqual([4]);
    await closeAll(a, b, victim);
  });

  it('signalling cannot carry a sender claim; the receiver sees the proven sender', async () => {
    const a = await connectDevice(relay);
    const b = await connectDevice(relay);
    const c = await connectDevice(relay);
    await roomWith(a, [b, c]);
    for (const extra of [{ from: c.deviceId }, { fromUser: c.userId }]) {
      expect(await a.client.expectError({ t: 'signal', to: b.deviceId, data: 'x', ...extra })).toBe(
        'SCHEMA',
      );
    }
    await a.client.expect('ok', { t: 'signal', to: b.deviceId, data: 'offer' });
    expect(await b.client.next('signal')).toEqual({
      t: 'signal',
      from: a.deviceId,
      fromUser: a.userId,
      data: 'offer',
    });
    await closeAll(a, b, c);
  });

  it('a prekey rotation is applied to the socket’s own device only', async () => {
    const a = await connectDevice(relay);
    const b = await connectDevice(relay);
    const bBefore = await a.client.expect('keys', { t: 'keys.get', userId: b.userId });
    // A rotates with a prekey signed by B's DK: it does not verify against A's DK.
    const spk = prekeyToWire(makeSignedPrekey(b.keys.device, 7, Date.now()));
    expect(await a.client.expectError({ t: 'prekey.rotate', spk })).toBe('BAD_PREKEY');
    const bAfter = await a.client.expect('keys', { t: 'keys.get', userId: b.userId });
    expect(bAfter.devices).toEqual(bBefore.devices);
    expect(toB64(b.keys.spk.publicKey)).toBe(bAfter.devices[0]?.spk.pk);
    await closeAll(a, b);
  });
});
