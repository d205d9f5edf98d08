/**
 * Changing the password and replacing the recovery key, from a signed-in
 * device. The identity stays; only its wrappings change. A password change
 * takes a fresh salt and the current KDF parameters, replaces the relay's
 * auth key (so the old password can no longer fetch the blob) and re-wraps
 * this device's at-rest keys under the new password, so the old one stops
 * unlocking this device too.
 *
 * The current password (or passphrase) is checked locally first, against
 * the wrapped at-rest keys: an unattended unlocked tab ("remember this
 * device") is not enough to take the account over.
 */
import { unwrapAtRestKeys, wipeAtRestKeys } from '../../../shared/crypto/at-rest.ts';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import type { RelayClient } from '../relay-client.ts';
import { type AccountSession, vaultScope } from './account.ts';
import { AccountError } from './account-errors.ts';
import { readMeta, saveProtector } from './device-vault.ts';
import { enrollPasswordAtRelay, enrollRecoveryKeyAtRelay } from './enrollment.ts';
import { type AccountKdfOptions, derivePasswordKeysOrThrow, resolveKdf } from './key-derivation.ts';
import type { KeyStore } from './key-store.ts';
import { prepareProtector, wipeProtector } from './protector.ts';

export interface ChangePasswordOptions {
  /** Logged in as this device. */
  relay: RelayClient;
  store: KeyStore;
  session: AccountSession;
  /** What unlocks this device now: the password, or the local passphrase. */
  current?: string;
  newPassword: string;
  kdf?: AccountKdfOptions;
}

export interface ReplaceRecoveryKeyOptions {
  /** Logged in as this device. */
  relay: RelayClient;
  session: AccountSession;
}

/** Throws WRONG_LOCAL_SECRET unless `current` unwraps this device's at-rest keys. */
async function checkCurrentSecret(
  store: KeyStore,
  opts: ChangePasswordOptions,
  kdf: ReturnType<typeof resolveKdf>,
): Promise<void> {
  const meta = await readMeta(store);
  if (meta.protector.kind === 'none') return;
  if (opts.current === undefined) throw new AccountError('CURRENT_SECRET_REQUIRED');
  const keys = await derivePasswordKeysOrThrow(
    kdf,
    opts.current,
    meta.protector.salt,
    meta.protector.params,
  );
  try {
    const wrapped = await store.get('wrappedKeys');
    if (!wrapped) throw new AccountError('STORE_CORRUPT', 'no wrapped keys');
    const opened = unwrapAtRestKeys(
      keys.storageKey,
      wrapped,
      vaultScope(meta.userId, meta.deviceId),
    );
    if (!opened.ok) throw new AccountError('WRONG_LOCAL_SECRET');
    wipeAtRestKeys(opened.value);
  } finally {
    sodium().memzero(keys.authSeed);
    sodium().memzero(keys.idWrapKey);
    sodium().memzero(keys.storageKey);
  }
}

export async function changePassword(opts: ChangePasswordOptions): Promise<void> {
  await loadSodium();
  const kdf = resolveKdf(opts.kdf);
  await checkCurrentSecret(opts.store, opts, kdf);
  const prepared = await prepareProtector(kdf, { password: opts.newPassword });
  try {
    const keys = prepared.passwordKeys;
    if (!keys || prepared.protector.kind !== 'password' || !prepared.storageKey) {
      throw new Error('parley/account: password protector without keys');
    }
    prepared.passwordKeys = null;
    const { account } = opts.session;
    await enrollPasswordAtRelay(
      opts.relay,
      keys,
      account.identity,
      account.userId,
      prepared.protector.salt,
      prepared.protector.params,
    );
    await saveProtector(opts.store, opts.session, prepared.protector, prepared.storageKey);
  } finally {
    wipeProtector(prepared);
  }
}

/** Returns the new recovery key's display text; the previous key stops working. */
export async function replaceRecoveryKey(opts: ReplaceRecoveryKeyOptions): Promise<string> {
  await loadSodium();
  const { account } = opts.session;
  return enrollRecoveryKeyAtRelay(opts.relay, account.identity, account.userId);
}
