/**
 * Sign-up: a new identity (IK from a fresh seed), this browser's device key,
 * certificate and first signed prekey, registered at the relay; then the
 * backups — the password blob when a password is given, and always a
 * recovery key, returned once as display text for the user to write down.
 *
 * The expensive KDF runs before anything is registered, and the device is
 * saved locally right after the relay accepts it, so a failure in a later
 * step (a dropped socket during password.set) leaves an account this device
 * can still unlock and finish (changePassword, replaceRecoveryKey).
 */
import * as v from 'valibot';
import { newAtRestKeys } from '../../../shared/crypto/at-rest.ts';
import { identityFromSeed, newIdentitySeed } from '../../../shared/crypto/keys.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { Username } from '../../../shared/protocol/fields.ts';
import type { RelayClient } from '../relay-client.ts';
import { type AccountSession, makeAccount, newDeviceFor } from './account.ts';
import { AccountError, relayStep } from './account-errors.ts';
import { saveDevice } from './device-vault.ts';
import { enrollPasswordAtRelay, enrollRecoveryKeyAtRelay } from './enrollment.ts';
import { type AccountKdfOptions, resolveKdf } from './key-derivation.ts';
import type { KeyStore } from './key-store.ts';
import { type LocalSecrets, prepareProtector, wipeProtector } from './protector.ts';

export interface CreateAccountOptions extends LocalSecrets {
  relay: RelayClient;
  store: KeyStore;
  username: string;
  kdf?: AccountKdfOptions;
  now?: () => number;
}

export interface CreatedAccount extends AccountSession {
  /** The recovery key as the user must write it down; not stored anywhere. */
  recoveryKey: string;
}

export function checkUsername(username: string): void {
  if (!isValidUsername(username)) throw new AccountError('USERNAME_INVALID');
}

export async function createAccount(opts: CreateAccountOptions): Promise<CreatedAccount> {
  checkUsername(opts.username);
  await loadSodium();
  const kdf = resolveKdf(opts.kdf);
  const now = opts.now ?? Date.now;
  const prepared = await prepareProtector(kdf, opts);
  try {
    const identity = identityFromSeed(newIdentitySeed());
    const fresh = newDeviceFor(identity, now());
    const authed = await relayStep(() =>
      opts.relay.register(opts.username, {
        device: fresh.device,
        cert: fresh.cert,
        spk: fresh.prekey,
      }),
    );
    const account = makeAccount({
      username: authed.username,
      userId: authed.userId,
      deviceId: fresh.cert.deviceId,
      identity,
      device: fresh.device,
      cert: fresh.cert,
      prekeys: { current: fresh.prekey, retired: [] },
    });
    const session: AccountSession = { account, atRest: newAtRestKeys() };
    await saveDevice(opts.store, session, {
      protector: prepared.protector,
      storageKey: prepared.storageKey,
      remember: opts.rememberDevice ?? false,
    });
    if (prepared.passwordKeys && prepared.protector.kind === 'password') {
      const keys = prepared.passwordKeys;
      prepared.passwordKeys = null;
      await enrollPasswordAtRelay(
        opts.relay,
        keys,
        identity,
        account.userId,
        prepared.protector.salt,
        prepared.protector.params,
      );
    }
    const recoveryKey = await enrollRecoveryKeyAtRelay(opts.relay, identity, account.userId);
    return { ...session, recoveryKey };
  } finally {
    wipeProtector(prepared);
  }
}

/** For forms: the same check sign-up and sign-in apply. */
export function isValidUsername(username: string): boolean {
  return v.is(Username, username);
}
