import { deleteDB, openDB } from 'idb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  createAccount,
  deviceCredentials,
  forgetThisDevice,
  indexedDbKeyStore,
  signOut,
  storedAccount,
  unlock,
  unlockRemembered,
} from '../../../web/core/account/index.ts';
import { HistoryStore } from '../../../web/core/history/history-store.ts';
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

describe('this device across reloads', () => {
  it("after a reload the device unlocks with its password; with 'remember this device' it unlocks without", async () => {
    const relay = await accountRelay(cleanup);
    const firstStore = freshKeyStore(cleanup);
    const created = await createAccount({
      relay: relayClient(relay, cleanup),
      store: firstStore,
      username: uniqueUsername('reload'),
      password: 'hunter2 hunter2',
      kdf: CHEAP_KDF,
    });
    firstStore.close();

    // "Reload": a new store object over the same database.
    const store = indexedDbKeyStore(firstStore.name);
    expect(await storedAccount(store)).toMatchObject({
      username: created.account.username,
      unlockWith: 'password',
      remembered: false,
    });
    expect(await unlockRemembered({ store })).toBeNull();
    expect(await codeOf(unlock({ store, secret: 'hunter3', kdf: CHEAP_KDF }))).toBe(
      'WRONG_LOCAL_SECRET',
    );

    const unlocked = await unlock({
      store,
      secret: 'hunter2 hunter2',
      rememberDevice: true,
      kdf: CHEAP_KDF,
    });
    expect(unlocked.account.deviceId).toBe(created.account.deviceId);
    expect(toB64(unlocked.account.identity.seed)).toBe(toB64(created.account.identity.seed));
    expect(toB64(unlocked.account.device.privateKey)).toBe(
      toB64(created.account.device.privateKey),
    );
    expect(toB64(unlocked.atRest.dek)).toBe(toB64(created.atRest.dek));
    expect(toB64(unlocked.atRest.indexKey)).toBe(toB64(created.atRest.indexKey));

    // The unlocked device logs in with its stored keys.
    const authed = await relayClient(relay, cleanup).login(deviceCredentials(unlocked.account));
    expect(authed.deviceId).toBe(created.account.deviceId);

    // Remembered: the next reload needs no secret. The key that holds the
    // copy is a CryptoKey nobody can export.
    store.close();
    const again = indexedDbKeyStore(firstStore.name);
    const remembered = await again.get('remembered');
    expect(remembered?.key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', remembered!.key)).rejects.toThrow();
    const recalled = await unlockRemembered({ store: again });
    expect(recalled?.account.deviceId).toBe(created.account.deviceId);
    expect(toB64(recalled!.atRest.dek)).toBe(toB64(created.atRest.dek));

    // Forgetting the device brings the password prompt back.
    await forgetThisDevice(again);
    expect(await unlockRemembered({ store: again })).toBeNull();
    again.close();
  });

  it('a remembered-only account (no password, no passphrase) unlocks without a secret', async () => {
    const relay = await accountRelay(cleanup);
    const store = freshKeyStore(cleanup);
    const created = await createAccount({
      relay: relayClient(relay, cleanup),
      store,
      username: uniqueUsername('guest'),
      rememberDevice: true,
      kdf: CHEAP_KDF,
    });
    expect(await storedAccount(store)).toMatchObject({ unlockWith: 'none', remembered: true });
    expect(await store.get('wrappedKeys')).toBeUndefined();
    const recalled = await unlockRemembered({ store });
    expect(recalled?.account.userId).toBe(created.account.userId);
    expect(await codeOf(forgetThisDevice(store))).toBe('LOCAL_SECRET_REQUIRED');
  });

  it('a damaged or swapped key record is refused, never half-loaded', async () => {
    const relay = await accountRelay(cleanup);
    const store = freshKeyStore(cleanup);
    await createAccount({
      relay: relayClient(relay, cleanup),
      store,
      username: uniqueUsername('tamper'),
      password: 'pw',
      rememberDevice: true,
      kdf: CHEAP_KDF,
    });
    const device = (await store.get('deviceRecord'))!;
    const prekeys = (await store.get('prekeysRecord'))!;
    const flipped = device.slice();
    flipped[flipped.length - 1]! ^= 1;
    for (const [what, put] of [
      ['a flipped bit', { deviceRecord: flipped }],
      ['records swapped between slots', { deviceRecord: prekeys, prekeysRecord: device }],
    ] as const) {
      await store.write(put);
      expect(await codeOf(unlock({ store, secret: 'pw', kdf: CHEAP_KDF })), what).toBe(
        'STORE_CORRUPT',
      );
      expect(await codeOf(unlockRemembered({ store })), what).toBe('STORE_CORRUPT');
      await store.write({ deviceRecord: device, prekeysRecord: prekeys });
    }
    expect((await unlock({ store, secret: 'pw', kdf: CHEAP_KDF })).account.username).toMatch(
      /^tamper/,
    );
  });

  it('sign-out leaves no database behind', async () => {
    const relay = await accountRelay(cleanup);
    const client = relayClient(relay, cleanup);
    const store = freshKeyStore(cleanup);
    const session = await createAccount({
      relay: client,
      store,
      username: uniqueUsername('leaver'),
      password: 'bye',
      kdf: CHEAP_KDF,
    });
    // The app's history store, opened with this session's at-rest keys.
    const historyName = `${store.name}-history`;
    const history = await HistoryStore.open({
      dbName: historyName,
      dek: session.atRest.dek,
      indexKey: session.atRest.indexKey,
    });
    // And some other app database the app registers a wipe for.
    const otherName = `${store.name}-other`;
    const other = await openDB(otherName, 1, { upgrade: (db) => db.createObjectStore('x') });
    await other.put('x', 'value', 'key');
    other.close();
    expect(await databaseNames()).toEqual(
      expect.arrayContaining([store.name, historyName, otherName]),
    );

    // Not without the user's confirmation.
    expect(await codeOf(signOut({ store, confirmed: false }))).toBe('SIGN_OUT_NOT_CONFIRMED');
    expect(await databaseNames()).toContain(store.name);

    await signOut({
      store,
      confirmed: true,
      session,
      relay: client,
      wipe: [() => history.wipe(), () => deleteDB(otherName)],
    });
    const left = await databaseNames();
    expect(left).not.toContain(store.name);
    expect(left).not.toContain(historyName);
    expect(left).not.toContain(otherName);
    expect(client.state).toBe('closed');
    // The in-memory secrets are zeroed.
    expect(session.account.identity.seed.every((b) => b === 0)).toBe(true);
    expect(session.atRest.dek.every((b) => b === 0)).toBe(true);
    // The next start finds no account, and asking does not create the database again.
    expect(await storedAccount(indexedDbKeyStore(store.name))).toBeNull();
    expect(await databaseNames()).not.toContain(store.name);
  });
});
