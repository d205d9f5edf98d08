/**
 * Everything heavy the app needs — libsodium, the account module, the
 * history store and the ParleyClient with its WebRTC stack — behind one
 * module the shell loads with `import()` after its first paint (TARGETS.md
 * P7: the first bundle stays small). The functions here are the session's
 * steps; the UI never reaches into core beyond them and the client's API.
 */
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  type Account,
  type AccountKdfOptions,
  type AccountSession,
  createAccount,
  indexedDbKeyStore,
  type KeyStore,
  rotatePrekeyIfDue,
  type StoredAccount,
  signInWithPassword,
  signInWithRecoveryKey,
  signOut,
  storedAccount,
  unlock,
  unlockRemembered,
  workerKeyDerivation,
} from '../../core/account/index.ts';
import { ParleyClient } from '../../core/client.ts';
import type { DeviceAccount } from '../../core/engine-context.ts';
import { browserSinkFactory } from '../../core/files/opfs-worker-sink.ts';
import { HistoryStore } from '../../core/history/history-store.ts';
import { RelayClient } from '../../core/relay-client.ts';

export type { AccountSession, StoredAccount };

/** A signed-in, connected device: what the shell hands to every view. */
export interface Engine {
  client: ParleyClient;
  session: AccountSession;
  history: HistoryStore;
  /** The engine's view of this device; its prekey list follows rotation (sealed mail to a new SPK opens). */
  device: DeviceAccount;
}

const KDF_WORKER_URL = '/kdf-worker.js';
const HISTORY_DB_PREFIX = 'parley-history-';

/** The relay that served this page: ws(s)://host/ws. */
export function relayUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

let kdfOptions: AccountKdfOptions | null = null;

/**
 * Argon2id in a Web Worker so the page keeps painting (it takes 0.2–0.5 s
 * and 64 MiB). If workers are unavailable the derivation runs on the page:
 * slower to feel, same keys.
 */
function kdf(): AccountKdfOptions {
  if (kdfOptions) return kdfOptions;
  try {
    kdfOptions = { derive: workerKeyDerivation(new Worker(KDF_WORKER_URL, { type: 'module' })) };
  } catch {
    kdfOptions = {};
  }
  return kdfOptions;
}

function keyStore(): KeyStore {
  return indexedDbKeyStore();
}

/** Asks the relay client to do `work`, then always closes it (sign-up and sign-in are one-shot). */
async function withRelay<T>(work: (relay: RelayClient) => Promise<T>): Promise<T> {
  const relay = new RelayClient({ url: relayUrl() });
  try {
    return await work(relay);
  } finally {
    relay.close();
  }
}

export async function findStoredAccount(): Promise<StoredAccount | null> {
  const store = keyStore();
  try {
    return await storedAccount(store);
  } finally {
    store.close();
  }
}

export async function createNewAccount(
  username: string,
  password: string,
  rememberDevice: boolean,
): Promise<{ session: AccountSession; recoveryKey: string }> {
  await loadSodium();
  const store = keyStore();
  try {
    const created = await withRelay((relay) =>
      createAccount({ relay, store, username, password, rememberDevice, kdf: kdf() }),
    );
    const { recoveryKey, ...session } = created;
    return { session, recoveryKey };
  } finally {
    store.close();
  }
}

export async function signInPassword(
  username: string,
  password: string,
  rememberDevice: boolean,
): Promise<AccountSession> {
  await loadSodium();
  const store = keyStore();
  try {
    return await withRelay((relay) =>
      signInWithPassword({ relay, store, username, password, rememberDevice, kdf: kdf() }),
    );
  } finally {
    store.close();
  }
}

/**
 * With a new password the account's password changes too (the usual reason
 * to reach for the recovery key); without one, this device is remembered,
 * since something must protect its keys.
 */
export async function signInRecovery(
  username: string,
  recoveryKey: string,
  newPassword: string,
  rememberDevice: boolean,
): Promise<AccountSession> {
  await loadSodium();
  const store = keyStore();
  try {
    return await withRelay((relay) =>
      signInWithRecoveryKey({
        relay,
        store,
        username,
        recoveryKey,
        ...(newPassword ? { newPassword } : {}),
        rememberDevice: rememberDevice || !newPassword,
        kdf: kdf(),
      }),
    );
  } finally {
    store.close();
  }
}

export async function unlockWithSecret(
  secret: string,
  rememberDevice: boolean,
): Promise<AccountSession> {
  const store = keyStore();
  try {
    return await unlock({ store, secret, rememberDevice, kdf: kdf() });
  } finally {
    store.close();
  }
}

export async function unlockRememberedDevice(): Promise<AccountSession | null> {
  const store = keyStore();
  try {
    return await unlockRemembered({ store });
  } finally {
    store.close();
  }
}

function mailPrekeys(account: Account): DeviceAccount['prekeys'] {
  return [account.prekeys.current, ...account.prekeys.retired.map((r) => r.prekey)];
}

function deviceAccount(account: Account): DeviceAccount {
  return {
    userId: account.userId,
    username: account.username,
    ikPk: account.identity.publicKey,
    deviceId: account.deviceId,
    dk: account.device,
    cert: account.cert,
    prekeys: mailPrekeys(account),
  };
}

function hasOpfs(): boolean {
  return typeof navigator.storage?.getDirectory === 'function';
}

/** Opens the encrypted history and connects: the app is live when this resolves. */
export async function startEngine(session: AccountSession): Promise<Engine> {
  await loadSodium();
  const history = await HistoryStore.open({
    dbName: `${HISTORY_DB_PREFIX}${session.account.userId}`,
    dek: session.atRest.dek,
    indexKey: session.atRest.indexKey,
  });
  const device = deviceAccount(session.account);
  try {
    const client = await ParleyClient.start({
      relayUrl: relayUrl(),
      account: device,
      history,
      // Received files stream into OPFS through sync access handles in a worker
      // (createWritable fallback). No `sources` store: persisting a picked
      // file's handle would keep its name in clear in IndexedDB; after a
      // reload the sender is asked to pick the file again (hash-checked).
      ...(hasOpfs() ? { files: { sinks: browserSinkFactory() } } : {}),
    });
    return { client, session, history, device };
  } catch (error) {
    history.close();
    throw error;
  }
}

/** CRYPTO.md "Keys": the signed prekey is replaced weekly; whether it is due is checked this often. */
const PREKEY_CHECK_EVERY_MS = 24 * 60 * 60 * 1000;
/** A tab coming back to the foreground checks again, at most this often (timers sleep with the laptop). */
const PREKEY_RECHECK_AFTER_MS = 60 * 60 * 1000;

/**
 * Rotates this device's signed prekey when due: now, daily while the app is
 * open, when the tab becomes visible again, and when the relay connection
 * comes back. Only while connected: the relay must take the new key (the
 * rotation reverts otherwise), and an offline attempt would only fail.
 * Failures go to `onError` (the notices); the next trigger tries again.
 */
export function keepPrekeysFresh(engine: Engine, onError: (error: unknown) => void): () => void {
  const { client, session, device } = engine;
  let lastCheckMs = Number.NEGATIVE_INFINITY;
  let stopped = false;
  const check = () => {
    if (stopped || client.relay.state !== 'online') return;
    lastCheckMs = Date.now();
    const store = keyStore();
    rotatePrekeyIfDue({ relay: client.relay, store, session })
      .then((result) => {
        // The engine opens sealed mail with `device.prekeys`: same array, new contents.
        if (result.rotated || result.dropped > 0) {
          device.prekeys.splice(0, device.prekeys.length, ...mailPrekeys(session.account));
        }
      })
      .catch((error: unknown) => {
        if (!stopped) onError(error);
      })
      .finally(() => store.close());
  };
  const recheck = () => {
    if (Date.now() - lastCheckMs >= PREKEY_RECHECK_AFTER_MS || Date.now() < lastCheckMs) check();
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') recheck();
  };
  const timer = setInterval(check, PREKEY_CHECK_EVERY_MS);
  const offState = client.relay.events.on('state', (state) => {
    if (state === 'online') recheck();
  });
  document.addEventListener('visibilitychange', onVisible);
  check();
  return () => {
    stopped = true;
    clearInterval(timer);
    offState();
    document.removeEventListener('visibilitychange', onVisible);
  };
}

type Directory = FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };

/** Received files live in the origin-private file system: sign-out erases them too. */
async function wipeReceivedFiles(): Promise<void> {
  if (!hasOpfs()) return;
  const root = (await navigator.storage.getDirectory()) as Directory;
  for await (const name of root.keys()) await root.removeEntry(name, { recursive: true });
}

/**
 * Erases this device: keys, history, received files. The caller asked the
 * user first (the identity is gone from here without a password or recovery key).
 */
export async function signOutDevice(engine: Engine | null, userId: string | null): Promise<void> {
  await loadSodium();
  const store = keyStore();
  engine?.client.close();
  const historyName = engine?.history.dbName ?? (userId ? `${HISTORY_DB_PREFIX}${userId}` : null);
  await signOut({
    store,
    confirmed: true,
    ...(engine ? { session: engine.session } : {}),
    wipe: [
      async () => {
        if (engine) await engine.history.wipe();
        else if (historyName) await deleteDatabase(historyName);
      },
      wipeReceivedFiles,
    ],
  });
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve();
  });
}
