import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  changePassword,
  createAccount,
  replaceRecoveryKey,
  signInWithPassword,
  signInWithRecoveryKey,
  unlock,
} from '../../../web/core/account/index.ts';
import {
  accountRelay,
  CHEAP_KDF,
  cleanupList,
  codeOf,
  freshKeyStore,
  relayClient,
  uniqueUsername,
} from './account-support.ts';

const cleanup = cleanupList();
afterEach(() => cleanup.run());
beforeAll(() => loadSodium());

describe('changing credentials', () => {
  it('changing the password keeps the identity; the old password stops working', async () => {
    const relay = await accountRelay(cleanup);
    const client = relayClient(relay, cleanup);
    const store = freshKeyStore(cleanup);
    const username = uniqueUsername('changer');
    const session = await createAccount({
      relay: client,
      store,
      username,
      password: 'old password',
      kdf: CHEAP_KDF,
    });
    const before = await client.call({ t: 'prelogin', username }, 'prelogin.ok');

    // The current password is required, and checked.
    expect(
      await codeOf(
        changePassword({ relay: client, store, session, newPassword: 'x', kdf: CHEAP_KDF }),
      ),
    ).toBe('CURRENT_SECRET_REQUIRED');
    expect(
      await codeOf(
        changePassword({
          relay: client,
          store,
          session,
          current: 'not it',
          newPassword: 'new password',
          kdf: CHEAP_KDF,
        }),
      ),
    ).toBe('WRONG_LOCAL_SECRET');

    await changePassword({
      relay: client,
      store,
      session,
      current: 'old password',
      newPassword: 'new password',
      kdf: CHEAP_KDF,
    });
    // A fresh salt.
    const after = await client.call({ t: 'prelogin', username }, 'prelogin.ok');
    expect(after.salt).not.toBe(before.salt);

    // At the relay: the old password is refused, the new one signs in as the same identity.
    expect(
      await codeOf(
        signInWithPassword({
          relay: relayClient(relay, cleanup),
          store: freshKeyStore(cleanup),
          username,
          password: 'old password',
          kdf: CHEAP_KDF,
        }),
      ),
    ).toBe('WRONG_PASSWORD');
    const other = await signInWithPassword({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username,
      password: 'new password',
      kdf: CHEAP_KDF,
    });
    expect(toB64(other.account.identity.publicKey)).toBe(toB64(session.account.identity.publicKey));

    // On this device: the old password no longer unlocks, the new one does,
    // and the history keys are the same ones (history stays readable).
    expect(await codeOf(unlock({ store, secret: 'old password', kdf: CHEAP_KDF }))).toBe(
      'WRONG_LOCAL_SECRET',
    );
    const reopened = await unlock({ store, secret: 'new password', kdf: CHEAP_KDF });
    expect(toB64(reopened.atRest.dek)).toBe(toB64(session.atRest.dek));
    expect(toB64(reopened.account.identity.publicKey)).toBe(
      toB64(session.account.identity.publicKey),
    );
  });

  it('replacing the recovery key retires the old one', async () => {
    const relay = await accountRelay(cleanup);
    const client = relayClient(relay, cleanup);
    const username = uniqueUsername('rekey');
    const session = await createAccount({
      relay: client,
      store: freshKeyStore(cleanup),
      username,
      password: 'pw',
      kdf: CHEAP_KDF,
    });
    const fresh = await replaceRecoveryKey({ relay: client, session });
    const signIn = (recoveryKey: string) =>
      signInWithRecoveryKey({
        relay: relayClient(relay, cleanup),
        store: freshKeyStore(cleanup),
        username,
        recoveryKey,
        rememberDevice: true,
        kdf: CHEAP_KDF,
      });
    expect(await codeOf(signIn(session.recoveryKey))).toBe('WRONG_RECOVERY_KEY');
    const recovered = await signIn(fresh);
    expect(recovered.account.userId).toBe(session.account.userId);
  });
});
