import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { certFromWire, prekeyFromWire, verifyDeviceCert } from '../../../shared/crypto/keys.ts';
import { parseRecoveryKey } from '../../../shared/crypto/recovery-key.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  AccountError,
  createAccount,
  replaceRecoveryKey,
  storedAccount,
} from '../../../web/core/account/index.ts';
import {
  accountRelay,
  CHEAP_KDF,
  cleanupList,
  containsBytes,
  freshKeyStore,
  relayClient,
  storedBytes,
  uniqueUsername,
} from './account-support.ts';

const cleanup = cleanupList();
afterEach(() => cleanup.run());
beforeAll(() => loadSodium());

const ACCOUNT_DIR = join(import.meta.dirname, '../../../web/core/account');

describe('creating an account', () => {
  it('a new user registers, sets a password and gets a recovery key shown once', async () => {
    const relay = await accountRelay(cleanup);
    const client = relayClient(relay, cleanup);
    const store = freshKeyStore(cleanup);
    const username = uniqueUsername('alice');

    const created = await createAccount({
      relay: client,
      store,
      username,
      password: 'correct horse battery staple',
      kdf: CHEAP_KDF,
    });

    const { account } = created;
    expect(account.username).toBe(username);
    expect(client.session?.userId).toBe(account.userId);
    expect(verifyDeviceCert(account.cert, account.identity.publicKey)).toBe(true);
    expect(account.deviceId).toBe(account.cert.deviceId);

    // The relay publishes this identity, device and prekey.
    const keys = await client.call({ t: 'keys.get', username }, 'keys');
    expect(keys.ik).toBe(toB64(account.identity.publicKey));
    expect(keys.devices).toHaveLength(1);
    const [published] = keys.devices;
    expect(certFromWire(published!.cert).deviceId).toBe(account.deviceId);
    expect(prekeyFromWire(published!.spk).id).toBe(account.prekeys.current.id);

    // Both backups exist: a password prelogin returns the account's real parameters.
    const pre = await client.call({ t: 'prelogin', username }, 'prelogin.ok');
    expect(pre.kdf).toEqual({ alg: 'argon2id13', opslimit: 2, memlimit: 16 * 1024 * 1024 });

    // The recovery key is a valid, checksummed key...
    const parsed = parseRecoveryKey(created.recoveryKey);
    expect(parsed.ok).toBe(true);
    const recoveryBytes = parsed.ok ? parsed.value : new Uint8Array();

    // ...that exists nowhere but in this return value: not in the account's
    // JSON form, not in anything stored on the device.
    expect(JSON.stringify(account)).not.toContain(toB64(account.identity.seed));
    expect(JSON.stringify(account)).not.toContain(created.recoveryKey);
    const stored = await Promise.all(
      (['meta', 'wrappedKeys', 'deviceRecord', 'prekeysRecord', 'remembered'] as const).map((e) =>
        store.get(e),
      ),
    );
    const blobs = storedBytes(stored);
    expect(blobs.length).toBeGreaterThan(0);
    for (const secret of [
      recoveryBytes,
      account.identity.seed,
      account.device.privateKey.subarray(0, 32),
      account.prekeys.current.privateKey,
      created.atRest.dek,
    ]) {
      for (const blob of blobs) expect(containsBytes(blob, secret)).toBe(false);
    }

    // A later replacement gives a different key; the first one is not shown again.
    const second = await replaceRecoveryKey({ relay: client, session: created });
    expect(second).not.toBe(created.recoveryKey);
    expect(await storedAccount(store)).toMatchObject({ username, unlockWith: 'password' });
  });

  it('an account without a password protects this device with a local passphrase', async () => {
    const relay = await accountRelay(cleanup);
    const store = freshKeyStore(cleanup);
    const created = await createAccount({
      relay: relayClient(relay, cleanup),
      store,
      username: uniqueUsername('nopw'),
      localPassphrase: 'only on this laptop',
      kdf: CHEAP_KDF,
    });
    expect(created.recoveryKey).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){13}$/);
    expect(await storedAccount(store)).toMatchObject({ unlockWith: 'passphrase' });
  });

  it('without a password, passphrase or "remember", nothing is registered', async () => {
    const relay = await accountRelay(cleanup);
    const client = relayClient(relay, cleanup);
    const error = await createAccount({
      relay: client,
      store: freshKeyStore(cleanup),
      username: uniqueUsername('bare'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountError);
    expect((error as AccountError).code).toBe('LOCAL_SECRET_REQUIRED');
    expect(client.state).toBe('offline');
  });

  it('a taken or malformed username is a coded error', async () => {
    const relay = await accountRelay(cleanup);
    const username = uniqueUsername('taken');
    const opts = { rememberDevice: true, kdf: CHEAP_KDF } as const;
    await createAccount({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username,
      ...opts,
    });
    const taken = await createAccount({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username: username.toUpperCase(),
      ...opts,
    }).catch((e: unknown) => e);
    expect((taken as AccountError).code).toBe('USERNAME_TAKEN');
    const malformed = await createAccount({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username: 'no spaces allowed',
      ...opts,
    }).catch((e: unknown) => e);
    expect((malformed as AccountError).code).toBe('USERNAME_INVALID');
  });

  it('the account module never writes to the console', async () => {
    // Statically: no console.* call anywhere in web/core/account.
    for (const file of readdirSync(ACCOUNT_DIR)) {
      const source = readFileSync(join(ACCOUNT_DIR, file), 'utf8');
      expect(source, file).not.toMatch(/\bconsole\s*\./);
    }
    // And at run time, through a whole sign-up.
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) =>
      vi.spyOn(console, m),
    );
    const relay = await accountRelay(cleanup);
    await createAccount({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username: uniqueUsername('quiet'),
      password: 'pw',
      kdf: CHEAP_KDF,
    });
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });
});
