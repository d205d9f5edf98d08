/**
 * Runs inside real Chromium (account-browser.test.ts bundles it with
 * esbuild and serves it from the relay's own origin): the account module
 * against the real relay over the browser's WebSocket, with the browser's
 * IndexedDB and WebCrypto — the path fake-indexeddb can only imitate.
 * Each step returns plain JSON for the Node side to check.
 */
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { derivePasswordKeysAsync } from '../../../shared/crypto/password.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  type AccountKdfOptions,
  type AccountSession,
  createAccount,
  deviceCredentials,
  indexedDbKeyStore,
  signOut,
  storedAccount,
  unlock,
  unlockRemembered,
  workerKeyDerivation,
} from '../../../web/core/account/index.ts';
import { RelayClient } from '../../../web/core/relay-client.ts';

const STORE_NAME = 'parley-keys';
/** Test-only cheap Argon2id (the relay schema's floor). */
const CHEAP_KDF: AccountKdfOptions = {
  params: { algorithm: 2, opsLimit: 2, memLimitBytes: 16 * 1024 * 1024 },
  bounds: {
    minOpsLimit: 2,
    maxOpsLimit: 16,
    minMemLimitBytes: 16 * 1024 * 1024,
    maxMemLimitBytes: 512 * 1024 * 1024,
  },
};

function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

function describeSession(session: AccountSession) {
  return {
    userId: session.account.userId,
    deviceId: session.account.deviceId,
    ik: toB64(session.account.identity.publicKey),
    dek: toB64(session.atRest.dek),
    indexKey: toB64(session.atRest.indexKey),
  };
}

async function loginWith(session: AccountSession): Promise<string> {
  const relay = new RelayClient({ url: wsUrl() });
  try {
    return (await relay.login(deviceCredentials(session.account))).deviceId;
  } finally {
    relay.close();
  }
}

const api = {
  async create(username: string, password: string) {
    await loadSodium();
    const relay = new RelayClient({ url: wsUrl() });
    const store = indexedDbKeyStore(STORE_NAME);
    const created = await createAccount({
      relay,
      store,
      username,
      password,
      rememberDevice: true,
      kdf: CHEAP_KDF,
    });
    relay.close();
    store.close();
    return { ...describeSession(created), recoveryKey: created.recoveryKey };
  },

  async afterReload(password: string) {
    const store = indexedDbKeyStore(STORE_NAME);
    const info = await storedAccount(store);
    const remembered = await store.get('remembered');
    let exportRefused = false;
    try {
      if (remembered) await crypto.subtle.exportKey('raw', remembered.key);
    } catch {
      exportRefused = true;
    }
    const recalled = await unlockRemembered({ store });
    if (!recalled) throw new Error('not remembered');
    let wrongCode = '';
    try {
      await unlock({ store, secret: `${password}!`, kdf: CHEAP_KDF });
    } catch (error) {
      wrongCode = (error as { code?: string }).code ?? 'unknown';
    }
    const unlocked = await unlock({ store, secret: password, kdf: CHEAP_KDF });
    const loggedInAs = await loginWith(recalled);
    store.close();
    return {
      info,
      keyIsCryptoKey: remembered?.key instanceof CryptoKey,
      extractable: remembered?.key.extractable,
      exportRefused,
      recalled: describeSession(recalled),
      unlocked: describeSession(unlocked),
      wrongCode,
      loggedInAs,
    };
  },

  /** The same derivation directly and through the Web Worker. */
  async workerDerive() {
    await loadSodium();
    const worker = new Worker('/kdf-worker.js', { type: 'module' });
    const derive = workerKeyDerivation(worker);
    const password = new TextEncoder().encode('worker password');
    const salt = new Uint8Array(16).fill(7);
    const params = CHEAP_KDF.params!;
    const bounds = CHEAP_KDF.bounds!;
    const viaWorker = await derive(password, salt, params, bounds);
    const direct = await derivePasswordKeysAsync(password, salt, params, bounds);
    const weak = await derive(password, salt, { ...params, opsLimit: 1 }, bounds);
    worker.terminate();
    const b64 = (r: typeof direct) =>
      r.ok
        ? [toB64(r.value.authSeed), toB64(r.value.idWrapKey), toB64(r.value.storageKey)]
        : r.code;
    return { viaWorker: b64(viaWorker), direct: b64(direct), weak: weak.ok ? 'ok' : weak.code };
  },

  async signOut() {
    const store = indexedDbKeyStore(STORE_NAME);
    await signOut({ store, confirmed: true });
    // The next start asks whether there is an account; asking must not recreate the database.
    const found = await storedAccount(indexedDbKeyStore(STORE_NAME));
    if (found) throw new Error('account still there after sign-out');
    return (await indexedDB.databases()).map((d) => d.name);
  },
};

(globalThis as unknown as { parleyAccountTest: typeof api }).parleyAccountTest = api;
document.title = 'ready';
