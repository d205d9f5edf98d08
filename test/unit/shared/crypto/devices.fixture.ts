/** Real identities and certified devices for the crypto tests (no mocks). */
import {
  type DeviceCert,
  identityFromSeed,
  makeDeviceCert,
  newDeviceKey,
  newIdentitySeed,
  type SigningKeyPair,
} from '../../../../shared/crypto/keys.ts';

export const CERT_CREATED_MS = 1_763_700_000_000;

export interface TestDevice {
  ik: SigningKeyPair;
  dk: SigningKeyPair;
  cert: DeviceCert;
}

/** A user identity (optionally shared with another device) and one certified device. */
export function makeDevice(ik: SigningKeyPair = identityFromSeed(newIdentitySeed())): TestDevice {
  const dk = newDeviceKey();
  return { ik, dk, cert: makeDeviceCert(ik, dk.publicKey, CERT_CREATED_MS) };
}

export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  const at = Math.floor(bit / 8) % out.length;
  out[at] = out[at]! ^ (1 << (bit % 8));
  return out;
}
