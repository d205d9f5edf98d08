import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN } from '../../../../shared/crypto/constants.ts';
import { frame, fromB64, fromHex, toB64, toHex } from '../../../../shared/crypto/encoding.ts';
import {
  certFromWire,
  certToWire,
  type DeviceCert,
  deviceIdOf,
  identityFromSeed,
  keyId,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
  prekeyFromWire,
  prekeyToWire,
  verifyDeviceCert,
  verifySignedPrekey,
} from '../../../../shared/crypto/keys.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

const CREATED = 1_763_700_000_000;

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

describe('identity key', () => {
  it('is the Ed25519 key of its seed (RFC 8032 test 1)', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const ik = identityFromSeed(seed);
    expect(toHex(ik.publicKey)).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    expect(toHex(ik.seed)).toBe(toHex(seed));
  });

  it('the same backed-up seed restores the same identity', () => {
    const seed = newIdentitySeed();
    expect(toHex(identityFromSeed(seed).publicKey)).toBe(toHex(identityFromSeed(seed).publicKey));
  });

  it('refuses a seed of the wrong length', () => {
    expect(() => identityFromSeed(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('device certificate', () => {
  it('a cert made by the identity verifies, also against the pinned IK', () => {
    const ik = identityFromSeed(newIdentitySeed());
    const dk = newDeviceKey();
    const cert = makeDeviceCert(ik, dk.publicKey, CREATED);
    expect(cert.deviceId).toBe(deviceIdOf(dk.publicKey));
    expect(verifyDeviceCert(cert)).toBe(true);
    expect(verifyDeviceCert(cert, ik.publicKey)).toBe(true);
  });

  it('a cert signed by another identity does not verify as ours', () => {
    const ik = identityFromSeed(newIdentitySeed());
    const mallory = identityFromSeed(newIdentitySeed());
    const dk = newDeviceKey();
    const forged = makeDeviceCert(mallory, dk.publicKey, CREATED);
    // Claiming our IK with Mallory's signature fails the signature check...
    expect(verifyDeviceCert({ ...forged, ikPk: ik.publicKey })).toBe(false);
    // ...and Mallory's honest cert fails against the pinned IK.
    expect(verifyDeviceCert(forged, ik.publicKey)).toBe(false);
  });

  it('a device id that does not match the device key is refused', () => {
    const ik = identityFromSeed(newIdentitySeed());
    const dk = newDeviceKey();
    const other = newDeviceKey();
    const cert = makeDeviceCert(ik, dk.publicKey, CREATED);
    expect(verifyDeviceCert({ ...cert, deviceId: deviceIdOf(other.publicKey) })).toBe(false);
    // Swapping in another DK under the same signature fails too.
    expect(verifyDeviceCert({ ...cert, dkPk: other.publicKey })).toBe(false);
    // Even a cert the identity really signed is refused when its id is not hash(DK).
    const wrongId = deviceIdOf(other.publicKey);
    const signed = sodium().crypto_sign_detached(
      frame(DOMAIN.deviceCert, dk.publicKey, wrongId, CREATED),
      ik.privateKey,
    );
    expect(verifyDeviceCert({ ...cert, deviceId: wrongId, sig: signed })).toBe(false);
  });

  it('any flipped bit in the cert is detected', () => {
    const ik = identityFromSeed(newIdentitySeed());
    const cert = makeDeviceCert(ik, newDeviceKey().publicKey, CREATED);
    fc.assert(
      fc.property(
        fc.constantFrom('ikPk', 'dkPk', 'sig') as fc.Arbitrary<'ikPk' | 'dkPk' | 'sig'>,
        fc.nat(511),
        (part, bit) => {
          const tampered: DeviceCert = { ...cert, [part]: flipBit(cert[part], bit) };
          expect(verifyDeviceCert(tampered)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
    expect(verifyDeviceCert({ ...cert, created: cert.created + 1 })).toBe(false);
  });

  it('malformed certs from the wire are refused, never thrown on', () => {
    const ik = identityFromSeed(newIdentitySeed());
    const cert = makeDeviceCert(ik, newDeviceKey().publicKey, CREATED);
    for (const created of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(verifyDeviceCert({ ...cert, created })).toBe(false);
    }
    expect(verifyDeviceCert({ ...cert, sig: cert.sig.subarray(0, 63) })).toBe(false);
    expect(verifyDeviceCert({ ...cert, ikPk: new Uint8Array(33) })).toBe(false);
    expect(verifyDeviceCert({ ...cert, deviceId: '\uD800' })).toBe(false);
    expect(verifyDeviceCert(cert, new Uint8Array(31))).toBe(false);
  });

  it('survives the JSON wire form unchanged', () => {
    const ik = identityFromSeed(newIdentitySeed());
    const cert = makeDeviceCert(ik, newDeviceKey().publicKey, CREATED);
    const back = certFromWire(JSON.parse(JSON.stringify(certToWire(cert))));
    expect(verifyDeviceCert(back, ik.publicKey)).toBe(true);
    expect(() => certFromWire({ ...certToWire(cert), sig: 'not base64!' })).toThrow(RangeError);
  });

  it('device ids and key ids are stable, short and distinct per key', () => {
    const a = newDeviceKey().publicKey;
    const b = newDeviceKey().publicKey;
    expect(deviceIdOf(a)).toBe(deviceIdOf(a));
    expect(fromB64(deviceIdOf(a))).toHaveLength(16);
    expect(deviceIdOf(a)).not.toBe(deviceIdOf(b));
    expect(fromB64(keyId(a))).toHaveLength(8);
    expect(toB64(fromB64(keyId(a)))).toBe(keyId(a));
  });
});

describe('signed prekey', () => {
  it('verifies under the device key that signed it', () => {
    const dk = newDeviceKey();
    const spk = makeSignedPrekey(dk, 7, CREATED);
    expect(verifySignedPrekey(spk, dk.publicKey)).toBe(true);
    expect(verifySignedPrekey(prekeyFromWire(prekeyToWire(spk)), dk.publicKey)).toBe(true);
  });

  it('a tampered or substituted prekey is refused', () => {
    const dk = newDeviceKey();
    const spk = makeSignedPrekey(dk, 7, CREATED);
    const relayKey = makeSignedPrekey(newDeviceKey(), 7, CREATED);
    expect(verifySignedPrekey({ ...spk, publicKey: relayKey.publicKey }, dk.publicKey)).toBe(false);
    expect(verifySignedPrekey({ ...spk, sig: flipBit(spk.sig, 3) }, dk.publicKey)).toBe(false);
    expect(verifySignedPrekey({ ...spk, id: 8 }, dk.publicKey)).toBe(false);
    expect(verifySignedPrekey({ ...spk, created: CREATED + 1 }, dk.publicKey)).toBe(false);
    expect(verifySignedPrekey(spk, newDeviceKey().publicKey)).toBe(false);
    expect(verifySignedPrekey({ ...spk, id: -1 }, dk.publicKey)).toBe(false);
    expect(verifySignedPrekey(spk, new Uint8Array(5))).toBe(false);
  });
});
