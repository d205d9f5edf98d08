/**
 * Real keys for test users and devices (shared/crypto/keys.ts): an identity
 * key, a device key, its certificate and a signed prekey.
 */
import {
  type DeviceCert,
  type Identity,
  identityFromSeed,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
  type SignedPrekeyPair,
  type SigningKeyPair,
} from '../../../shared/crypto/keys.ts';

/** Keys for one device of one user: IK, DK, cert and signed prekey. */
export interface DeviceKeys {
  username: string;
  identity: Identity;
  device: SigningKeyPair;
  cert: DeviceCert;
  spk: SignedPrekeyPair;
}

let userCounter = 0;

export function uniqueUsername(prefix = 'user'): string {
  userCounter += 1;
  return `${prefix}${process.pid}_${userCounter}`.slice(0, 32);
}

export function newUserKeys(username = uniqueUsername()): DeviceKeys {
  const identity = identityFromSeed(newIdentitySeed());
  return newDeviceFor({ username, identity });
}

/** A fresh device (new DK, cert, SPK) for an existing identity. */
export function newDeviceFor(user: { username: string; identity: Identity }): DeviceKeys {
  const device = newDeviceKey();
  const cert = makeDeviceCert(user.identity, device.publicKey, Date.now());
  const spk = makeSignedPrekey(device, 1, Date.now());
  return { username: user.username, identity: user.identity, device, cert, spk };
}
