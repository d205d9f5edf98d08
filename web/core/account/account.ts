/**
 * What one device holds for its user once signed in: the identity (IK, with
 * its seed, so this device can certify the next one), its own device key and
 * certificate, and its signed prekeys — the current one and those retired
 * less than the keep window ago, whose private halves still open sealed mail
 * sent before the rotation. Secrets live only in memory here and, sealed, in
 * the `parley-keys` database (device-vault.ts); an Account never serializes
 * them (`JSON.stringify` gives the public summary).
 */
import type { AtRestKeys } from '../../../shared/crypto/at-rest.ts';
import {
  type DeviceCert,
  type Identity,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  type SignedPrekeyPair,
  type SigningKeyPair,
} from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { DeviceCredentials } from '../relay-client.ts';

export const FIRST_PREKEY_ID = 1;

export interface RetiredPrekey {
  prekey: SignedPrekeyPair;
  /** ms since epoch when a newer prekey replaced it. */
  retiredAt: number;
}

export interface AccountPrekeys {
  current: SignedPrekeyPair;
  retired: RetiredPrekey[];
}

export interface Account {
  username: string;
  userId: string;
  deviceId: string;
  identity: Identity;
  device: SigningKeyPair;
  cert: DeviceCert;
  prekeys: AccountPrekeys;
}

/** An unlocked device: its account and the keys of its history store. */
export interface AccountSession {
  account: Account;
  /** For the history store (CRYPTO.md "History at rest"). */
  atRest: AtRestKeys;
}

/** What may be shown or logged about an account: nothing secret. */
export interface AccountSummary {
  username: string;
  userId: string;
  deviceId: string;
  ikPk: Uint8Array;
  prekeyId: number;
}

export interface NewDevice {
  device: SigningKeyPair;
  cert: DeviceCert;
  prekey: SignedPrekeyPair;
}

/** A fresh DK, its certificate under the identity, and its first signed prekey. */
export function newDeviceFor(identity: Identity, nowMs: number): NewDevice {
  const device = newDeviceKey();
  const cert = makeDeviceCert(identity, device.publicKey, nowMs);
  const prekey = makeSignedPrekey(device, FIRST_PREKEY_ID, nowMs);
  return { device, cert, prekey };
}

export function wipeNewDevice(d: NewDevice): void {
  sodium().memzero(d.device.privateKey);
  sodium().memzero(d.prekey.privateKey);
}

export function summarizeAccount(account: Account): AccountSummary {
  return {
    username: account.username,
    userId: account.userId,
    deviceId: account.deviceId,
    ikPk: account.identity.publicKey,
    prekeyId: account.prekeys.current.id,
  };
}

/** Builds an Account whose JSON form is its summary, so a stray log line leaks nothing. */
export function makeAccount(fields: Account): Account {
  const account = { ...fields };
  Object.defineProperty(account, 'toJSON', {
    value: () => summarizeAccount(account),
    enumerable: false,
  });
  return account;
}

/** What RelayClient.login needs on every (re)connect. */
export function deviceCredentials(account: Account): DeviceCredentials {
  return { device: account.device, cert: account.cert, spk: account.prekeys.current };
}

/** The private prekey a sealed mail was addressed to, while it is still kept. */
export function findPrekey(account: Account, prekeyId: number): SignedPrekeyPair | null {
  if (account.prekeys.current.id === prekeyId) return account.prekeys.current;
  return account.prekeys.retired.find((r) => r.prekey.id === prekeyId)?.prekey ?? null;
}

/** `memzero`s every secret the account holds (sign-out, lock). */
export function wipeAccount(account: Account): void {
  const s = sodium();
  s.memzero(account.identity.seed);
  s.memzero(account.identity.privateKey);
  s.memzero(account.device.privateKey);
  s.memzero(account.prekeys.current.privateKey);
  for (const r of account.prekeys.retired) s.memzero(r.prekey.privateKey);
}

/** The scope that binds wrapped keys and sealed records to one account on one device. */
export function vaultScope(userId: string, deviceId: string): string {
  return `${userId}/${deviceId}`;
}
