/**
 * Sign-out wipes this device: the key database is deleted, every other
 * local database the app registers (the history store) is wiped through its
 * hook, the relay socket is closed and the in-memory secrets are zeroed.
 * Without a password or recovery key the identity is then gone from this
 * device for good, so the caller must have asked the user first and says so
 * with `confirmed: true`.
 */
import { wipeAtRestKeys } from '../../../shared/crypto/at-rest.ts';
import type { RelayClient } from '../relay-client.ts';
import { type AccountSession, wipeAccount } from './account.ts';
import { AccountError } from './account-errors.ts';
import type { KeyStore } from './key-store.ts';

export interface SignOutOptions {
  store: KeyStore;
  /** The user confirmed that this device forgets the account. */
  confirmed: boolean;
  session?: AccountSession;
  relay?: RelayClient;
  /** Wipes of the app's other databases (e.g. the history store's `destroy`). */
  wipe?: ReadonlyArray<() => Promise<void>>;
}

export async function signOut(opts: SignOutOptions): Promise<void> {
  if (opts.confirmed !== true) throw new AccountError('SIGN_OUT_NOT_CONFIRMED');
  opts.relay?.close();
  // Every wipe is attempted even if one fails; the first failure is reported.
  const results = await Promise.allSettled([
    ...(opts.wipe ?? []).map((w) => w()),
    opts.store.destroy(),
  ]);
  if (opts.session) {
    wipeAccount(opts.session.account);
    wipeAtRestKeys(opts.session.atRest);
  }
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    throw new AccountError('STORE_UNAVAILABLE', 'a local database could not be wiped', {
      cause: failed.reason,
    });
  }
}
