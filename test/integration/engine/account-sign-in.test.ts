import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { certFromWire, verifyDeviceCert } from '../../../shared/crypto/keys.ts';
import { formatRecoveryKey, newRecoveryKey } from '../../../shared/crypto/recovery-key.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  createAccount,
  deviceCredentials,
  signInWithPassword,
  signInWithRecoveryKey,
  storedAccount,
  unlock,
} from '../../../web/core/account/index.ts';
import type { RelayClient } from '../../../web/core/relay-client.ts';
import type { TestRelay } from '../relay/harness.ts';
import {
  accountRelay,
  CHEAP_KDF,
  cleanupList,
  codeOf,
  databaseNames,
  freshKeyStore,
  relayClient,
  uniqueUsername,
} from './account-support.ts';

const cleanup = cleanupList();
afterEach(() => cleanup.run());
beforeAll(() => loadSodium());

const PASSWORD = 'tr0ub4dor&3 but longer';

async function devicesOf(client: RelayClient, username: string) {
  const keys = await client.call({ t: 'keys.get', username }, 'keys');
  return keys.devices.map((d) => certFromWire(d.cert));
}

async function newUser(relay: TestRelay, password = PASSWORD) {
  const first = relayClient(relay, cleanup);
  const username = uniqueUsername('user');
  const created = await createAccount({
    relay: first,
    store: freshKeyStore(cleanup),
    username,
    password,
    kdf: CHEAP_KDF,
  });
  return { first, username, created };
}

describe('signing in on another device', () => {
  it('password sign-in on a second device yields the same identity and a newly certified device that can log in', async () => {
    const relay = await accountRelay(cleanup);
    const first = relayClient(relay, cleanup);
    const username = uniqueUsername('laptop');
    // Real production Argon2id parameters end to end (64 MiB, ops 3).
    const created = await createAccount({
      relay: first,
      store: freshKeyStore(cleanup),
      username,
      password: PASSWORD,
    });

    const second = relayClient(relay, cleanup);
    const store2 = freshKeyStore(cleanup);
    const signedIn = await signInWithPassword({
      relay: second,
      store: store2,
      username,
      password: PASSWORD,
    });
    const a1 = created.account;
    const a2 = signedIn.account;

    expect(a2.userId).toBe(a1.userId);
    expect(toB64(a2.identity.publicKey)).toBe(toB64(a1.identity.publicKey));
    expect(toB64(a2.identity.seed)).toBe(toB64(a1.identity.seed));
    expect(a2.deviceId).not.toBe(a1.deviceId);
    expect(toB64(a2.device.publicKey)).not.toBe(toB64(a1.device.publicKey));
    expect(verifyDeviceCert(a2.cert, a1.identity.publicKey)).toBe(true);
    // The at-rest keys are per device.
    expect(toB64(signedIn.atRest.dek)).not.toBe(toB64(created.atRest.dek));

    // The relay lists both devices, each certified by the one identity.
    const devices = await devicesOf(first, username);
    expect(devices.map((d) => d.deviceId).sort()).toEqual([a1.deviceId, a2.deviceId].sort());
    for (const d of devices) expect(verifyDeviceCert(d, a1.identity.publicKey)).toBe(true);

    // The new device logs in on its own, on a fresh connection.
    second.close();
    const third = relayClient(relay, cleanup);
    const authed = await third.login(deviceCredentials(a2));
    expect(authed).toMatchObject({ userId: a1.userId, deviceId: a2.deviceId });

    // And it unlocks with the same password after a reload.
    expect(await storedAccount(store2)).toMatchObject({ unlockWith: 'password' });
    const reloaded = await unlock({ store: store2, secret: PASSWORD });
    expect(reloaded.account.deviceId).toBe(a2.deviceId);
  });

  it('sign-in with the recovery key works; a wrong password or wrong recovery key never unwraps and leaves nothing behind', async () => {
    const relay = await accountRelay(cleanup);
    const { first, username, created } = await newUser(relay);

    // Wrong password: the relay refuses the auth signature, nothing is stored.
    const store = freshKeyStore(cleanup);
    expect(
      await codeOf(
        signInWithPassword({
          relay: relayClient(relay, cleanup),
          store,
          username,
          password: 'not the password',
          kdf: CHEAP_KDF,
        }),
      ),
    ).toBe('WRONG_PASSWORD');
    // A username that does not exist answers exactly the same.
    expect(
      await codeOf(
        signInWithPassword({
          relay: relayClient(relay, cleanup),
          store,
          username: uniqueUsername('nobody'),
          password: PASSWORD,
        }),
      ),
    ).toBe('WRONG_PASSWORD');

    // Wrong recovery key (well-formed, checksum right) and a typo.
    const someoneElses = formatRecoveryKey(newRecoveryKey());
    const recoveryOpts = { username, rememberDevice: true, kdf: CHEAP_KDF } as const;
    expect(
      await codeOf(
        signInWithRecoveryKey({
          relay: relayClient(relay, cleanup),
          store,
          recoveryKey: someoneElses,
          ...recoveryOpts,
        }),
      ),
    ).toBe('WRONG_RECOVERY_KEY');
    const typo = created.recoveryKey.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(
      await codeOf(
        signInWithRecoveryKey({
          relay: relayClient(relay, cleanup),
          store,
          recoveryKey: typo,
          ...recoveryOpts,
        }),
      ),
    ).toBe('RECOVERY_KEY_CHECKSUM');

    // Nothing behind: no key database was even created, no device was added.
    expect(await databaseNames()).not.toContain(store.name);
    expect(await storedAccount(store)).toBeNull();
    expect(await databaseNames()).not.toContain(store.name);
    expect(await devicesOf(first, username)).toHaveLength(1);

    // The right recovery key (typed in lower case with spaces) signs in and
    // sets a new password; the old password no longer works at the relay.
    const recovered = await signInWithRecoveryKey({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username,
      recoveryKey: created.recoveryKey.toLowerCase().replaceAll('-', ' '),
      newPassword: 'a brand new password',
      kdf: CHEAP_KDF,
    });
    expect(toB64(recovered.account.identity.publicKey)).toBe(
      toB64(created.account.identity.publicKey),
    );
    expect(await devicesOf(first, username)).toHaveLength(2);
    expect(
      await codeOf(
        signInWithPassword({
          relay: relayClient(relay, cleanup),
          store: freshKeyStore(cleanup),
          username,
          password: PASSWORD,
          kdf: CHEAP_KDF,
        }),
      ),
    ).toBe('WRONG_PASSWORD');
    const withNew = await signInWithPassword({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username,
      password: 'a brand new password',
      kdf: CHEAP_KDF,
    });
    expect(withNew.account.userId).toBe(created.account.userId);
  });

  it('a mistyped password can be retried on the same connection', async () => {
    const relay = await accountRelay(cleanup);
    const { username, created } = await newUser(relay);
    const client = relayClient(relay, cleanup);
    const store = freshKeyStore(cleanup);
    const attempt = (password: string) =>
      signInWithPassword({ relay: client, store, username, password, kdf: CHEAP_KDF });
    expect(await codeOf(attempt('typo one'))).toBe('WRONG_PASSWORD');
    expect(await codeOf(attempt('typo two'))).toBe('WRONG_PASSWORD');
    const session = await attempt(PASSWORD);
    expect(session.account.userId).toBe(created.account.userId);
    expect(client.session?.deviceId).toBe(session.account.deviceId);
  });
});
