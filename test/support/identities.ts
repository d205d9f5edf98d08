/** Real keys for a test user's device: IK from a fresh seed, DK, cert, SPK. */
import {
  identityFromSeed,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
} from '../../shared/crypto/keys.ts';

export function testDevice(identity = identityFromSeed(newIdentitySeed())) {
  const dk = newDeviceKey();
  const cert = makeDeviceCert(identity, dk.publicKey, Date.now());
  const spk = makeSignedPrekey(dk, 1, Date.now());
  return { identity, dk, cert, spk, deviceId: cert.deviceId };
}

export type TestDevice = ReturnType<typeof testDevice>;
