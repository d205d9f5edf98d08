/**
 * This device's keys at rest (CRYPTO.md "History at rest"): the at-rest keys
 * {dek, indexKey} wrapped by the password's (or a local passphrase's)
 * storage key, and the device's secrets — identity seed, device key, signed
 * prekeys — sealed as records under the DEK with their own store name, bound
 * to (userId, deviceId) so a record moved from another account or slot fails
 * to open. Reading back checks that everything belongs together before an
 * Account is handed out.
 */
import {
  type AtRestKeys,
  decryptRecord,
  encryptRecord,
  unwrapAtRestKeys,
  wrapAtRestKeys,
} from '../../../shared/crypto/at-rest.ts';
import { DOMAIN } from '../../../shared/crypto/constants.ts';
import { verifyDeviceCert, verifySignedPrekey } from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import {
  type Account,
  type AccountPrekeys,
  type AccountSession,
  makeAccount,
  vaultScope,
} from './account.ts';
import {
  decodeDeviceRecord,
  decodePrekeysRecord,
  encodeDeviceRecord,
  encodePrekeysRecord,
} from './account-codec.ts';
import { AccountError } from './account-errors.ts';
import type { KeyStore, KeyStoreEntries, VaultMeta, VaultProtector } from './key-store.ts';
import { rememberAtRestKeys } from './remembered-device.ts';

const VAULT_VERSION = 1;
const RECORD_SCHEMA_VERSION = 1;
const DEVICE_RECORD = 'device';
const PREKEYS_RECORD = 'prekeys';

function sealRecord(atRest: AtRestKeys, scope: string, name: string, bytes: Uint8Array) {
  const sealed = encryptRecord(
    atRest.dek,
    DOMAIN.deviceKeysRecord,
    `${scope}#${name}`,
    RECORD_SCHEMA_VERSION,
    bytes,
  );
  sodium().memzero(bytes);
  return sealed;
}

function openRecord(atRest: AtRestKeys, scope: string, name: string, sealed: Uint8Array) {
  const opened = decryptRecord(
    atRest.dek,
    DOMAIN.deviceKeysRecord,
    `${scope}#${name}`,
    RECORD_SCHEMA_VERSION,
    sealed,
  );
  if (!opened.ok) throw new AccountError('STORE_CORRUPT', `${name} record: ${opened.code}`);
  return opened.value;
}

export interface SaveDeviceOptions {
  protector: VaultProtector;
  /** The storage key of the protector (absent for `none`). */
  storageKey: Uint8Array | null;
  remember: boolean;
}

/** Writes everything a new device needs to unlock later, in one transaction. */
export async function saveDevice(
  store: KeyStore,
  session: AccountSession,
  opts: SaveDeviceOptions,
): Promise<void> {
  const { account, atRest } = session;
  const scope = vaultScope(account.userId, account.deviceId);
  if (opts.protector.kind !== 'none' && !opts.storageKey) {
    throw new Error('parley/account: a password protector needs its storage key');
  }
  const meta: VaultMeta = {
    version: VAULT_VERSION,
    username: account.username,
    userId: account.userId,
    deviceId: account.deviceId,
    protector: opts.protector,
  };
  const put: Partial<KeyStoreEntries> = {
    meta,
    deviceRecord: sealRecord(atRest, scope, DEVICE_RECORD, encodeDeviceRecord(account)),
    prekeysRecord: sealRecord(atRest, scope, PREKEYS_RECORD, encodePrekeysRecord(account.prekeys)),
  };
  if (opts.storageKey) put.wrappedKeys = wrapAtRestKeys(opts.storageKey, atRest, scope);
  if (opts.remember) put.remembered = await rememberAtRestKeys(atRest, scope);
  await store.write(put, [
    ...(opts.storageKey ? [] : (['wrappedKeys'] as const)),
    ...(opts.remember ? [] : (['remembered'] as const)),
  ]);
}

/** Replaces the prekeys record (after a rotation). */
export async function savePrekeys(
  store: KeyStore,
  session: AccountSession,
  prekeys: AccountPrekeys,
): Promise<void> {
  const scope = vaultScope(session.account.userId, session.account.deviceId);
  await store.write({
    prekeysRecord: sealRecord(session.atRest, scope, PREKEYS_RECORD, encodePrekeysRecord(prekeys)),
  });
}

/** Re-wraps the at-rest keys under a new protector (password change, passphrase set). */
export async function saveProtector(
  store: KeyStore,
  session: AccountSession,
  protector: VaultProtector,
  storageKey: Uint8Array,
): Promise<void> {
  const meta = await readMeta(store);
  const scope = vaultScope(meta.userId, meta.deviceId);
  await store.write({
    meta: { ...meta, protector },
    wrappedKeys: wrapAtRestKeys(storageKey, session.atRest, scope),
  });
}

export async function readMeta(store: KeyStore): Promise<VaultMeta> {
  const meta = await store.get('meta');
  if (!meta) throw new AccountError('NO_STORED_ACCOUNT');
  if (meta.version !== VAULT_VERSION) throw new AccountError('STORE_CORRUPT', 'unknown version');
  return meta;
}

/** The at-rest keys from the protector's storage key; WRONG_LOCAL_SECRET when they do not open. */
export async function unwrapStoredKeys(
  store: KeyStore,
  meta: VaultMeta,
  storageKey: Uint8Array,
): Promise<AtRestKeys> {
  const wrapped = await store.get('wrappedKeys');
  if (!wrapped) throw new AccountError('STORE_CORRUPT', 'no wrapped keys');
  const keys = unwrapAtRestKeys(storageKey, wrapped, vaultScope(meta.userId, meta.deviceId));
  if (!keys.ok) {
    throw new AccountError(
      keys.code === 'DEK_UNWRAP_FAILED' ? 'WRONG_LOCAL_SECRET' : 'STORE_CORRUPT',
      keys.code,
    );
  }
  return keys.value;
}

/** Opens the sealed records and checks they describe one consistent device. */
export async function loadAccount(
  store: KeyStore,
  meta: VaultMeta,
  atRest: AtRestKeys,
): Promise<Account> {
  const scope = vaultScope(meta.userId, meta.deviceId);
  const [deviceSealed, prekeysSealed] = await Promise.all([
    store.get('deviceRecord'),
    store.get('prekeysRecord'),
  ]);
  if (!deviceSealed || !prekeysSealed) throw new AccountError('STORE_CORRUPT', 'missing record');
  const s = sodium();
  const devicePlain = openRecord(atRest, scope, DEVICE_RECORD, deviceSealed);
  const prekeysPlain = openRecord(atRest, scope, PREKEYS_RECORD, prekeysSealed);
  let device: ReturnType<typeof decodeDeviceRecord>;
  let prekeys: AccountPrekeys;
  try {
    device = decodeDeviceRecord(devicePlain);
    prekeys = decodePrekeysRecord(prekeysPlain);
  } finally {
    s.memzero(devicePlain);
    s.memzero(prekeysPlain);
  }
  const consistent =
    device.userId === meta.userId &&
    device.cert.deviceId === meta.deviceId &&
    verifyDeviceCert(device.cert, device.identity.publicKey) &&
    s.memcmp(device.cert.dkPk, device.device.publicKey) &&
    verifySignedPrekey(prekeys.current, device.device.publicKey);
  if (!consistent) throw new AccountError('STORE_CORRUPT', 'records do not belong together');
  return makeAccount({
    username: device.username,
    userId: device.userId,
    deviceId: device.cert.deviceId,
    identity: device.identity,
    device: device.device,
    cert: device.cert,
    prekeys,
  });
}
