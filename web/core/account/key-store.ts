/**
 * Where this device keeps its keys: a small IndexedDB database of its own
 * (`parley-keys`, one object store), apart from the history database so
 * either can be opened, migrated or wiped without the other. The interface is
 * what the account code needs and nothing more; tests and non-browser hosts
 * may pass any implementation.
 *
 * Nothing here is secret in the clear: the at-rest keys are wrapped (by the
 * password or passphrase, and optionally by a non-extractable WebCrypto key),
 * the device's secrets are sealed records under the DEK, and `meta` holds only
 * public facts (who, which device, how the wrap key is derived).
 */
import { deleteDB, type IDBPDatabase, openDB } from 'idb';
import type { PasswordKdfParams } from '../../../shared/crypto/password.ts';
import { AccountError } from './account-errors.ts';

export const KEY_STORE_DEFAULTS = {
  dbName: 'parley-keys',
  dbVersion: 1,
  objectStore: 'keys',
} as const;

/** How the at-rest keys are wrapped on this device. */
export type VaultProtector =
  | { kind: 'password' | 'passphrase'; salt: Uint8Array; params: PasswordKdfParams }
  /** Only "remember this device" holds them: no password, no passphrase. */
  | { kind: 'none' };

export interface VaultMeta {
  version: number;
  username: string;
  userId: string;
  deviceId: string;
  protector: VaultProtector;
}

/** The at-rest keys under a non-extractable AES-GCM key (remembered-device.ts). */
export interface RememberedKeys {
  key: CryptoKey;
  iv: Uint8Array;
  sealed: Uint8Array;
}

export interface KeyStoreEntries {
  meta: VaultMeta;
  /** wrapAtRestKeys(storageKey, {dek, indexKey}, scope). */
  wrappedKeys: Uint8Array;
  /** encryptRecord(dek, …): identity seed, device key, certificate. */
  deviceRecord: Uint8Array;
  /** encryptRecord(dek, …): current and retired signed prekeys. */
  prekeysRecord: Uint8Array;
  remembered: RememberedKeys;
}

export type KeyStoreEntry = keyof KeyStoreEntries;

export interface KeyStore {
  readonly name: string;
  get<K extends KeyStoreEntry>(entry: K): Promise<KeyStoreEntries[K] | undefined>;
  /** Puts `put` and deletes `remove` in one transaction: all or nothing. */
  write(put: Partial<KeyStoreEntries>, remove?: readonly KeyStoreEntry[]): Promise<void>;
  /** Closes and deletes the whole database. */
  destroy(): Promise<void>;
  close(): void;
}

type KeysDb = IDBPDatabase<unknown>;

/**
 * The IndexedDB key store. The database is created by the first write only:
 * constructing the store, or reading from it (the start screen asking
 * whether there is an account), leaves no database behind — after a failed
 * sign-in or a sign-out included.
 */
export function indexedDbKeyStore(dbName: string = KEY_STORE_DEFAULTS.dbName): KeyStore {
  let opening: Promise<KeysDb | null> | null = null;
  const objectStore = KEY_STORE_DEFAULTS.objectStore;

  /** The open database, or null when it does not exist and `create` is false. */
  function db(create: boolean): Promise<KeysDb | null> {
    if (opening) return opening;
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(new AccountError('STORE_UNAVAILABLE', 'no IndexedDB'));
    }
    let absent = false;
    const attempt: Promise<KeysDb | null> = openDB(dbName, KEY_STORE_DEFAULTS.dbVersion, {
      upgrade(database, oldVersion, _newVersion, tx) {
        if (oldVersion === 0 && !create) {
          // Aborting the creating upgrade deletes the new database again.
          absent = true;
          // idb rejects tx.done on abort; that rejection is the expected outcome.
          tx.done.catch(() => undefined);
          tx.abort();
          return;
        }
        database.createObjectStore(objectStore);
      },
      blocking(_current, _next, event) {
        // Another tab signs out (deletes this database): let it.
        (event.target as IDBDatabase).close();
        opening = null;
      },
      terminated() {
        opening = null;
      },
    }).then(
      (database): KeysDb | null => database,
      (error: unknown) => {
        opening = null;
        if (absent) return null;
        throw new AccountError('STORE_UNAVAILABLE', 'cannot open the key database', {
          cause: error,
        });
      },
    );
    opening = attempt;
    return attempt;
  }

  async function writable(): Promise<KeysDb> {
    const database = await db(true);
    if (database) return database;
    // A read found no database a moment ago; now create it.
    const created = await db(true);
    if (!created) throw new AccountError('STORE_UNAVAILABLE', 'cannot create the key database');
    return created;
  }

  return {
    name: dbName,
    async get<K extends KeyStoreEntry>(entry: K) {
      const database = await db(false);
      if (!database) return undefined;
      return (await database.get(objectStore, entry)) as KeyStoreEntries[K] | undefined;
    },
    async write(put, remove = []) {
      const database = await writable();
      const tx = database.transaction(objectStore, 'readwrite');
      const store = tx.objectStore(objectStore);
      const ops: Promise<unknown>[] = [];
      for (const [entry, value] of Object.entries(put)) {
        if (value !== undefined) ops.push(store.put(value, entry));
      }
      for (const entry of remove) ops.push(store.delete(entry));
      await Promise.all([...ops, tx.done]);
    },
    async destroy() {
      if (opening) {
        const database = await opening.catch(() => null);
        database?.close();
        opening = null;
      }
      if (typeof indexedDB === 'undefined') return;
      await deleteDB(dbName);
    },
    close() {
      const pending = opening;
      opening = null;
      void pending?.then((database) => database?.close()).catch(() => undefined);
    },
  };
}
