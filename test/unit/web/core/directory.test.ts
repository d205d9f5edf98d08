import { beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../../shared/crypto/encoding.ts';
import { certToWire, makeDeviceCert, prekeyToWire } from '../../../../shared/crypto/keys.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';
import { checkKeys } from '../../../../web/core/directory.ts';
import { memoryPinStorage, TrustStore } from '../../../../web/core/trust.ts';
import { type TestDevice, testDevice } from '../../../support/identities.ts';

beforeAll(async () => {
  await loadSodium();
});

function keysReply(userIk: Uint8Array, devices: TestDevice[]) {
  return {
    t: 'keys' as const,
    userId: 'u-alice',
    username: 'alice',
    ik: toB64(userIk),
    devices: devices.map((d) => ({ cert: certToWire(d.cert), spk: prekeyToWire(d.spk) })),
  };
}

describe('key directory (the relay is not trusted to hand out the right keys)', () => {
  it('devices certified by the user’s identity key are usable', async () => {
    const phone = testDevice();
    const laptop = testDevice(phone.identity);
    const trust = await TrustStore.open(memoryPinStorage());
    const entry = await checkKeys(keysReply(phone.identity.publicKey, [phone, laptop]), trust);
    expect(entry.state).toBe('trusted');
    if (entry.state !== 'trusted') return;
    expect(entry.devices.map((d) => d.deviceId)).toEqual([phone.deviceId, laptop.deviceId]);
    expect(entry.rejected).toEqual([]);
  });

  it('a device slipped in by the relay (certified by another key) is rejected', async () => {
    const alice = testDevice();
    const relayDevice = testDevice(); // its own identity, not Alice's
    const trust = await TrustStore.open(memoryPinStorage());
    const entry = await checkKeys(keysReply(alice.identity.publicKey, [alice, relayDevice]), trust);
    if (entry.state !== 'trusted') throw new Error('expected trusted');
    expect(entry.devices.map((d) => d.deviceId)).toEqual([alice.deviceId]);
    expect(entry.rejected).toEqual([relayDevice.deviceId]);
  });

  it('a prekey not signed by its device is rejected with its device', async () => {
    const alice = testDevice();
    const other = testDevice(alice.identity);
    const forged = { ...other, spk: { ...other.spk, sig: alice.spk.sig } };
    const trust = await TrustStore.open(memoryPinStorage());
    const entry = await checkKeys(keysReply(alice.identity.publicKey, [alice, forged]), trust);
    if (entry.state !== 'trusted') throw new Error('expected trusted');
    expect(entry.rejected).toEqual([other.deviceId]);
  });

  it('a relay swapping in a new identity key for a pinned user is flagged, and yields no devices', async () => {
    const alice = testDevice();
    const trust = await TrustStore.open(memoryPinStorage());
    await checkKeys(keysReply(alice.identity.publicKey, [alice]), trust);
    const impostor = testDevice();
    // A self-consistent set of keys, just not Alice's.
    const cert = makeDeviceCert(impostor.identity, impostor.dk.publicKey, Date.now());
    const entry = await checkKeys(
      keysReply(impostor.identity.publicKey, [{ ...impostor, cert }]),
      trust,
    );
    expect(entry).toMatchObject({ state: 'changed', userId: 'u-alice' });
    expect(trust.canSendTo('u-alice')).toBe(false);
  });
});
