/**
 * What protects a device's at-rest keys, decided before any network step so
 * a KDF failure never leaves a half-registered device: the account password
 * (its storage subkey; the same derivation also yields the auth and wrap
 * keys the relay enrollment needs), a local passphrase for an account
 * without a password, or nothing but "remember this device".
 */
import { newPasswordSalt, type PasswordKeys } from '../../../shared/crypto/password.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import { AccountError } from './account-errors.ts';
import { derivePasswordKeysOrThrow, type ResolvedKdf } from './key-derivation.ts';
import type { VaultProtector } from './key-store.ts';

export interface LocalSecrets {
  /** The account password: enrolled at the relay and protecting this device. */
  password?: string | undefined;
  /** Protects this device only (an account without a password). */
  localPassphrase?: string | undefined;
  rememberDevice?: boolean | undefined;
}

export interface PreparedProtector {
  protector: VaultProtector;
  storageKey: Uint8Array | null;
  /** Present for a password: what `enrollPassword` consumes (and wipes). */
  passwordKeys: PasswordKeys | null;
}

export async function prepareProtector(
  kdf: ResolvedKdf,
  secrets: LocalSecrets,
): Promise<PreparedProtector> {
  const secret = secrets.password ?? secrets.localPassphrase;
  if (secret === undefined) {
    if (!secrets.rememberDevice) throw new AccountError('LOCAL_SECRET_REQUIRED');
    return { protector: { kind: 'none' }, storageKey: null, passwordKeys: null };
  }
  const salt = newPasswordSalt();
  const keys = await derivePasswordKeysOrThrow(kdf, secret, salt, kdf.params);
  const kind = secrets.password !== undefined ? 'password' : 'passphrase';
  const storageKey = keys.storageKey.slice();
  if (kind === 'passphrase') {
    sodium().memzero(keys.authSeed);
    sodium().memzero(keys.idWrapKey);
  }
  return {
    protector: { kind, salt, params: { ...kdf.params } },
    storageKey,
    passwordKeys: kind === 'password' ? keys : null,
  };
}

export function wipeProtector(p: PreparedProtector): void {
  if (p.storageKey) sodium().memzero(p.storageKey);
  if (p.passwordKeys) {
    sodium().memzero(p.passwordKeys.authSeed);
    sodium().memzero(p.passwordKeys.idWrapKey);
    sodium().memzero(p.passwordKeys.storageKey);
  }
}
