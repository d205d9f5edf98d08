/**
 * Opening this device's account after a reload: with the password (or local
 * passphrase) through the same KDF as sign-in, or — when the user opted in —
 * from the copy of the at-rest keys under the non-extractable WebCrypto key.
 * Either way the result is the Account and the at-rest keys for the history
 * store; the caller then logs in with `deviceCredentials(account)`.
 */
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import { type AccountSession, vaultScope } from './account.ts';
import { AccountError } from './account-errors.ts';
import { loadAccount, readMeta, unwrapStoredKeys } from './device-vault.ts';
import { type AccountKdfOptions, derivePasswordKeysOrThrow, resolveKdf } from './key-derivation.ts';
import type { KeyStore } from './key-store.ts';
import { recallAtRestKeys, rememberAtRestKeys } from './remembered-device.ts';

export interface StoredAccount {
  username: string;
  userId: string;
  deviceId: string;
  /** What `unlock` expects: the account password, a local passphrase, or nothing. */
  unlockWith: 'password' | 'passphrase' | 'none';
  remembered: boolean;
}

export interface UnlockOptions {
  store: KeyStore;
  /** The password or local passphrase. */
  secret: string;
  /** Also keep a remembered copy from now on. */
  rememberDevice?: boolean;
  kdf?: AccountKdfOptions;
}

/** What the start screen needs to know; null when this device has no account. */
export async function storedAccount(store: KeyStore): Promise<StoredAccount | null> {
  const meta = await store.get('meta');
  if (!meta) return null;
  const remembered = (await store.get('remembered')) !== undefined;
  return {
    username: meta.username,
    userId: meta.userId,
    deviceId: meta.deviceId,
    unlockWith: meta.protector.kind,
    remembered,
  };
}

export async function unlock(opts: UnlockOptions): Promise<AccountSession> {
  await loadSodium();
  const meta = await readMeta(opts.store);
  if (meta.protector.kind === 'none') throw new AccountError('WRONG_LOCAL_SECRET', 'no secret set');
  const kdf = resolveKdf(opts.kdf);
  const keys = await derivePasswordKeysOrThrow(
    kdf,
    opts.secret,
    meta.protector.salt,
    meta.protector.params,
  );
  sodium().memzero(keys.authSeed);
  sodium().memzero(keys.idWrapKey);
  try {
    const atRest = await unwrapStoredKeys(opts.store, meta, keys.storageKey);
    const account = await loadAccount(opts.store, meta, atRest);
    if (opts.rememberDevice) {
      const remembered = await rememberAtRestKeys(atRest, vaultScope(meta.userId, meta.deviceId));
      await opts.store.write({ remembered });
    }
    return { account, atRest };
  } finally {
    sodium().memzero(keys.storageKey);
  }
}

/** The session without a secret, or null when this device is not remembered. */
export async function unlockRemembered(opts: { store: KeyStore }): Promise<AccountSession | null> {
  await loadSodium();
  const meta = await opts.store.get('meta');
  if (!meta) return null;
  const remembered = await opts.store.get('remembered');
  if (!remembered) return null;
  const atRest = await recallAtRestKeys(remembered, vaultScope(meta.userId, meta.deviceId));
  if (!atRest) return null;
  return { account: await loadAccount(opts.store, await readMeta(opts.store), atRest), atRest };
}

/** Stops remembering this device: the next reload asks for the secret again. */
export async function forgetThisDevice(store: KeyStore): Promise<void> {
  const meta = await readMeta(store);
  if (meta.protector.kind === 'none') throw new AccountError('LOCAL_SECRET_REQUIRED');
  await store.write({}, ['remembered']);
}
