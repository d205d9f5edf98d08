import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  createAccount,
  signInWithPassword,
  storedAccount,
} from '../../../web/core/account/index.ts';
import {
  accountRelay,
  CHEAP_KDF,
  cleanupList,
  codeOf,
  databaseNames,
  freshKeyStore,
  type JsonMessage,
  relayClient,
  tamperingSocket,
  uniqueUsername,
} from './account-support.ts';

const cleanup = cleanupList();
afterEach(() => cleanup.run());
beforeAll(() => loadSodium());

const PASSWORD = 'the same password on purpose';

describe('a lying relay', () => {
  it('a relay that hands out weak KDF parameters is refused', async () => {
    const relay = await accountRelay(cleanup);
    const username = uniqueUsername('weak');
    // Production parameters and bounds throughout.
    await createAccount({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username,
      password: PASSWORD,
    });

    for (const [kdf, expected] of [
      // Cheap enough to make an offline guess at the password easy.
      [{ alg: 'argon2id13', opslimit: 2, memlimit: 16 * 1024 * 1024 }, 'KDF_PARAMS_TOO_WEAK'],
      [{ alg: 'argon2id13', opslimit: 3, memlimit: 32 * 1024 * 1024 }, 'KDF_PARAMS_TOO_WEAK'],
      // Costly enough to hang or crash the tab.
      [{ alg: 'argon2id13', opslimit: 20, memlimit: 1024 * 1024 * 1024 }, 'KDF_PARAMS_TOO_COSTLY'],
    ] as const) {
      const socket = tamperingSocket((msg) => (msg.t === 'prelogin.ok' ? { ...msg, kdf } : msg));
      const store = freshKeyStore(cleanup);
      const code = await codeOf(
        signInWithPassword({
          relay: relayClient(relay, cleanup, socket.factory),
          store,
          username,
          password: PASSWORD,
        }),
      );
      expect(code).toBe(expected);
      // Refused before anything derived from the password was sent.
      expect(socket.sent.map((m) => m.t)).not.toContain('blob.fetch');
      expect(await databaseNames()).not.toContain(store.name);
    }

    // The honest relay's real parameters pass.
    const ok = await signInWithPassword({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username,
      password: PASSWORD,
    });
    expect(ok.account.username).toBe(username);
  });

  it("a relay that returns another user's blob (or a blob for another IK) is refused", async () => {
    const relay = await accountRelay(cleanup);
    // Two users with the same password: the worst case for a swapped blob.
    const users = [];
    for (const name of ['alice', 'bob']) {
      const username = uniqueUsername(name);
      const created = await createAccount({
        relay: relayClient(relay, cleanup),
        store: freshKeyStore(cleanup),
        username,
        password: PASSWORD,
        kdf: CHEAP_KDF,
      });
      users.push({ username, created });
    }
    const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]];

    // What the relay gives bob when bob signs in.
    const honest = tamperingSocket();
    await signInWithPassword({
      relay: relayClient(relay, cleanup, honest.factory),
      store: freshKeyStore(cleanup),
      username: bob.username,
      password: PASSWORD,
      kdf: CHEAP_KDF,
    });
    const bobsBlob = honest.received.find((m) => m.t === 'blob.ok');
    if (bobsBlob?.t !== 'blob.ok') throw new Error('no blob captured');

    const lies: Array<[string, (m: JsonMessage) => JsonMessage, string]> = [
      [
        "bob's whole blob",
        (m) => ({ ...m, userId: bobsBlob.userId, ik: bobsBlob.ik, blob: bobsBlob.blob }),
        'BLOB_REJECTED',
      ],
      ["alice's blob claimed for bob's IK", (m) => ({ ...m, ik: bobsBlob.ik }), 'BLOB_REJECTED'],
      [
        "alice's blob claimed for bob's user id",
        (m) => ({ ...m, userId: bobsBlob.userId }),
        'BLOB_REJECTED',
      ],
      ["bob's blob with bob's salt", () => ({ ...bobsBlob }) as JsonMessage, 'RELAY_MISMATCH'],
    ];
    for (const [what, lie, expected] of lies) {
      const socket = tamperingSocket((m) => (m.t === 'blob.ok' ? { ...lie(m), ref: m.ref } : m));
      const store = freshKeyStore(cleanup);
      const code = await codeOf(
        signInWithPassword({
          relay: relayClient(relay, cleanup, socket.factory),
          store,
          username: alice.username,
          password: PASSWORD,
          kdf: CHEAP_KDF,
        }),
      );
      expect(code, what).toBe(expected);
      expect(
        socket.sent.map((m) => m.t),
        what,
      ).not.toContain('device.add');
      expect(await databaseNames(), what).not.toContain(store.name);
    }

    // A relay that files the new device under another account is caught too.
    const socket = tamperingSocket((m) =>
      m.t === 'authed' ? { ...m, userId: bob.created.account.userId } : m,
    );
    const store = freshKeyStore(cleanup);
    expect(
      await codeOf(
        signInWithPassword({
          relay: relayClient(relay, cleanup, socket.factory),
          store,
          username: alice.username,
          password: PASSWORD,
          kdf: CHEAP_KDF,
        }),
      ),
    ).toBe('RELAY_MISMATCH');
    expect(await storedAccount(store)).toBeNull();
  });
});
